package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import io.stratus.broker.auth.AuthOutcome;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What {@link JwtVerifier} decided about one token. */
public sealed interface JwtOutcome extends AuthOutcome {

    /**
     * A token whose signature, algorithm, times, issuer, audience and client id binding all check out.
     *
     * @param subject   the {@code sub} claim, if any
     * @param expiry    the {@code exp} claim: the broker closes the connection then (5.0: DISCONNECT
     *                  0x87) unless the client re-authenticates with a fresh token
     * @param clientId  the client id claim's value, if a claim is configured and holds a string
     * @param username  the user name claim's value, if a claim is configured and holds a string
     * @param claims    every claim as JSON values (String, Boolean, Long or Double, List, Map, null),
     *                  immutable, with times as seconds since the epoch; for ACL variables
     *                  {@code ${jwt.claims.NAME}}
     * @param algorithm the algorithm that signed the token
     * @param keyId     the {@code kid} header, if any
     */
    record Accepted(Optional<String> subject, Instant expiry, Optional<String> clientId, Optional<String> username,
                    Map<String, Object> claims, JWSAlgorithm algorithm, Optional<String> keyId)
        implements JwtOutcome, AuthOutcome.Accepting {

        public Accepted {
            Objects.requireNonNull(expiry, "expiry");
            Objects.requireNonNull(claims, "claims");
        }

        @Override
        public Optional<Instant> expiresAt() {
            return Optional.of(expiry);
        }
    }

    /**
     * A token that did not check out.
     *
     * @param reason why; safe to log and to map to a reason code
     */
    record Refused(JwtRefusal reason) implements JwtOutcome, AuthOutcome.Refusing {

        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
