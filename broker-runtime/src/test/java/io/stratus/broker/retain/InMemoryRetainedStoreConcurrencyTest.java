package io.stratus.broker.retain;

import static io.stratus.broker.retain.InMemoryRetainedStoreTest.filter;
import static io.stratus.broker.retain.InMemoryRetainedStoreTest.retained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stratus.broker.message.Message;
import io.stratus.broker.routing.TopicFilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class InMemoryRetainedStoreConcurrencyTest {

    private static final int WRITERS = 4;
    private static final int TOPICS_PER_WRITER = 50;
    private static final int ROUNDS = 200;
    private static final long NOW = 1_000L;

    @Test
    void concurrentPutsDeletesAndMatchesNeverFailAndEndConsistent() throws InterruptedException {
        // given writers that each own a branch and readers matching across all branches
        InMemoryRetainedStore store = new InMemoryRetainedStore(10_000);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean writersDone = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int id = w;
            writers.add(new Thread(() -> guarded(start, failures, () -> {
                for (int round = 0; round < ROUNDS; round++) {
                    for (int t = 0; t < TOPICS_PER_WRITER; t++) {
                        String topic = "w" + id + "/" + t + "/v";
                        // rounds alternate between setting and deleting, so nodes are created and
                        // pruned under the readers; the last round leaves even topics set, odd ones deleted
                        boolean set = round < ROUNDS - 1 ? round % 2 == 0 : t % 2 == 0;
                        // every writer also shares one topic and one expiring topic with the others
                        store.put(retained(topic, set ? "v" + round : ""));
                        store.put(retained("shared/expiring", "x", NOW - 1));
                    }
                }
            })));
        }
        TopicFilter[] filters = {filter("#"), filter("+/+/v"), filter("w0/#"), filter("shared/+"), filter("+/1/+")};
        for (int r = 0; r < 3; r++) {
            readers.add(new Thread(() -> guarded(start, failures, () -> {
                int i = 0;
                do {
                    TopicFilter f = filters[i++ % filters.length];
                    for (Message m : store.match(f, NOW)) {
                        assertTrue(f.matches(m.topic()), m.topic() + " returned for " + f);
                        assertFalse(m.isExpired(NOW), "expired message returned: " + m.topic());
                    }
                } while (!writersDone.get());
            })));
        }
        writers.forEach(Thread::start);
        readers.forEach(Thread::start);
        start.countDown();
        for (Thread writer : writers) {
            writer.join();
        }
        writersDone.set(true);
        for (Thread reader : readers) {
            reader.join();
        }

        // then nothing failed and the counts agree with what is stored
        assertEquals(List.of(), new ArrayList<>(failures));
        store.removeExpired(NOW);
        int expected = WRITERS * (TOPICS_PER_WRITER / 2);
        assertEquals(expected, store.size());
        assertEquals(expected, store.match(filter("+/+/v"), NOW).size());
        long bytes = 0;
        for (Message m : store.match(filter("#"), NOW)) {
            bytes += m.payload().length;
        }
        assertEquals(bytes, store.payloadBytes());
        assertEquals(0, store.refusedCount());
    }

    private static void guarded(CountDownLatch start, Queue<Throwable> failures, Runnable body) {
        try {
            start.await();
            body.run();
        } catch (Throwable e) {
            failures.add(e);
        }
    }
}
