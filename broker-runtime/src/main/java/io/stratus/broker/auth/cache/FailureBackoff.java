package io.stratus.broker.auth.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Slows down whoever keeps failing to authenticate, before the authenticator is called.
 *
 * <p>After {@link Settings#threshold()} consecutive failures for one key (a client id, a remote
 * address), attempts are refused without a check for a delay that doubles with each further failure,
 * from {@link Settings#initialDelay()} up to {@link Settings#maxDelay()}. A refused attempt is not a
 * failure: a device retrying on a fixed interval gets in as soon as its delay is over and its
 * credential is good. Success forgets the key, and so does {@link Settings#forgetAfter()} without a
 * failure.
 *
 * <p>Suggested answer to a refused attempt: 5.0 CONNACK 0x9F Connection rate exceeded (it tells a
 * well-behaved client to slow down, and says nothing about the credential, which was not checked);
 * 3.1.1 has no such code, so 0x03 Server unavailable, which clients treat as try-again-later.
 *
 * <p>Keep one instance per key kind. By client id, someone guessing at a device's credential can
 * delay that device by at most {@code maxDelay}; by address, many devices behind one NAT share a key,
 * so give that instance a higher threshold. Size is bounded: a storm of distinct keys evicts the
 * least used entries rather than growing memory. Thread-safe.
 *
 * @param <K> what failures are counted by
 */
public final class FailureBackoff<K> {

    /**
     * @param threshold    consecutive failures tolerated before attempts are delayed
     * @param initialDelay the first delay
     * @param maxDelay     the longest delay
     * @param maximumSize  most keys tracked
     * @param forgetAfter  how long a key's failures are remembered after its last one
     */
    public record Settings(int threshold, Duration initialDelay, Duration maxDelay, long maximumSize,
                           Duration forgetAfter) {

        /** Per client id: 5 failures tolerated, then 1 s doubling to 60 s, 100,000 ids, forgotten after 10 min. */
        public static final Settings PER_CLIENT_ID = new Settings(5, Duration.ofSeconds(1), Duration.ofSeconds(60),
            100_000, Duration.ofMinutes(10));

        /** Per remote address: as per client id but 20 failures tolerated, for devices behind one NAT. */
        public static final Settings PER_ADDRESS = new Settings(20, Duration.ofSeconds(1), Duration.ofSeconds(60),
            100_000, Duration.ofMinutes(10));

        /** @throws IllegalArgumentException if a value is out of range */
        public Settings {
            if (threshold < 1 || maximumSize < 1) {
                throw new IllegalArgumentException("backoff threshold and maximum size must be at least 1");
            }
            if (initialDelay.isNegative() || initialDelay.isZero() || maxDelay.compareTo(initialDelay) < 0
                || maxDelay.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("backoff delays: 0 < initial <= max <= 1 day");
            }
            if (forgetAfter.compareTo(maxDelay) < 0) {
                throw new IllegalArgumentException("backoff forget-after must be at least the max delay");
            }
        }
    }

    /** One key's consecutive failures and, once past the threshold, the end of its delay. */
    private record State(int failures, long blockedUntilNanos) {
    }

    private final Settings settings;
    private final Ticker ticker;
    private final Cache<K, State> states;

    /** @param ticker measures delays ({@link Ticker#systemTicker()} outside tests) */
    public FailureBackoff(Settings settings, Ticker ticker) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.states = Caffeine.newBuilder()
            .maximumSize(settings.maximumSize())
            .expireAfterWrite(settings.forgetAfter().toNanos(), TimeUnit.NANOSECONDS)
            .ticker(ticker)
            .build();
    }

    /** @return how much longer attempts for {@code key} are refused; zero if they may go ahead */
    public Duration blockedFor(K key) {
        State s = states.getIfPresent(key);
        if (s == null || s.failures() < settings.threshold()) {
            return Duration.ZERO;
        }
        long left = s.blockedUntilNanos() - ticker.read();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** @return whether an attempt for {@code key} must be refused without calling the authenticator */
    public boolean isBlocked(K key) {
        return !blockedFor(key).isZero();
    }

    /** Counts a failed check for {@code key}; past the threshold, starts the next, longer delay. */
    public void recordFailure(K key) {
        states.asMap().compute(key, (k, s) -> {
            int failures = s == null ? 1 : s.failures() + 1;
            long blockedUntil = failures < settings.threshold() ? 0 : ticker.read() + delayAfter(failures).toNanos();
            return new State(failures, blockedUntil);
        });
    }

    /** Forgets {@code key}'s failures. */
    public void recordSuccess(K key) {
        states.invalidate(key);
    }

    /** @return {@code key}'s consecutive failures */
    public int failures(K key) {
        State s = states.getIfPresent(key);
        return s == null ? 0 : s.failures();
    }

    /** @return about how many keys are tracked */
    public long estimatedSize() {
        return states.estimatedSize();
    }

    /** Runs pending evictions now, so that tests can observe the size bound. */
    void cleanUp() {
        states.cleanUp();
    }

    /** @return the delay after the {@code failures}-th consecutive failure, at or past the threshold */
    Duration delayAfter(int failures) {
        int doublings = Math.min(failures - settings.threshold(), 30); // 2^30 s is past any cap
        Duration delay = settings.initialDelay().multipliedBy(1L << doublings);
        return delay.compareTo(settings.maxDelay()) > 0 ? settings.maxDelay() : delay;
    }
}
