package io.stratus.broker.auth.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.stratus.broker.auth.AuthMethod;
import io.stratus.broker.auth.AuthOutcome;
import io.stratus.broker.tenant.TenantId;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers authentication decisions so that a reconnecting fleet does not re-run slow checks (a
 * password hash, a plugin call) for every CONNECT.
 *
 * <ul>
 *   <li>An acceptance lives until the credential's own expiry ({@link AuthOutcome#expiresAt()}: a
 *       token's {@code exp}, a certificate's notAfter) or {@link Settings#maxPositiveTtl()}, whichever
 *       comes first.</li>
 *   <li>A refusal lives {@link Settings#negativeTtl()}: long enough to absorb a storm of retries with a
 *       bad credential, short enough that a fixed credential works soon.</li>
 *   <li>Concurrent requests for the same key share one check: a thousand devices reconnecting with the
 *       same credential cause one verification.</li>
 *   <li>A check that fails (its stage completes exceptionally) is not remembered.</li>
 *   <li>Size is bounded ({@link Settings#maximumSize()}); a storm of distinct credentials evicts old
 *       entries instead of growing memory.</li>
 * </ul>
 *
 * <p>Decisions depend on tenant state (keys, CAs, revocations, password directories): call
 * {@link #invalidateTenant} when it changes. Thread-safe.
 *
 * @param <O> the outcome type of the method this cache serves
 */
public final class AuthDecisionCache<O extends AuthOutcome> {

    /**
     * @param maximumSize    most decisions kept
     * @param maxPositiveTtl longest an acceptance is kept
     * @param negativeTtl    how long a refusal is kept
     */
    public record Settings(long maximumSize, Duration maxPositiveTtl, Duration negativeTtl) {

        private static final Duration MAX_TTL = Duration.ofDays(1);

        /** 100,000 decisions, acceptances up to 5 minutes, refusals 5 seconds. */
        public static final Settings DEFAULTS = new Settings(100_000, Duration.ofMinutes(5), Duration.ofSeconds(5));

        /** @throws IllegalArgumentException if a value is out of range */
        public Settings {
            if (maximumSize < 1) {
                throw new IllegalArgumentException("auth cache maximum size must be at least 1: " + maximumSize);
            }
            for (Duration ttl : new Duration[] {maxPositiveTtl, negativeTtl}) {
                if (ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0) {
                    throw new IllegalArgumentException("auth cache ttl " + ttl + " is out of range; allowed: 0 to 1 day");
                }
            }
        }
    }

    private static final String HMAC = "HmacSHA256";

    private final AsyncCache<DecisionKey, O> cache;
    private final SecretKeySpec digestKey;

    /**
     * @param settings size and lifetimes
     * @param clock    the time credential expiries are compared with
     * @param ticker   measures entry ages ({@link Ticker#systemTicker()} outside tests)
     */
    public AuthDecisionCache(Settings settings, Clock clock, Ticker ticker) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        this.cache = Caffeine.newBuilder()
            .maximumSize(settings.maximumSize())
            .ticker(ticker)
            .expireAfter(new Lifetime<O>(settings, clock))
            .buildAsync();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.digestKey = new SecretKeySpec(key, HMAC);
    }

    /** A cache on the system clock and ticker. */
    public static <O extends AuthOutcome> AuthDecisionCache<O> create(Settings settings) {
        return new AuthDecisionCache<>(settings, Clock.systemUTC(), Ticker.systemTicker());
    }

    /**
     * Builds the key for a decision. Give every input the decision depends on besides the tenant's
     * settings: the client id, and the credential's parts (user name and password; the token; the leaf
     * certificate's encoding).
     *
     * @param clientId   the CONNECT's client id ({@code null} is the same as empty)
     * @param credential the credential's parts, in a fixed order per method; {@code null} parts are empty
     */
    public DecisionKey key(TenantId tenant, AuthMethod method, String clientId, byte[]... credential) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(digestKey);
            // Each part is length-prefixed, so ("ab", "c") and ("a", "bc") never share a digest.
            part(mac, (clientId == null ? "" : clientId).getBytes(StandardCharsets.UTF_8));
            for (byte[] p : credential) {
                part(mac, p == null ? new byte[0] : p);
            }
            return new DecisionKey(tenant, method, Base64.getEncoder().withoutPadding().encodeToString(mac.doFinal()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * Answers from the cache, joins a check already under way for the same key, or runs
     * {@code verifier} and remembers its outcome.
     *
     * @param verifier the real check; called at most once per key at a time
     * @return the decision; fails if the check failed (and then nothing is remembered)
     */
    public CompletionStage<O> decide(DecisionKey key, Function<DecisionKey, ? extends CompletionStage<O>> verifier) {
        CompletableFuture<O> shared = cache.get(key, (k, executor) -> {
            try {
                return verifier.apply(k).toCompletableFuture();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
        return shared.minimalCompletionStage(); // a caller cannot complete or cancel what others wait on
    }

    /** @return the remembered decision for {@code key}, if there is a finished one */
    public Optional<O> cached(DecisionKey key) {
        CompletableFuture<O> f = cache.getIfPresent(key);
        return f != null && f.isDone() && !f.isCompletedExceptionally() ? Optional.of(f.join()) : Optional.empty();
    }

    public void invalidate(DecisionKey key) {
        cache.synchronous().invalidate(key);
    }

    /** Forgets every decision about {@code tenant}, after its keys, CAs, revocations or users change. */
    public void invalidateTenant(TenantId tenant) {
        cache.asMap().keySet().removeIf(k -> k.tenant().equals(tenant));
    }

    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    /** @return about how many decisions are kept */
    public long estimatedSize() {
        return cache.synchronous().estimatedSize();
    }

    /** Runs pending evictions now, so that tests can observe the size bound. */
    void cleanUp() {
        cache.synchronous().cleanUp();
    }

    private static void part(Mac mac, byte[] bytes) {
        mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
        mac.update(bytes);
    }

    /** Acceptances until the credential expires (capped); refusals briefly. */
    private static final class Lifetime<O extends AuthOutcome> implements Expiry<DecisionKey, O> {
        private final Settings settings;
        private final Clock clock;

        Lifetime(Settings settings, Clock clock) {
            this.settings = settings;
            this.clock = clock;
        }

        @Override
        public long expireAfterCreate(DecisionKey key, O outcome, long currentTime) {
            if (!outcome.accepted()) {
                return settings.negativeTtl().toNanos();
            }
            Duration ttl = settings.maxPositiveTtl();
            Optional<Instant> expiry = outcome.expiresAt();
            if (expiry.isPresent()) {
                Duration left = Duration.between(clock.instant(), expiry.get());
                if (left.compareTo(ttl) < 0) {
                    ttl = left.isNegative() ? Duration.ZERO : left;
                }
            }
            return ttl.toNanos();
        }

        @Override
        public long expireAfterUpdate(DecisionKey key, O outcome, long currentTime, long currentDuration) {
            return expireAfterCreate(key, outcome, currentTime);
        }

        @Override
        public long expireAfterRead(DecisionKey key, O outcome, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
