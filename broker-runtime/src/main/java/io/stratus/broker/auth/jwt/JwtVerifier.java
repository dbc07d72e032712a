package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.stratus.broker.auth.jwt.JwtOutcome.Accepted;
import io.stratus.broker.auth.jwt.JwtOutcome.Refused;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Checks a JWT carried in a CONNECT's password field against one tenant's {@link JwtSettings}.
 *
 * <p>Only the tenant's own keys are used: {@code jwk}, {@code jku}, {@code x5u} and {@code x5c} headers
 * are ignored, since a token must not bring the key that vouches for it. The signature is checked
 * before any claim, so nothing about an unsigned token's claims is reported.
 *
 * <p>Signature checks are a fraction of a millisecond of CPU, so with keys in memory the returned
 * stage is already complete and the caller may continue on its own thread; only a key set refresh
 * makes it complete later, on an HTTP client thread. The token is never logged or kept.
 *
 * <p>Thread-safe; one instance per tenant.
 */
public final class JwtVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);

    /** Longer than any sensible token; past this the password is not parsed at all. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final JwtSettings settings;
    private final JwtKeySource keys;
    private final Clock clock;

    /**
     * @param settings the tenant's JWT settings
     * @param keys     its keys, normally {@link JwtKeySource#of} of {@code settings.keys()}
     * @param clock    the time tokens are checked at
     */
    public JwtVerifier(JwtSettings settings, JwtKeySource keys, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param password the CONNECT's password bytes, which should hold a compact JWS
     * @param clientId the CONNECT's client id; an empty one never matches a bound client id claim
     * @return the outcome; the stage never fails (a key set that cannot be fetched is
     *         {@link JwtRefusal#KEYS_UNAVAILABLE})
     */
    public CompletionStage<JwtOutcome> verify(byte[] password, String clientId) {
        SignedJWT token;
        try {
            token = parse(password);
        } catch (Refusal r) {
            return CompletableFuture.completedStage(new Refused(r.reason));
        }
        return keys.keys()
            .thenCompose(current -> {
                if (!VerificationKeys.candidates(current, token.getHeader()).isEmpty()) {
                    return CompletableFuture.completedStage(current);
                }
                return keys.keysAfterUnknownKey();
            })
            .handle((known, error) -> error != null
                ? new Refused(JwtRefusal.KEYS_UNAVAILABLE)
                : checkSafely(token, known, clientId));
    }

    /** Fails closed: an unexpected exception in a library refuses the token instead of failing the stage. */
    private JwtOutcome checkSafely(SignedJWT token, List<JWK> known, String clientId) {
        try {
            return check(token, known, clientId);
        } catch (RuntimeException e) {
            LOG.warn("JWT check failed unexpectedly ({}); token refused", e.getClass().getName());
            return new Refused(JwtRefusal.MALFORMED);
        }
    }

    /** Structure, encoding and algorithm: everything that needs no key. */
    private SignedJWT parse(byte[] password) throws Refusal {
        if (password == null || password.length == 0 || password.length > MAX_TOKEN_LENGTH) {
            throw new Refusal(JwtRefusal.MALFORMED);
        }
        int dots = 0;
        for (byte b : password) {
            if (b == '.') {
                dots++;
            } else if (!isBase64Url(b)) {
                throw new Refusal(JwtRefusal.MALFORMED);
            }
        }
        if (dots != 2) {
            throw new Refusal(JwtRefusal.MALFORMED); // 5 parts would be a JWE, which carries no signature
        }
        String[] parts = new String(password, StandardCharsets.US_ASCII).split("\\.", -1);
        if (parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new Refusal(JwtRefusal.MALFORMED); // an empty signature is an unsecured JWS
        }
        Map<String, Object> headerJson;
        try {
            headerJson = JSONObjectUtils.parse(new Base64URL(parts[0]).decodeToString());
        } catch (ParseException | RuntimeException e) {
            throw new Refusal(JwtRefusal.MALFORMED);
        }
        // Checked before nimbus parses the header: it rejects "none" as malformed, and it is not.
        if (!(headerJson.get("alg") instanceof String algName)) {
            throw new Refusal(JwtRefusal.MALFORMED);
        }
        if (!settings.allowedAlgorithms().contains(JWSAlgorithm.parse(algName))) {
            throw new Refusal(JwtRefusal.ALG_NOT_ALLOWED); // none, HS*, and anything the tenant did not allow
        }
        try {
            SignedJWT token = new SignedJWT(new Base64URL(parts[0]), new Base64URL(parts[1]), new Base64URL(parts[2]));
            Collection<String> crit = token.getHeader().getCriticalParams();
            if (crit != null && !crit.isEmpty()) {
                throw new Refusal(JwtRefusal.MALFORMED); // no extension is understood [RFC 7515 §4.1.11]
            }
            token.getJWTClaimsSet(); // the claims must be a JSON object with well-typed registered claims
            return token;
        } catch (ParseException | RuntimeException e) {
            throw new Refusal(JwtRefusal.MALFORMED);
        }
    }

    private JwtOutcome check(SignedJWT token, List<JWK> known, String clientId) {
        JWSHeader header = token.getHeader();
        List<JWK> candidates = VerificationKeys.candidates(known, header);
        if (candidates.isEmpty()) {
            return new Refused(JwtRefusal.UNKNOWN_KEY);
        }
        byte[] signingInput = token.getSigningInput();
        boolean signed = candidates.stream()
            .anyMatch(key -> VerificationKeys.verifies(key, header, signingInput, token.getSignature()));
        if (!signed) {
            return new Refused(JwtRefusal.BAD_SIGNATURE);
        }
        JWTClaimsSet claims;
        try {
            claims = token.getJWTClaimsSet();
        } catch (ParseException e) {
            return new Refused(JwtRefusal.MALFORMED); // parsed once already; cannot happen
        }
        return checkClaims(claims, clientId, header);
    }

    private JwtOutcome checkClaims(JWTClaimsSet claims, String clientId, JWSHeader header) {
        Instant now = clock.instant();
        Duration skew = settings.maxClockSkew();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return new Refused(JwtRefusal.MALFORMED); // a token that never expires is not accepted
        }
        if (!now.isBefore(exp.toInstant().plus(skew))) {
            return new Refused(JwtRefusal.EXPIRED); // [RFC 7519 §4.1.4]: not on or after exp
        }
        if (isAfter(claims.getNotBeforeTime(), now.plus(skew)) || isAfter(claims.getIssueTime(), now.plus(skew))) {
            return new Refused(JwtRefusal.NOT_YET_VALID);
        }
        if (!settings.issuer().equals(claims.getIssuer())) {
            return new Refused(JwtRefusal.WRONG_ISSUER);
        }
        List<String> audience = claims.getAudience();
        if (audience == null || Collections.disjoint(audience, settings.audiences())) {
            return new Refused(JwtRefusal.WRONG_AUDIENCE);
        }
        Optional<String> boundClientId = stringClaim(claims, settings.clientIdClaim());
        if (settings.clientIdMustMatch()
            && (clientId == null || clientId.isEmpty() || !boundClientId.orElse("").equals(clientId))) {
            return new Refused(JwtRefusal.CLIENT_ID_MISMATCH);
        }
        return new Accepted(Optional.ofNullable(claims.getSubject()), exp.toInstant(), boundClientId,
            stringClaim(claims, settings.usernameClaim()), ClaimValues.immutableObject(claims.toJSONObject()),
            header.getAlgorithm(), Optional.ofNullable(header.getKeyID()));
    }

    private static boolean isAfter(Date time, Instant limit) {
        return time != null && time.toInstant().isAfter(limit);
    }

    private static Optional<String> stringClaim(JWTClaimsSet claims, String name) {
        return name != null && claims.getClaim(name) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    private static boolean isBase64Url(byte b) {
        return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_';
    }

    /** A refusal found while parsing, carried out of the parse steps. */
    private static final class Refusal extends Exception {
        final JwtRefusal reason;

        Refusal(JwtRefusal reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }
    }
}
