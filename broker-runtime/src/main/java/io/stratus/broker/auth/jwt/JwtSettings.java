package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.JWSAlgorithm;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How one tenant's JWTs are checked. Immutable; the tenant directory builds one per tenant and a
 * {@link JwtVerifier} per settings.
 *
 * <p>Only asymmetric algorithms exist here: a tenant registers public keys, so a token signed with an
 * HMAC algorithm could only have been made by treating a public key as a shared secret (the classic
 * key-confusion attack). {@code none} is never accepted either.
 *
 * @param issuer            the exact {@code iss} every token must carry
 * @param audiences         the audiences this broker answers to; a token's {@code aud} must contain at
 *                          least one of them. Not empty: a token minted for another service must not
 *                          open a connection here
 * @param allowedAlgorithms the {@code alg} header values accepted, a subset of {@link #SUPPORTED_ALGORITHMS}
 * @param keys              where the verification keys come from: a JWKS URL or static public keys
 * @param maxClockSkew      tolerance applied to {@code exp}, {@code nbf} and {@code iat}; 0 to
 *                          {@link #MAX_CLOCK_SKEW}
 * @param clientIdClaim     the claim that names the client id, or {@code null} (or empty) to bind none
 * @param clientIdMustMatch whether the CONNECT's client id must equal {@code clientIdClaim}'s value
 * @param usernameClaim     a claim whose value is reported as the user name (for ACL variables), or
 *                          {@code null} for none
 */
public record JwtSettings(String issuer, Set<String> audiences, Set<JWSAlgorithm> allowedAlgorithms, JwtKeys keys,
                          Duration maxClockSkew, String clientIdClaim, boolean clientIdMustMatch,
                          String usernameClaim) {

    /** Every algorithm the verifier can check: RSA PKCS#1 v1.5, RSA-PSS, ECDSA on P-256/384/521, EdDSA. */
    public static final Set<JWSAlgorithm> SUPPORTED_ALGORITHMS = Set.of(
        JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
        JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
        JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
        JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519, JWSAlgorithm.Ed448);

    /** The algorithms accepted unless a tenant narrows them: all of RS*, PS*, ES* and EdDSA. */
    public static final Set<JWSAlgorithm> DEFAULT_ALGORITHMS = Set.of(
        JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
        JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
        JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
        JWSAlgorithm.EdDSA);

    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

    /** Beyond five minutes a skew stops being clock drift and starts extending every token's life. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(300);

    public static final String DEFAULT_CLIENT_ID_CLAIM = "sub";

    /** @throws IllegalArgumentException naming the setting that is missing or out of range */
    public JwtSettings {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("jwt issuer is required");
        }
        Objects.requireNonNull(audiences, "jwt audiences");
        audiences = Set.copyOf(audiences);
        if (audiences.isEmpty() || audiences.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("jwt audiences: at least one, none blank");
        }
        Objects.requireNonNull(allowedAlgorithms, "jwt allowed algorithms");
        allowedAlgorithms = Set.copyOf(allowedAlgorithms);
        if (allowedAlgorithms.isEmpty()) {
            throw new IllegalArgumentException("jwt allowed algorithms: at least one");
        }
        for (JWSAlgorithm alg : allowedAlgorithms) {
            if (!SUPPORTED_ALGORITHMS.contains(alg)) {
                throw new IllegalArgumentException("jwt allowed algorithms: " + alg
                    + " is not allowed; allowed: RS256-512, PS256-512, ES256/384/512, EdDSA, Ed25519, Ed448"
                    + " (HMAC and none are never accepted)");
            }
        }
        Objects.requireNonNull(keys, "jwt keys");
        Objects.requireNonNull(maxClockSkew, "jwt max clock skew");
        if (maxClockSkew.isNegative() || maxClockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("jwt max clock skew " + maxClockSkew.toSeconds()
                + " s is out of range; allowed: 0 to " + MAX_CLOCK_SKEW.toSeconds() + " s");
        }
        if (clientIdClaim != null && clientIdClaim.isEmpty()) {
            clientIdClaim = null;
        }
        if (clientIdMustMatch && clientIdClaim == null) {
            throw new IllegalArgumentException("jwt client id must match, but no client id claim is named");
        }
        if (usernameClaim != null && usernameClaim.isEmpty()) {
            usernameClaim = null;
        }
    }

    /**
     * Settings with the defaults: {@link #DEFAULT_ALGORITHMS}, a 60 s skew, and {@code sub} that must
     * equal the client id.
     */
    public static JwtSettings of(String issuer, Set<String> audiences, JwtKeys keys) {
        return new JwtSettings(issuer, audiences, DEFAULT_ALGORITHMS, keys, DEFAULT_CLOCK_SKEW,
            DEFAULT_CLIENT_ID_CLAIM, true, null);
    }

    public JwtSettings withAllowedAlgorithms(Set<JWSAlgorithm> algorithms) {
        return new JwtSettings(issuer, audiences, algorithms, keys, maxClockSkew, clientIdClaim, clientIdMustMatch,
            usernameClaim);
    }

    public JwtSettings withMaxClockSkew(Duration skew) {
        return new JwtSettings(issuer, audiences, allowedAlgorithms, keys, skew, clientIdClaim, clientIdMustMatch,
            usernameClaim);
    }

    /** @param claim the claim naming the client id, or {@code null} to bind none (then {@code mustMatch} is false) */
    public JwtSettings withClientIdClaim(String claim, boolean mustMatch) {
        return new JwtSettings(issuer, audiences, allowedAlgorithms, keys, maxClockSkew, claim, mustMatch,
            usernameClaim);
    }

    public JwtSettings withUsernameClaim(String claim) {
        return new JwtSettings(issuer, audiences, allowedAlgorithms, keys, maxClockSkew, clientIdClaim,
            clientIdMustMatch, claim);
    }
}
