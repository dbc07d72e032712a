package io.stratus.broker.auth.jwt;

/**
 * Why a JWT was refused. Suggested CONNACK codes: {@link #KEYS_UNAVAILABLE} is the broker's problem,
 * not the client's: 5.0 0x88 Server unavailable, 3.1.1 0x03; every other reason is the credential's:
 * 5.0 0x86 Bad user name or password (or 0x87 Not authorized for {@link #CLIENT_ID_MISMATCH}),
 * 3.1.1 0x04 (0x05).
 */
public enum JwtRefusal {
    /** {@code exp} lies in the past by more than the allowed skew. */
    EXPIRED,
    /** {@code nbf} or {@code iat} lies in the future by more than the allowed skew. */
    NOT_YET_VALID,
    /** No candidate key verifies the signature. */
    BAD_SIGNATURE,
    /** {@code iss} is missing or not the tenant's issuer. */
    WRONG_ISSUER,
    /** {@code aud} is missing or names none of the tenant's audiences. */
    WRONG_AUDIENCE,
    /** The {@code alg} header is none, HMAC, unknown or not allowed for the tenant. */
    ALG_NOT_ALLOWED,
    /**
     * Not a compact JWS with a JSON claims set: wrong structure, bad encoding, a claim of the wrong
     * type, a missing {@code exp}, an unknown critical header, or too long.
     */
    MALFORMED,
    /** No key of the token's key id and algorithm is known, even after a refresh of the key set. */
    UNKNOWN_KEY,
    /** The client id claim is missing or differs from the CONNECT's client id. */
    CLIENT_ID_MISMATCH,
    /** The tenant's key set could not be fetched and none was fetched before. */
    KEYS_UNAVAILABLE
}
