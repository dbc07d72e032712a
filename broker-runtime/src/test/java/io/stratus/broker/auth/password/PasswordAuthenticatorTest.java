package io.stratus.broker.auth.password;

import io.stratus.broker.auth.password.PasswordOutcome.Accepted;
import io.stratus.broker.auth.password.PasswordOutcome.Refused;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static io.stratus.broker.auth.password.PasswordHasherTest.TEST_COST;
import static io.stratus.broker.auth.password.PasswordHasherTest.bytes;
import static io.stratus.broker.auth.password.PasswordHasherTest.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordAuthenticatorTest {

    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final AtomicInteger checks = new AtomicInteger();
    private final PasswordHasher hasher = new PasswordHasher(TEST_COST, r -> {
        checks.incrementAndGet();
        pool.execute(r);
    }, new SecureRandom());

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void acceptsTheRightPasswordAndRefusesAWrongOne() {
        PasswordAuthenticator auth = authenticator(Map.of("sensor-1", hasher.hashNow(bytes("pw-1"))));

        assertEquals(new Accepted("sensor-1"), join(auth.authenticate("sensor-1", bytes("pw-1"))));
        assertEquals(new Refused(PasswordRefusal.WRONG_PASSWORD), join(auth.authenticate("sensor-1", bytes("pw-2"))));
        assertEquals(new Refused(PasswordRefusal.WRONG_PASSWORD), join(auth.authenticate("sensor-1", null)));
    }

    @Test
    void spendsAFullCheckOnAnUnknownUser() {
        PasswordAuthenticator auth = authenticator(Map.of("sensor-1", hasher.hashNow(bytes("pw-1"))));
        checks.set(0);

        PasswordOutcome unknown = join(auth.authenticate("sensor-9", bytes("pw-1")));
        PasswordOutcome anonymous = join(auth.authenticate(null, bytes("pw-1")));

        assertEquals(new Refused(PasswordRefusal.UNKNOWN_USER), unknown);
        assertEquals(new Refused(PasswordRefusal.UNKNOWN_USER), anonymous);
        assertEquals(2, checks.get(), "an unknown user costs a hash check like a known one");
    }

    @Test
    void directoryRefusesAnUnusableHashNamingTheUserNotTheHash() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> StaticPasswordDirectory.parse(Map.of("sensor-1", "hunter2")));

        assertTrue(e.getMessage().contains("sensor-1"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    private PasswordAuthenticator authenticator(Map<String, String> users) {
        return new PasswordAuthenticator(StaticPasswordDirectory.parse(users), hasher);
    }
}
