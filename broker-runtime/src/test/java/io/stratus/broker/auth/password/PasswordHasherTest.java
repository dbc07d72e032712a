package io.stratus.broker.auth.password;

import io.stratus.broker.auth.password.PasswordHasher.Argon2Cost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordHasherTest {

    /** Cheap enough for many test hashes; the format and the code path are the same as at full cost. */
    static final Argon2Cost TEST_COST = new Argon2Cost(1024, 1, 1);

    /** A well-formed hash for tests that never get as far as checking it. */
    private static final PhcHash ANY_HASH =
        new PhcHash.Pbkdf2Sha256(1000, "c29tZXNhbHQ", "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc");

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicInteger tasks = new AtomicInteger();
    private final List<String> workerThreads = new CopyOnWriteArrayList<>();
    private final PasswordHasher hasher = new PasswordHasher(TEST_COST, r -> {
        tasks.incrementAndGet();
        pool.execute(() -> {
            workerThreads.add(Thread.currentThread().getName());
            r.run();
        });
    }, new SecureRandom());

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void hashesToArgon2idPhcThatVerifiesOnlyTheSamePassword() {
        String phc = join(hasher.hash(bytes("correct horse")));

        assertTrue(phc.startsWith("$argon2id$v=19$m=1024,t=1,p=1$"), phc);
        assertTrue(join(hasher.verify(bytes("correct horse"), phc)));
        assertFalse(join(hasher.verify(bytes("correct horsf"), phc)));
        assertFalse(join(hasher.verify(new byte[0], phc)));
    }

    @Test
    void hashesWithTheOwaspCostByDefault() {
        PasswordHasher owasp = new PasswordHasher(Argon2Cost.OWASP, pool, new SecureRandom());

        String phc = owasp.hashNow(bytes("pw"));

        assertTrue(phc.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), phc);
        assertTrue(join(owasp.verify(bytes("pw"), phc)));
    }

    @Test
    void saltsEveryHash() {
        assertNotEquals(hasher.hashNow(bytes("same")), hasher.hashNow(bytes("same")));
    }

    @Test
    void verifiesTheArgon2ReferenceVectors() {
        // from the reference implementation's tests (phc-winner-argon2, src/test.c)
        List<String> reference = List.of(
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4");

        for (String phc : reference) {
            assertTrue(join(hasher.verify(bytes("password"), phc)), phc);
            assertFalse(join(hasher.verify(bytes("passwore"), phc)), phc);
        }
    }

    @Test
    void verifiesPbkdf2HashComputedByTheJdk() throws Exception {
        // given a PBKDF2-HMAC-SHA256 hash made independently with the JDK's implementation
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] derived = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
            .generateSecret(new PBEKeySpec("s3cret-é".toCharArray(), salt, 10_000, 256)).getEncoded();
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        String phc = "$pbkdf2-sha256$i=10000$" + b64.encodeToString(salt) + "$" + b64.encodeToString(derived);
        String passlib = "$pbkdf2-sha256$10000$" + b64.encodeToString(salt).replace('+', '.') + "$"
            + b64.encodeToString(derived).replace('+', '.');

        // then the UTF-8 bytes of the same password verify, in PHC and passlib notation alike
        assertTrue(join(hasher.verify(bytes("s3cret-é"), phc)));
        assertTrue(join(hasher.verify(bytes("s3cret-é"), passlib)));
        assertFalse(join(hasher.verify(bytes("s3cret-e"), phc)));
    }

    @Test
    void answersFalseForMalformedStoredHashesWithoutThrowing() {
        for (String bad : malformed()) {
            assertFalse(join(hasher.verify(bytes("password"), bad)), bad);
        }
    }

    @Test
    void explainsMalformedHashesWithoutQuotingThem() {
        for (String bad : malformed()) {
            MalformedHashException e = assertThrows(MalformedHashException.class, () -> PhcHash.parse(bad), bad);
            assertFalse(e.getMessage().isBlank());
            if (bad.length() > 12) {
                assertFalse(e.getMessage().contains(bad), e.getMessage());
            }
        }
    }

    @Test
    void refusesParametersThatWouldMakeOneCheckTooExpensive() {
        MalformedHashException e = assertThrows(MalformedHashException.class,
            () -> PhcHash.parse("$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"));

        assertTrue(e.getMessage().contains("m=4194304"), e.getMessage());
    }

    @Test
    void formatsWhatItParses() throws Exception {
        String phc = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";

        assertEquals(phc, PhcHash.parse(phc).format());
    }

    @Test
    void runsEveryCheckOnTheGivenExecutor() {
        String phc = hasher.hashNow(bytes("pw"));

        assertTrue(join(hasher.verify(bytes("pw"), phc)));

        assertEquals(1, tasks.get());
        assertEquals(1, workerThreads.size());
        assertNotEquals(Thread.currentThread().getName(), workerThreads.get(0));
    }

    @Test
    void failsTheStageWhenTheExecutorRefusesWork() {
        PasswordHasher saturated = new PasswordHasher(TEST_COST, r -> {
            throw new RejectedExecutionException("full");
        }, new SecureRandom());

        CompletionException e = assertThrows(CompletionException.class,
            () -> saturated.verify(bytes("pw"), ANY_HASH).toCompletableFuture().join());
        assertInstanceOf(RejectedExecutionException.class, e.getCause());
    }

    @Test
    void comparesHashesWithTheConstantTimeComparison() {
        byte[] a = {1, 2, 3, 4};

        assertTrue(PasswordHasher.constantTimeEquals(a, new byte[] {1, 2, 3, 4}));
        assertFalse(PasswordHasher.constantTimeEquals(a, new byte[] {1, 2, 3, 5}));
        assertFalse(PasswordHasher.constantTimeEquals(a, new byte[] {1, 2, 3}));
    }

    // ----- helpers

    private static List<String> malformed() {
        return List.of("", "plaintext-password", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=abc,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1$c29t$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$not*base64",
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ",
            "$pbkdf2-sha256$i=10$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$pbkdf2-sha256$i=99999999999$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$pbkdf2-sha1$29000$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
