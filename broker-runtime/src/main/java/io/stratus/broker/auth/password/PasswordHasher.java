package io.stratus.broker.auth.password;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Hashes passwords with Argon2id and checks them against stored PHC strings (Argon2id or
 * PBKDF2-HMAC-SHA256).
 *
 * <p>Each check is deliberately slow (tens of milliseconds at the default cost), so it never runs on
 * the caller's thread: it runs on the executor given here, which should be a small bounded pool apart
 * from the event loops, and the result is a stage. Hashes are compared in constant time
 * ({@link MessageDigest#isEqual}). Passwords are handled as bytes, as MQTT carries them: PBKDF2 runs on
 * BouncyCastle's byte-oriented generator, because the JDK's {@code PBKDF2WithHmacSHA256} takes
 * characters and would map different invalid UTF-8 byte strings to the same password. Both agree on
 * every UTF-8 password.
 *
 * <p>Thread-safe.
 */
public final class PasswordHasher {

    private static final Logger LOG = LoggerFactory.getLogger(PasswordHasher.class);

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    /**
     * The Argon2id cost of new hashes.
     *
     * @param memoryKiB   memory per hash, in KiB
     * @param iterations  passes over the memory
     * @param parallelism lanes
     */
    public record Argon2Cost(int memoryKiB, int iterations, int parallelism) {

        /**
         * OWASP's first Argon2id recommendation (19 MiB, 2 passes, 1 lane): about 30-40 ms per hash or
         * check on one core of the machines this was measured on.
         */
        public static final Argon2Cost OWASP = new Argon2Cost(19 * 1024, 2, 1);

        /** @throws IllegalArgumentException if the cost is outside what {@link PhcHash} accepts */
        public Argon2Cost {
            if (parallelism < 1 || parallelism > PhcHash.Argon2id.MAX_PARALLELISM
                || memoryKiB < 8 * parallelism || memoryKiB > PhcHash.Argon2id.MAX_MEMORY_KIB
                || iterations < 1 || iterations > PhcHash.Argon2id.MAX_ITERATIONS) {
                throw new IllegalArgumentException("argon2id cost out of range: m=" + memoryKiB + ",t=" + iterations
                    + ",p=" + parallelism);
            }
        }
    }

    private final Argon2Cost cost;
    private final Executor executor;
    private final SecureRandom random;

    /**
     * @param cost     the cost of new hashes (checks use the cost stored in each hash)
     * @param executor where hashing and checking run; never an event loop
     * @param random   the source of salts
     */
    public PasswordHasher(Argon2Cost cost, Executor executor, SecureRandom random) {
        this.cost = Objects.requireNonNull(cost, "cost");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Hashes a password on the executor.
     *
     * @return the PHC string of a fresh Argon2id hash with a random salt
     */
    public CompletionStage<String> hash(byte[] password) {
        byte[] copy = password.clone();
        return run(() -> {
            try {
                return hashNow(copy);
            } finally {
                Arrays.fill(copy, (byte) 0);
            }
        });
    }

    /**
     * Hashes a password on the calling thread, for tools and set-up code; it takes tens of
     * milliseconds, so never call it on an event loop.
     *
     * @return the PHC string of a fresh Argon2id hash with a random salt
     */
    public String hashNow(byte[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        // derive reads only the parameters and salt of the PhcHash it is given, not its hash.
        String salt64 = PhcHash.encode(salt);
        PhcHash.Argon2id parameters = new PhcHash.Argon2id(cost.memoryKiB(), cost.iterations(), cost.parallelism(),
            salt64, PhcHash.encode(new byte[HASH_BYTES]));
        byte[] hash = derive(password, parameters, HASH_BYTES);
        return new PhcHash.Argon2id(cost.memoryKiB(), cost.iterations(), cost.parallelism(), salt64,
            PhcHash.encode(hash)).format();
    }

    /**
     * Checks a password against a stored PHC string on the executor.
     *
     * @return true if it matches; false if it does not or the stored string is malformed (which is
     *         logged, without the string: {@link PhcHash#parse} tells configuration code why). The stage
     *         fails only if the executor refuses the work.
     */
    public CompletionStage<Boolean> verify(byte[] password, String stored) {
        PhcHash hash;
        try {
            hash = PhcHash.parse(stored);
        } catch (MalformedHashException e) {
            LOG.warn("stored password hash is unusable: {}", e.getMessage());
            return CompletableFuture.completedStage(false);
        }
        return verify(password, hash);
    }

    /**
     * Checks a password against a parsed hash on the executor.
     *
     * @return whether it matches; fails only if the executor refuses the work
     */
    public CompletionStage<Boolean> verify(byte[] password, PhcHash stored) {
        byte[] copy = password.clone();
        return run(() -> {
            try {
                return matches(copy, stored);
            } finally {
                Arrays.fill(copy, (byte) 0);
            }
        });
    }

    /** The check itself, on the calling thread. */
    static boolean matches(byte[] password, PhcHash stored) {
        byte[] expected = stored.hashBytes();
        byte[] actual = derive(password, stored, expected.length);
        return constantTimeEquals(actual, expected);
    }

    /** Takes the same time wherever the arrays first differ, so timing reveals nothing of the hash. */
    static boolean constantTimeEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    private static byte[] derive(byte[] password, PhcHash stored, int length) {
        byte[] out = new byte[length];
        if (stored instanceof PhcHash.Argon2id a) {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(a.memoryKiB())
                .withIterations(a.iterations())
                .withParallelism(a.parallelism())
                .withSalt(a.saltBytes())
                .build());
            generator.generateBytes(password, out);
        } else if (stored instanceof PhcHash.Pbkdf2Sha256 p) {
            PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(new SHA256Digest());
            generator.init(password, p.saltBytes(), p.iterations());
            byte[] key = ((KeyParameter) generator.generateDerivedParameters(length * 8)).getKey();
            System.arraycopy(key, 0, out, 0, length);
        }
        return out;
    }

    private <T> CompletionStage<T> run(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RuntimeException rejected) {
            return CompletableFuture.failedStage(rejected);
        }
    }
}
