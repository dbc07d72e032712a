package io.stratus.broker.auth.cache;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureBackoffTest {

    private static final FailureBackoff.Settings SETTINGS = new FailureBackoff.Settings(3, Duration.ofSeconds(1),
        Duration.ofSeconds(8), 1_000, Duration.ofMinutes(10));

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final FailureBackoff<String> backoff = new FailureBackoff<>(SETTINGS, nanos::get);

    @Test
    void toleratesFailuresUpToTheThreshold() {
        backoff.recordFailure("device-1");
        backoff.recordFailure("device-1");

        assertFalse(backoff.isBlocked("device-1"));

        backoff.recordFailure("device-1");

        assertTrue(backoff.isBlocked("device-1"));
        assertEquals(Duration.ofSeconds(1), backoff.blockedFor("device-1"));
    }

    @Test
    void doublesTheDelayWithEachFurtherFailureUpToTheCap() {
        fail("device-1", 3);
        assertEquals(Duration.ofSeconds(1), backoff.blockedFor("device-1"));

        for (long expected : new long[] {2, 4, 8, 8, 8}) {
            advance(backoff.blockedFor("device-1"));
            assertFalse(backoff.isBlocked("device-1"), "allowed again once the delay is over");
            backoff.recordFailure("device-1");
            assertEquals(Duration.ofSeconds(expected), backoff.blockedFor("device-1"));
        }
    }

    @Test
    void countsDownWhileBlockedAndDoesNotCountRefusedAttempts() {
        fail("device-1", 3);

        advance(Duration.ofMillis(400));
        for (int i = 0; i < 50; i++) {
            assertTrue(backoff.isBlocked("device-1"));
        }

        assertEquals(Duration.ofMillis(600), backoff.blockedFor("device-1"));
        assertEquals(3, backoff.failures("device-1"));
    }

    @Test
    void successForgetsTheFailures() {
        fail("device-1", 5);

        backoff.recordSuccess("device-1");

        assertFalse(backoff.isBlocked("device-1"));
        assertEquals(0, backoff.failures("device-1"));
        fail("device-1", 2);
        assertFalse(backoff.isBlocked("device-1"), "the count starts again from zero");
    }

    @Test
    void forgetsFailuresAfterAQuietPeriod() {
        fail("device-1", 2);

        advance(SETTINGS.forgetAfter());

        assertEquals(0, backoff.failures("device-1"));
    }

    @Test
    void keepsKeysApart() {
        fail("device-1", 3);

        assertTrue(backoff.isBlocked("device-1"));
        assertFalse(backoff.isBlocked("device-2"));
    }

    @Test
    void staysWithinItsSizeUnderAStormOfDistinctKeys() {
        FailureBackoff<String> small = new FailureBackoff<>(new FailureBackoff.Settings(3, Duration.ofSeconds(1),
            Duration.ofSeconds(8), 100, Duration.ofMinutes(10)), nanos::get);

        for (int i = 0; i < 10_000; i++) {
            small.recordFailure("id-" + i);
        }
        small.cleanUp();

        assertTrue(small.estimatedSize() <= 100, "size " + small.estimatedSize());
    }

    @Test
    void neverOverflowsHoweverManyFailures() {
        assertEquals(SETTINGS.maxDelay(), backoff.delayAfter(Integer.MAX_VALUE));
    }

    @Test
    void refusesSettingsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new FailureBackoff.Settings(0, Duration.ofSeconds(1),
            Duration.ofSeconds(8), 10, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> new FailureBackoff.Settings(3, Duration.ofSeconds(10),
            Duration.ofSeconds(8), 10, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> new FailureBackoff.Settings(3, Duration.ofSeconds(1),
            Duration.ofSeconds(80), 10, Duration.ofSeconds(60)));
    }

    private void fail(String key, int times) {
        for (int i = 0; i < times; i++) {
            backoff.recordFailure(key);
        }
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }
}
