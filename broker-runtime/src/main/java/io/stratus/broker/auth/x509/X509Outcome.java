package io.stratus.broker.auth.x509;

import io.stratus.broker.auth.AuthOutcome;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/** What {@link X509Verifier} decided about one client certificate chain. */
public sealed interface X509Outcome extends AuthOutcome {

    /**
     * A chain that leads to one of the tenant's CAs, is valid now, is not revoked and names one device.
     *
     * @param identity   the device's name, from the configured {@link IdentitySource}
     * @param commonName the subject's CN, if it has exactly one (for {@code ${cert.cn}})
     * @param dnsNames   subjectAltName DNS names
     * @param uris       subjectAltName URIs
     * @param emails     subjectAltName e-mail addresses
     * @param subject    the leaf's subject
     * @param serial     the leaf's serial number
     * @param issuer     the leaf's issuer
     * @param notAfter   when the first certificate of the chain (leaf, intermediate or CA) expires
     * @param chain      issuer and serial of the leaf then each intermediate: the connection must close
     *                   when any of them is revoked
     * @param ca         the subject of the tenant CA the chain leads to
     */
    record Accepted(String identity, Optional<String> commonName, List<String> dnsNames, List<String> uris,
                    List<String> emails, X500Principal subject, BigInteger serial, X500Principal issuer,
                    Instant notAfter, List<CertificateSerial> chain, X500Principal ca) implements X509Outcome, AuthOutcome.Accepting {

        public Accepted {
            Objects.requireNonNull(identity, "identity");
            dnsNames = List.copyOf(dnsNames);
            uris = List.copyOf(uris);
            emails = List.copyOf(emails);
            chain = List.copyOf(chain);
        }

        /** @return whether {@code revoked} is the leaf or one of the intermediates */
        public boolean uses(CertificateSerial revoked) {
            return chain.contains(revoked);
        }

        @Override
        public Optional<Instant> expiresAt() {
            return Optional.of(notAfter);
        }
    }

    /** @param reason why; safe to log and to map to a reason code */
    record Refused(X509Refusal reason) implements X509Outcome, AuthOutcome.Refusing {

        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
