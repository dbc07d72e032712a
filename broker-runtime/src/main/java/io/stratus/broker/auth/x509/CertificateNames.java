package io.stratus.broker.auth.x509;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The names a certificate gives its subject: common names and the DNS, URI and e-mail subject
 * alternative names.
 *
 * @param commonNames every CN in the subject (usually one)
 * @param dnsNames    subjectAltName dNSName entries
 * @param uris        subjectAltName uniformResourceIdentifier entries
 * @param emails      subjectAltName rfc822Name entries
 */
record CertificateNames(List<String> commonNames, List<String> dnsNames, List<String> uris, List<String> emails) {

    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    /** @throws CertificateParsingException if the subjectAltName extension cannot be decoded */
    static CertificateNames of(X509Certificate certificate) throws CertificateParsingException {
        List<String> cns = new ArrayList<>();
        X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        for (RDN rdn : subject.getRDNs(BCStyle.CN)) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                if (atv.getType().equals(BCStyle.CN)) {
                    cns.add(text(atv.getValue()));
                }
            }
        }
        List<String> dns = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                if (san.size() == 2 && san.get(0) instanceof Integer type && san.get(1) instanceof String value) {
                    switch (type) {
                        case SAN_DNS -> dns.add(value);
                        case SAN_URI -> uris.add(value);
                        case SAN_EMAIL -> emails.add(value);
                        default -> { } // IP addresses, directory names and others name no device here
                    }
                }
            }
        }
        return new CertificateNames(List.copyOf(cns), List.copyOf(dns), List.copyOf(uris), List.copyOf(emails));
    }

    /** @return the one non-empty value of {@code source}; empty if it has none or several */
    Optional<String> identity(IdentitySource source) {
        List<String> values = switch (source) {
            case CN -> commonNames;
            case SAN_DNS -> dnsNames;
            case SAN_URI -> uris;
            case SAN_EMAIL -> emails;
        };
        return values.size() == 1 && !values.get(0).isEmpty() ? Optional.of(values.get(0)) : Optional.empty();
    }

    /** @return the common name if the subject has exactly one */
    Optional<String> commonName() {
        return commonNames.size() == 1 ? Optional.of(commonNames.get(0)) : Optional.empty();
    }

    /** The attribute's own text, not the escaped form a distinguished name string would use. */
    private static String text(ASN1Encodable value) {
        return value instanceof ASN1String s ? s.getString() : IETFUtils.valueToString(value);
    }
}
