package io.stratus.broker.auth.x509;

/**
 * Which part of a client certificate names the device. The chosen field must occur exactly once:
 * a certificate naming two devices names none.
 */
public enum IdentitySource {
    /** The subject's common name (CN). */
    CN,
    /** A subjectAltName dNSName. */
    SAN_DNS,
    /** A subjectAltName uniformResourceIdentifier (SPIFFE ids, URNs). */
    SAN_URI,
    /** A subjectAltName rfc822Name. */
    SAN_EMAIL
}
