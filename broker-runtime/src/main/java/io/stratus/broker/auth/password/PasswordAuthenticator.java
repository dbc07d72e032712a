package io.stratus.broker.auth.password;

import io.stratus.broker.auth.password.PasswordOutcome.Accepted;
import io.stratus.broker.auth.password.PasswordOutcome.Refused;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Checks a CONNECT's user name and password against a tenant's {@link StaticPasswordDirectory}.
 *
 * <p>An unknown user costs a full hash check too (against a stand-in hash), so response time does not
 * tell an attacker which user names exist. Thread-safe.
 */
public final class PasswordAuthenticator {

    private static final byte[] NO_PASSWORD = new byte[0];

    private final StaticPasswordDirectory directory;
    private final PasswordHasher hasher;
    private final PhcHash standIn;

    /**
     * @param directory the tenant's users
     * @param hasher    runs the checks on its executor; building this authenticator hashes once with it
     *                  on the calling thread (tens of milliseconds)
     */
    public PasswordAuthenticator(StaticPasswordDirectory directory, PasswordHasher hasher) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        try {
            this.standIn = PhcHash.parse(hasher.hashNow("stand-in for unknown users".getBytes(StandardCharsets.UTF_8)));
        } catch (MalformedHashException e) {
            throw new IllegalStateException("the hasher produced an unparsable hash", e);
        }
    }

    /**
     * @param username the CONNECT's user name, or {@code null}
     * @param password the CONNECT's password, or {@code null}
     * @return the outcome; fails only if the hasher's executor refuses the work
     */
    public CompletionStage<PasswordOutcome> authenticate(String username, byte[] password) {
        Optional<PhcHash> stored = directory.hashOf(username);
        byte[] given = password == null ? NO_PASSWORD : password;
        return hasher.verify(given, stored.orElse(standIn)).thenApply(match -> {
            if (stored.isEmpty()) {
                return new Refused(PasswordRefusal.UNKNOWN_USER);
            }
            return match && password != null ? new Accepted(username) : new Refused(PasswordRefusal.WRONG_PASSWORD);
        });
    }
}
