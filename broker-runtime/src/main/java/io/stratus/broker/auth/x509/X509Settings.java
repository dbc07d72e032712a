package io.stratus.broker.auth.x509;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * How one tenant's client certificates are checked. Immutable; revocations, which change while
 * connections live, are kept apart in the tenant's {@link RevocationList}.
 *
 * @param trustedCas the tenant's registered CA certificates; a client chain must lead to one of them
 * @param identity   which certificate field names the device
 */
public record X509Settings(List<X509Certificate> trustedCas, IdentitySource identity) {

    /** @throws IllegalArgumentException if there is no CA, or a registered certificate is not a CA */
    public X509Settings {
        Objects.requireNonNull(trustedCas, "x509 trusted CAs");
        Objects.requireNonNull(identity, "x509 identity source");
        trustedCas = List.copyOf(trustedCas);
        if (trustedCas.isEmpty()) {
            throw new IllegalArgumentException("x509 trusted CAs: at least one");
        }
        for (X509Certificate ca : trustedCas) {
            // A leaf registered as a CA would let whoever holds it vouch for any device.
            if (ca.getBasicConstraints() < 0) {
                throw new IllegalArgumentException("x509 trusted CAs: " + ca.getSubjectX500Principal().getName()
                    + " is not a CA certificate (basic constraints without cA)");
            }
        }
    }
}
