package io.stratus.broker.auth.x509;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/** Reads X.509 certificates from PEM text: a listener's chain, a tenant's CA certificates. */
public final class PemCertificates {

    private PemCertificates() {
    }

    /**
     * @param pem one or more {@code -----BEGIN CERTIFICATE-----} blocks
     * @return the certificates, in the order written; at least one
     * @throws CertificateException if the text holds no certificate or one that cannot be read
     */
    public static List<X509Certificate> parse(byte[] pem) throws CertificateException {
        List<X509Certificate> certificates = CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(pem)).stream()
            .map(X509Certificate.class::cast)
            .toList();
        if (certificates.isEmpty()) {
            throw new CertificateException("no certificate in it");
        }
        return certificates;
    }
}
