package io.stratus.broker.auth.x509;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate's identity for revocation: its issuer and serial number. A serial is unique only
 * within its issuer [RFC 5280 §4.1.2.2], so the two always travel together. {@link X500Principal}
 * compares names in canonical form, so spelling differences in the issuer do not matter.
 *
 * @param issuer the issuing CA's distinguished name
 * @param serial the serial number the issuer gave the certificate
 */
public record CertificateSerial(X500Principal issuer, BigInteger serial) {

    public CertificateSerial {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(serial, "serial");
    }

    /** @return the issuer and serial of {@code certificate} */
    public static CertificateSerial of(X509Certificate certificate) {
        return new CertificateSerial(certificate.getIssuerX500Principal(), certificate.getSerialNumber());
    }

    @Override
    public String toString() {
        return serial.toString(16) + " from " + issuer.getName();
    }
}
