package io.stratus.broker.auth.cache;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SingleFlightTest {

    private final SingleFlight<String, String> flight = new SingleFlight<>();
    private final AtomicInteger runs = new AtomicInteger();

    @Test
    void sharesOneRunAmongAThousandConcurrentCallers() throws Exception {
        // given work held shut by a gate
        CompletableFuture<String> gate = new CompletableFuture<>();
        ExecutorService callers = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<CompletionStage<String>>> asked = new ArrayList<>();
        try {
            // when a thousand callers ask for the same key at once
            for (int i = 0; i < 1_000; i++) {
                asked.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return flight.run("credential", () -> {
                        runs.incrementAndGet();
                        return gate;
                    });
                }, callers));
            }
            start.countDown();
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (CompletableFuture<CompletionStage<String>> a : asked) {
                answers.add(a.get(10, TimeUnit.SECONDS).toCompletableFuture());
            }
            gate.complete("accepted");

            // then the work ran once and everyone has its result
            for (CompletableFuture<String> answer : answers) {
                assertEquals("accepted", answer.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, runs.get());
            assertEquals(0, flight.inFlight());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void runsAfreshOnceTheWorkHasFinished() {
        flight.run("k", this::work).toCompletableFuture().join();
        flight.run("k", this::work).toCompletableFuture().join();

        assertEquals(2, runs.get());
    }

    @Test
    void runsDifferentKeysSeparately() {
        CompletableFuture<String> gate = new CompletableFuture<>();
        flight.run("a", () -> counted(gate));
        flight.run("b", () -> counted(gate));

        assertEquals(2, runs.get());
        assertEquals(2, flight.inFlight());
        gate.complete("x");
        assertEquals(0, flight.inFlight());
    }

    @Test
    void sharesAFailureThenForgetsIt() {
        CompletableFuture<String> gate = new CompletableFuture<>();
        CompletableFuture<String> first = flight.run("k", () -> counted(gate)).toCompletableFuture();
        CompletableFuture<String> second = flight.run("k", () -> counted(gate)).toCompletableFuture();

        gate.completeExceptionally(new IllegalStateException("down"));

        assertInstanceOf(IllegalStateException.class, assertThrows(ExecutionException.class, first::get).getCause());
        assertInstanceOf(IllegalStateException.class, assertThrows(ExecutionException.class, second::get).getCause());
        assertEquals("ok", flight.run("k", this::work).toCompletableFuture().join());
    }

    @Test
    void turnsThrowingWorkIntoAFailedStage() {
        CompletableFuture<String> f = flight.run("k", () -> {
            throw new IllegalStateException("bug");
        }).toCompletableFuture();

        assertInstanceOf(IllegalStateException.class, assertThrows(ExecutionException.class, f::get).getCause());
        assertEquals(0, flight.inFlight());
    }

    private CompletionStage<String> work() {
        return counted(CompletableFuture.completedFuture("ok"));
    }

    private CompletionStage<String> counted(CompletionStage<String> result) {
        runs.incrementAndGet();
        return result;
    }
}
