package io.stratus.broker.auth.x509;

/**
 * Why a client certificate was refused. Suggested CONNACK codes: 5.0 0x87 Not authorized (the client
 * did present a credential; it is not good enough), 3.1.1 0x05.
 */
public enum X509Refusal {
    /** The client presented no certificate. */
    NO_CERTIFICATE,
    /** The leaf, an intermediate or the tenant CA is past its notAfter. */
    EXPIRED,
    /** The leaf, an intermediate or the tenant CA is before its notBefore. */
    NOT_YET_VALID,
    /** The chain does not lead to any of the tenant's CAs (another tenant's CA, a self-signed leaf). */
    UNTRUSTED,
    /** The chain is broken: a bad signature, an issuer that is not a CA, a path constraint violated. */
    INVALID_CHAIN,
    /** The leaf is itself a CA certificate. */
    LEAF_IS_CA,
    /** The leaf's key usage or extended key usage does not allow TLS client authentication. */
    WRONG_KEY_USAGE,
    /** The leaf or an intermediate is on the tenant's revocation list. */
    REVOKED,
    /** The configured identity field is missing, empty or occurs more than once. */
    NO_IDENTITY
}
