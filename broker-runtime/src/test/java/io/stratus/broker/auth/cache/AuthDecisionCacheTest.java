package io.stratus.broker.auth.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.stratus.broker.auth.AuthMethod;
import io.stratus.broker.auth.AuthOutcome;
import io.stratus.broker.support.ManualClock;
import io.stratus.broker.tenant.TenantId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthDecisionCacheTest {

    private static final TenantId ACME = new TenantId("acme");
    private static final TenantId GLOBEX = new TenantId("globex");
    private static final Duration MAX_POSITIVE = Duration.ofMinutes(5);
    private static final Duration NEGATIVE = Duration.ofSeconds(5);

    /** An outcome of a made-up method, so the cache is tested apart from any verifier. */
    private record Decision(boolean accepted, Optional<Instant> expiresAt) implements AuthOutcome {
    }

    private final ManualClock clock = new ManualClock();
    private final Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    private final AuthDecisionCache<Decision> cache = new AuthDecisionCache<>(
        new AuthDecisionCache.Settings(1_000, MAX_POSITIVE, NEGATIVE), clock, ticker);
    private final AtomicInteger verifications = new AtomicInteger();

    @Test
    void answersARepeatedCredentialFromTheCache() {
        DecisionKey key = key("device-1", "token-1");
        Decision accepted = new Decision(true, Optional.empty());

        Decision first = join(cache.decide(key, verifier(accepted)));
        CompletableFuture<Decision> second = cache.decide(key, verifier(accepted)).toCompletableFuture();

        assertEquals(accepted, first);
        assertTrue(second.isDone(), "a hit needs no verification");
        assertEquals(accepted, second.join());
        assertEquals(1, verifications.get());
    }

    @Test
    void remembersARefusalForTheNegativeTtlOnly() {
        DecisionKey key = key("device-1", "wrong");
        Decision refused = new Decision(false, Optional.empty());
        join(cache.decide(key, verifier(refused)));

        clock.advance(NEGATIVE.minusMillis(1));
        join(cache.decide(key, verifier(refused)));
        assertEquals(1, verifications.get(), "a retry storm with a bad credential reaches the verifier once");

        clock.advance(Duration.ofMillis(1));
        join(cache.decide(key, verifier(refused)));
        assertEquals(2, verifications.get());
    }

    @Test
    void keepsAnAcceptanceUntilTheCredentialExpires() {
        DecisionKey key = key("device-1", "token-1");
        Decision accepted = new Decision(true, Optional.of(clock.instant().plusSeconds(30)));
        join(cache.decide(key, verifier(accepted)));

        clock.advance(Duration.ofSeconds(29));
        assertTrue(cache.cached(key).isPresent());

        clock.advance(Duration.ofSeconds(1));
        assertTrue(cache.cached(key).isEmpty(), "an expired token's acceptance must not be served");
        join(cache.decide(key, verifier(accepted)));
        assertEquals(2, verifications.get());
    }

    @Test
    void keepsAnAcceptanceNoLongerThanTheMaximum() {
        DecisionKey key = key("device-1", "long-lived");
        join(cache.decide(key, verifier(new Decision(true, Optional.of(clock.instant().plus(Duration.ofDays(1)))))));

        clock.advance(MAX_POSITIVE.minusSeconds(1));
        assertTrue(cache.cached(key).isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(cache.cached(key).isEmpty());
    }

    @Test
    void doesNotServeAnAcceptanceOfAnAlreadyExpiredCredential() {
        DecisionKey key = key("device-1", "stale");
        join(cache.decide(key, verifier(new Decision(true, Optional.of(clock.instant().minusSeconds(1))))));

        assertTrue(cache.cached(key).isEmpty());
    }

    @Test
    void forgetsAFailedVerification() {
        DecisionKey key = key("device-1", "token-1");
        Function<DecisionKey, CompletionStage<Decision>> failing = k -> {
            verifications.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("authenticator down"));
        };
        Function<DecisionKey, CompletionStage<Decision>> throwing = k -> {
            verifications.incrementAndGet();
            throw new IllegalStateException("authenticator bug");
        };

        assertThrows(Exception.class, () -> join(cache.decide(key, failing)));
        assertThrows(Exception.class, () -> join(cache.decide(key, throwing)));
        join(cache.decide(key, verifier(new Decision(true, Optional.empty()))));

        assertEquals(3, verifications.get());
    }

    @Test
    void runsOneVerificationForAThousandSimultaneousRequests() throws Exception {
        // given a slow verifier held shut by a gate
        DecisionKey key = key("device-1", "token-1");
        CompletableFuture<Decision> gate = new CompletableFuture<>();
        Function<DecisionKey, CompletionStage<Decision>> slow = k -> {
            verifications.incrementAndGet();
            return gate;
        };

        // when a thousand CONNECTs with the same credential ask at once from 16 threads
        ExecutorService connects = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<CompletionStage<Decision>>> asked = new ArrayList<>();
        try {
            for (int i = 0; i < 1_000; i++) {
                asked.add(CompletableFuture.supplyAsync(() -> {
                    await(start);
                    return cache.decide(key, slow);
                }, connects));
            }
            start.countDown();
            List<CompletableFuture<Decision>> answers = new ArrayList<>();
            for (CompletableFuture<CompletionStage<Decision>> a : asked) {
                answers.add(a.get(10, TimeUnit.SECONDS).toCompletableFuture());
            }
            assertTrue(answers.stream().noneMatch(CompletableFuture::isDone), "all wait on the one verification");
            Decision accepted = new Decision(true, Optional.empty());
            gate.complete(accepted);

            // then the verifier ran once and every request got its answer
            for (CompletableFuture<Decision> answer : answers) {
                assertEquals(accepted, answer.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, verifications.get());
        } finally {
            connects.shutdownNow();
        }
    }

    @Test
    void aCallerCannotCompleteTheSharedAnswerForOthers() {
        DecisionKey key = key("device-1", "token-1");
        CompletableFuture<Decision> gate = new CompletableFuture<>();
        CompletableFuture<Decision> mine = cache.decide(key, k -> gate).toCompletableFuture();
        CompletableFuture<Decision> theirs = cache.decide(key, k -> gate).toCompletableFuture();

        mine.complete(new Decision(true, Optional.empty()));
        gate.complete(new Decision(false, Optional.empty()));

        assertFalse(theirs.join().accepted());
    }

    @Test
    void keysDependOnEveryInputButNeverHoldTheSecret() {
        String secret = "s3cret-password";
        DecisionKey key = cache.key(ACME, AuthMethod.PASSWORD, "device-1", bytes("user"), bytes(secret));

        assertEquals(key, cache.key(ACME, AuthMethod.PASSWORD, "device-1", bytes("user"), bytes(secret)));
        assertNotEquals(key, cache.key(ACME, AuthMethod.PASSWORD, "device-2", bytes("user"), bytes(secret)));
        assertNotEquals(key, cache.key(GLOBEX, AuthMethod.PASSWORD, "device-1", bytes("user"), bytes(secret)));
        assertNotEquals(key, cache.key(ACME, AuthMethod.JWT, "device-1", bytes("user"), bytes(secret)));
        assertNotEquals(key, cache.key(ACME, AuthMethod.PASSWORD, "device-1", bytes("user"), bytes("other")));
        assertNotEquals(cache.key(ACME, AuthMethod.PASSWORD, "d", bytes("ab"), bytes("c")),
            cache.key(ACME, AuthMethod.PASSWORD, "d", bytes("a"), bytes("bc")), "parts are not just concatenated");
        assertFalse(key.toString().contains(secret));
        assertFalse(key.digest().contains(Base64.getEncoder().withoutPadding().encodeToString(bytes(secret))));
    }

    @Test
    void keysDifferBetweenCacheInstancesSoDigestsCannotBePrecomputed() {
        AuthDecisionCache<Decision> other = AuthDecisionCache.create(AuthDecisionCache.Settings.DEFAULTS);

        assertNotEquals(cache.key(ACME, AuthMethod.JWT, "d", bytes("t")), other.key(ACME, AuthMethod.JWT, "d", bytes("t")));
    }

    @Test
    void forgetsOneTenantsDecisionsOnly() {
        DecisionKey acme = cache.key(ACME, AuthMethod.JWT, "device-1", bytes("t"));
        DecisionKey globex = cache.key(GLOBEX, AuthMethod.JWT, "device-1", bytes("t"));
        join(cache.decide(acme, verifier(new Decision(true, Optional.empty()))));
        join(cache.decide(globex, verifier(new Decision(true, Optional.empty()))));

        cache.invalidateTenant(ACME);

        assertTrue(cache.cached(acme).isEmpty());
        assertTrue(cache.cached(globex).isPresent());
    }

    @Test
    void staysWithinItsSizeUnderAStormOfDistinctCredentials() {
        AuthDecisionCache<Decision> small = new AuthDecisionCache<>(
            new AuthDecisionCache.Settings(100, MAX_POSITIVE, NEGATIVE), clock, ticker);

        for (int i = 0; i < 10_000; i++) {
            join(small.decide(small.key(ACME, AuthMethod.PASSWORD, "id-" + i, bytes("pw")),
                verifier(new Decision(false, Optional.empty()))));
        }
        small.cleanUp();

        assertTrue(small.estimatedSize() <= 100, "size " + small.estimatedSize());
    }

    @Test
    void refusesSettingsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new AuthDecisionCache.Settings(0, MAX_POSITIVE, NEGATIVE));
        assertThrows(IllegalArgumentException.class,
            () -> new AuthDecisionCache.Settings(10, Duration.ofDays(2), NEGATIVE));
        assertThrows(IllegalArgumentException.class,
            () -> new AuthDecisionCache.Settings(10, MAX_POSITIVE, Duration.ofSeconds(-1)));
    }

    // ----- helpers

    private DecisionKey key(String clientId, String credential) {
        return cache.key(ACME, AuthMethod.JWT, clientId, bytes(credential));
    }

    private Function<DecisionKey, CompletionStage<Decision>> verifier(Decision outcome) {
        return k -> {
            verifications.incrementAndGet();
            return CompletableFuture.completedFuture(outcome);
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("start signal never came");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
