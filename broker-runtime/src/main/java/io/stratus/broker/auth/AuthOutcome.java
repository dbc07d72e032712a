package io.stratus.broker.auth;

import java.time.Instant;
import java.util.Optional;

/**
 * What one credential check decided. Each method's outcome type (JWT, X.509, password) implements
 * this so that one decision cache and one audit path can serve them all; callers pattern-match on the
 * concrete type for the details.
 */
public interface AuthOutcome {

    /** @return whether the credential was accepted */
    boolean accepted();

    /**
     * @return when an accepted credential stops being valid (a token's {@code exp}, a certificate's
     *         notAfter); empty when the credential itself does not expire (a password), and for refusals
     */
    Optional<Instant> expiresAt();

    /** An acceptance; by default of a credential that does not expire. */
    interface Accepting extends AuthOutcome {
        @Override
        default boolean accepted() {
            return true;
        }

        @Override
        default Optional<Instant> expiresAt() {
            return Optional.empty();
        }
    }

    /** A refusal. */
    interface Refusing extends AuthOutcome {
        @Override
        default boolean accepted() {
            return false;
        }

        @Override
        default Optional<Instant> expiresAt() {
            return Optional.empty();
        }
    }
}
