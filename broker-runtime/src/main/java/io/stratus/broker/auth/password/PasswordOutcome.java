package io.stratus.broker.auth.password;

import io.stratus.broker.auth.AuthOutcome;

import java.util.Objects;

/** What {@link PasswordAuthenticator} decided about one user name and password. */
public sealed interface PasswordOutcome extends AuthOutcome {

    /** @param username the user the password belongs to */
    record Accepted(String username) implements PasswordOutcome, AuthOutcome.Accepting {

        public Accepted {
            Objects.requireNonNull(username, "username");
        }
    }

    /** @param reason why; for the audit log only */
    record Refused(PasswordRefusal reason) implements PasswordOutcome, AuthOutcome.Refusing {

        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
