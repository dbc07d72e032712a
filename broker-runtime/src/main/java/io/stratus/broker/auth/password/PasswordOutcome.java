package io.stratus.broker.auth.password;

import io.stratus.broker.auth.AuthOutcome;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** What {@link PasswordAuthenticator} decided about one user name and password. */
public sealed interface PasswordOutcome extends AuthOutcome {

    /** @param username the user the password belongs to */
    record Accepted(String username) implements PasswordOutcome {

        public Accepted {
            Objects.requireNonNull(username, "username");
        }

        @Override
        public boolean accepted() {
            return true;
        }

        @Override
        public Optional<Instant> expiresAt() {
            return Optional.empty();
        }
    }

    /** @param reason why; for the audit log only */
    record Refused(PasswordRefusal reason) implements PasswordOutcome {

        public Refused {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public boolean accepted() {
            return false;
        }

        @Override
        public Optional<Instant> expiresAt() {
            return Optional.empty();
        }
    }
}
