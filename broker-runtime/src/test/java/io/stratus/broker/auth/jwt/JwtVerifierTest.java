package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import io.stratus.broker.auth.jwt.JwtOutcome.Accepted;
import io.stratus.broker.auth.jwt.JwtOutcome.Refused;
import io.stratus.broker.support.AuthFixtures;
import io.stratus.broker.support.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.stratus.broker.support.AuthFixtures.ecKey;
import static io.stratus.broker.support.AuthFixtures.ed25519Key;
import static io.stratus.broker.support.AuthFixtures.ed448Key;
import static io.stratus.broker.support.AuthFixtures.hmac;
import static io.stratus.broker.support.AuthFixtures.publicKeyPem;
import static io.stratus.broker.support.AuthFixtures.rsaKey;
import static io.stratus.broker.support.AuthFixtures.sign;
import static io.stratus.broker.support.AuthFixtures.unsecured;
import static io.stratus.broker.support.AuthFixtures.unsecuredWithSignature;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwtVerifierTest {

    private static final String ISSUER = "https://id.acme.example";
    private static final String AUDIENCE = "mqtt.stratus.example";
    private static final String CLIENT = "device-1";

    private static final RSAKey RSA = rsaKey("rsa-1");
    private static final ECKey P256 = ecKey("ec-256", Curve.P_256);
    private static final ECKey P384 = ecKey("ec-384", Curve.P_384);
    private static final ECKey P521 = ecKey("ec-521", Curve.P_521);
    private static final OctetKeyPair ED25519 = ed25519Key("ed-25519");
    private static final OctetKeyPair ED448 = ed448Key("ed-448");

    private final ManualClock clock = new ManualClock();
    private final Instant now = clock.instant();

    static Stream<Arguments> signedTokens() {
        return Stream.of(
            Arguments.of(JWSAlgorithm.RS256, RSA), Arguments.of(JWSAlgorithm.RS384, RSA),
            Arguments.of(JWSAlgorithm.RS512, RSA), Arguments.of(JWSAlgorithm.PS256, RSA),
            Arguments.of(JWSAlgorithm.PS384, RSA), Arguments.of(JWSAlgorithm.PS512, RSA),
            Arguments.of(JWSAlgorithm.ES256, P256), Arguments.of(JWSAlgorithm.ES384, P384),
            Arguments.of(JWSAlgorithm.ES512, P521), Arguments.of(JWSAlgorithm.EdDSA, ED25519),
            Arguments.of(JWSAlgorithm.EdDSA, ED448));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("signedTokens")
    void acceptsTokenSignedWithEachDefaultAlgorithm(JWSAlgorithm alg, JWK key) {
        // given a tenant with all the keys and the default algorithms
        JwtVerifier verifier = verifier(settings());

        // when a token signed with one of them arrives
        JwtOutcome outcome = verify(verifier, sign(key, alg, validClaims().build()), CLIENT);

        // then it is accepted, with the algorithm and key that signed it
        Accepted accepted = assertInstanceOf(Accepted.class, outcome);
        assertEquals(alg, accepted.algorithm());
        assertEquals(key.getKeyID(), accepted.keyId().orElseThrow());
    }

    @Test
    void acceptsFullySpecifiedEd25519WhenTheTenantAllowsIt() {
        JwtVerifier verifier = verifier(settings().withAllowedAlgorithms(Set.of(JWSAlgorithm.Ed25519)));

        JwtOutcome outcome = verify(verifier, sign(ED25519, JWSAlgorithm.Ed25519, validClaims().build()), CLIENT);

        assertInstanceOf(Accepted.class, outcome);
    }

    @Test
    void acceptedOutcomeCarriesSubjectExpiryBoundIdsAndImmutableClaims() {
        // given a tenant that reads the user name from a claim
        JwtVerifier verifier = verifier(settings().withUsernameClaim("preferred_username"));
        Instant exp = now.plusSeconds(600);
        JWTClaimsSet claims = validClaims()
            .expirationTime(Date.from(exp))
            .claim("preferred_username", "alice")
            .claim("groups", List.of("sensors", "admins"))
            .claim("site", Map.of("building", 7, "floor", "2"))
            .build();

        // when the token is verified
        Accepted accepted = assertInstanceOf(Accepted.class, verify(verifier, sign(RSA, JWSAlgorithm.RS256, claims), CLIENT));

        // then the outcome holds what the ACL variables and the expiry timer need
        assertEquals(CLIENT, accepted.subject().orElseThrow());
        assertEquals(CLIENT, accepted.clientId().orElseThrow());
        assertEquals("alice", accepted.username().orElseThrow());
        assertEquals(exp.getEpochSecond(), accepted.expiry().getEpochSecond());
        assertEquals(accepted.expiry(), accepted.expiresAt().orElseThrow());
        assertEquals(List.of("sensors", "admins"), accepted.claims().get("groups"));
        assertEquals(7L, ((Map<?, ?>) accepted.claims().get("site")).get("building"));
        assertEquals(exp.getEpochSecond(), accepted.claims().get("exp"));
        assertThrows(UnsupportedOperationException.class, () -> accepted.claims().put("sub", "other"));
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) accepted.claims().get("groups")).clear());
    }

    @Test
    void completesAtOnceWithKeysInMemory() {
        JwtVerifier verifier = verifier(settings());

        CompletableFuture<JwtOutcome> f =
            verifier.verify(bytes(sign(RSA, JWSAlgorithm.RS256, validClaims().build())), CLIENT).toCompletableFuture();

        assertTrue(f.isDone(), "no hop to another thread when no I/O is needed");
    }

    @Test
    void refusesUnsecuredTokens() {
        JwtVerifier verifier = verifier(settings());

        assertRefused(JwtRefusal.ALG_NOT_ALLOWED, verify(verifier, unsecuredWithSignature(validClaims().build()), CLIENT));
        // with the signature part empty it is not even a JWS
        assertRefused(JwtRefusal.MALFORMED, verify(verifier, unsecured(validClaims().build()), CLIENT));
    }

    @Test
    void refusesHmacTokenKeyedWithTheTenantsPublicKey() throws Exception {
        // given the classic key-confusion forgery: HS256 with the public key's bytes as the secret
        JwtVerifier verifier = verifier(settings());
        byte[] publicKeyBytes = RSA.toPublicJWK().toRSAKey().toPublicKey().getEncoded();

        for (JWSAlgorithm hs : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
            String forged = hmac(publicKeyBytes, hs, RSA.getKeyID(), validClaims().build());
            assertRefused(JwtRefusal.ALG_NOT_ALLOWED, verify(verifier, forged, CLIENT));
        }
    }

    @Test
    void refusesHmacInTheTenantsAllowedAlgorithms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> settings().withAllowedAlgorithms(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.HS256)));
        assertTrue(e.getMessage().contains("HS256"), e.getMessage());
    }

    @Test
    void refusesAlgorithmTheTenantDidNotAllow() {
        JwtVerifier verifier = verifier(settings().withAllowedAlgorithms(Set.of(JWSAlgorithm.ES256)));

        assertRefused(JwtRefusal.ALG_NOT_ALLOWED, verify(verifier, sign(RSA, JWSAlgorithm.RS256, validClaims().build()), CLIENT));
    }

    @Test
    void refusesWrongIssuer() {
        JwtOutcome outcome = verify(verifier(settings()),
            sign(RSA, JWSAlgorithm.RS256, validClaims().issuer("https://evil.example").build()), CLIENT);

        assertRefused(JwtRefusal.WRONG_ISSUER, outcome);
    }

    @Test
    void refusesMissingIssuer() {
        JwtOutcome outcome = verify(verifier(settings()), sign(RSA, JWSAlgorithm.RS256, validClaims().issuer(null).build()),
            CLIENT);

        assertRefused(JwtRefusal.WRONG_ISSUER, outcome);
    }

    @Test
    void refusesAudienceWithoutOursAndAcceptsOneThatIncludesIt() {
        JwtVerifier verifier = verifier(settings());

        assertRefused(JwtRefusal.WRONG_AUDIENCE,
            verify(verifier, sign(RSA, JWSAlgorithm.RS256, validClaims().audience("other-service").build()), CLIENT));
        assertRefused(JwtRefusal.WRONG_AUDIENCE,
            verify(verifier, sign(RSA, JWSAlgorithm.RS256, validClaims().audience((String) null).build()), CLIENT));
        assertInstanceOf(Accepted.class, verify(verifier,
            sign(RSA, JWSAlgorithm.RS256, validClaims().audience(List.of("other-service", AUDIENCE)).build()), CLIENT));
    }

    @Test
    void refusesExpiredTokenBeyondSkewButToleratesSkew() {
        // given the default 60 s skew
        JwtVerifier verifier = verifier(settings());

        assertRefused(JwtRefusal.EXPIRED, verify(verifier, token(validClaims().expirationTime(at(-61))), CLIENT));
        assertRefused(JwtRefusal.EXPIRED, verify(verifier, token(validClaims().expirationTime(at(-60))), CLIENT));
        assertInstanceOf(Accepted.class, verify(verifier, token(validClaims().expirationTime(at(-59))), CLIENT));
    }

    @Test
    void refusesTokenThatExpiresWhileTheClockAdvances() {
        JwtVerifier verifier = verifier(settings().withMaxClockSkew(Duration.ZERO));
        String token = token(validClaims().expirationTime(at(30)));
        assertInstanceOf(Accepted.class, verify(verifier, token, CLIENT));

        clock.advance(Duration.ofSeconds(30));

        assertRefused(JwtRefusal.EXPIRED, verify(verifier, token, CLIENT));
    }

    @Test
    void refusesTokenWithoutExpiry() {
        assertRefused(JwtRefusal.MALFORMED, verify(verifier(settings()), token(validClaims().expirationTime(null)), CLIENT));
    }

    @Test
    void refusesNotBeforeInTheFutureBeyondSkew() {
        JwtVerifier verifier = verifier(settings());

        assertRefused(JwtRefusal.NOT_YET_VALID, verify(verifier, token(validClaims().notBeforeTime(at(61))), CLIENT));
        assertInstanceOf(Accepted.class, verify(verifier, token(validClaims().notBeforeTime(at(59))), CLIENT));
    }

    @Test
    void refusesIssuedAtInTheFutureBeyondSkew() {
        JwtVerifier verifier = verifier(settings());

        assertRefused(JwtRefusal.NOT_YET_VALID, verify(verifier, token(validClaims().issueTime(at(61))), CLIENT));
        assertInstanceOf(Accepted.class, verify(verifier, token(validClaims().issueTime(at(59))), CLIENT));
    }

    @Test
    void refusesSkewOutsideItsBounds() {
        assertThrows(IllegalArgumentException.class, () -> settings().withMaxClockSkew(Duration.ofSeconds(301)));
        assertThrows(IllegalArgumentException.class, () -> settings().withMaxClockSkew(Duration.ofSeconds(-1)));
    }

    @Test
    void refusesSignatureByAnotherKeyWithTheSameKeyId() {
        RSAKey impostor = rsaKey(RSA.getKeyID());

        assertRefused(JwtRefusal.BAD_SIGNATURE,
            verify(verifier(settings()), sign(impostor, JWSAlgorithm.RS256, validClaims().build()), CLIENT));
    }

    @Test
    void refusesTokenWhosePayloadWasChanged() {
        String genuine = sign(P256, JWSAlgorithm.ES256, validClaims().build());
        String[] parts = genuine.split("\\.");
        String otherPayload = validClaims().subject("device-2").build().toPayload().toBase64URL().toString();
        String tampered = parts[0] + "." + otherPayload + "." + parts[2];

        assertRefused(JwtRefusal.BAD_SIGNATURE, verify(verifier(settings()), tampered, "device-2"));
    }

    @Test
    void ignoresKeyEmbeddedInTheHeader() {
        // given a token that brings its own key in a jwk header, claiming one of the tenant's key ids
        RSAKey attacker = rsaKey(RSA.getKeyID());
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(RSA.getKeyID())
            .jwk(attacker.toPublicJWK()).type(JOSEObjectType.JWT).build();

        JwtOutcome outcome = verify(verifier(settings()), sign(attacker, header, validClaims().build()), CLIENT);

        assertRefused(JwtRefusal.BAD_SIGNATURE, outcome);
    }

    @Test
    void refusesUnknownKeyId() {
        RSAKey unknown = rsaKey("rsa-unknown");

        assertRefused(JwtRefusal.UNKNOWN_KEY,
            verify(verifier(settings()), sign(unknown, JWSAlgorithm.RS256, validClaims().build()), CLIENT));
    }

    @Test
    void neverTriesAKeyOfAnotherFamilyOrCurve() {
        // given an ES384 token that names the P-256 key, and an ES256 one that names the RSA key
        JWSHeader es384 = new JWSHeader.Builder(JWSAlgorithm.ES384).keyID(P256.getKeyID()).build();
        JWSHeader es256 = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(RSA.getKeyID()).build();

        assertRefused(JwtRefusal.UNKNOWN_KEY, verify(verifier(settings()), sign(P384, es384, validClaims().build()), CLIENT));
        assertRefused(JwtRefusal.UNKNOWN_KEY, verify(verifier(settings()), sign(P256, es256, validClaims().build()), CLIENT));
    }

    @Test
    void triesKeysWithoutIdForTokensWithoutId() {
        // given static keys configured as PEM, which carry no key id
        JwtSettings settings = JwtSettings.of(ISSUER, Set.of(AUDIENCE),
            StaticKeys.parse(List.of(publicKeyPem(P256),
                publicKeyPem(RSA))));
        JWSHeader noKid = new JWSHeader.Builder(JWSAlgorithm.RS256).build();

        JwtOutcome outcome = verify(verifier(settings), sign(RSA, noKid, validClaims().build()), CLIENT);

        assertInstanceOf(Accepted.class, outcome);
    }

    @Test
    void refusesClientIdOtherThanTheBoundClaim() {
        JwtVerifier verifier = verifier(settings());
        String token = token(validClaims());

        assertRefused(JwtRefusal.CLIENT_ID_MISMATCH, verify(verifier, token, "device-2"));
        assertRefused(JwtRefusal.CLIENT_ID_MISMATCH, verify(verifier, token, ""));
        assertRefused(JwtRefusal.CLIENT_ID_MISMATCH, verify(verifier, token(validClaims().subject(null)), CLIENT));
    }

    @Test
    void bindsClientIdToAConfiguredClaim() {
        JwtVerifier verifier = verifier(settings().withClientIdClaim("device_id", true));
        String token = token(validClaims().subject("user-42").claim("device_id", "sensor-7"));

        assertInstanceOf(Accepted.class, verify(verifier, token, "sensor-7"));
        assertRefused(JwtRefusal.CLIENT_ID_MISMATCH, verify(verifier, token, "user-42"));
    }

    @Test
    void acceptsAnyClientIdWhenBindingIsOff() {
        JwtVerifier verifier = verifier(settings().withClientIdClaim(null, false));

        Accepted accepted = assertInstanceOf(Accepted.class, verify(verifier, token(validClaims()), "anything"));
        assertTrue(accepted.clientId().isEmpty());
    }

    @Test
    void refusesMalformedPasswords() {
        JwtVerifier verifier = verifier(settings());
        String good = token(validClaims());
        String[] p = good.split("\\.");
        String notJson = Base64URL.encode("not json").toString();
        String critHeader = sign(RSA, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(RSA.getKeyID())
            .criticalParams(Set.of("exp-ext")).customParam("exp-ext", 1).build(), validClaims().build());
        String expAsText = sign(RSA, JWSAlgorithm.RS256, validClaims().claim("exp", "tomorrow").build());

        for (String bad : List.of("", "not-a-token", p[0] + "." + p[1], good + ".x.y", p[0] + "." + p[1] + ".!!",
            notJson + "." + p[1] + "." + p[2], p[0] + "." + notJson + "." + p[2], critHeader, expAsText,
            "a".repeat(JwtVerifier.MAX_TOKEN_LENGTH) + "." + p[1] + "." + p[2])) {
            assertRefused(JwtRefusal.MALFORMED, verify(verifier, bad, CLIENT));
        }
        assertRefused(JwtRefusal.MALFORMED, verifier.verify(null, CLIENT).toCompletableFuture().join());
        assertRefused(JwtRefusal.MALFORMED,
            verifier.verify(new byte[] {(byte) 0xff, '.', 'a', '.', 'b'}, CLIENT).toCompletableFuture().join());
    }

    @Test
    void refusesWhenNoKeySetCanBeObtained() {
        JwtKeySource down = new JwtKeySource() {
            @Override
            public CompletionStage<List<JWK>> keys() {
                return CompletableFuture.failedStage(new KeysUnavailableException("unreachable"));
            }

            @Override
            public CompletionStage<List<JWK>> keysAfterUnknownKey() {
                return keys();
            }
        };
        JwtVerifier verifier = new JwtVerifier(settings(), down, clock);

        assertRefused(JwtRefusal.KEYS_UNAVAILABLE, verify(verifier, token(validClaims()), CLIENT));
    }

    // ----- helpers

    private JwtSettings settings() {
        return JwtSettings.of(ISSUER, Set.of(AUDIENCE), new StaticKeys(Stream.of(RSA, P256, P384, P521, ED25519, ED448).map(JWK::toPublicJWK).toList()));
    }

    private JwtVerifier verifier(JwtSettings settings) {
        return new JwtVerifier(settings, new StaticKeySource((StaticKeys) settings.keys()), clock);
    }

    private JWTClaimsSet.Builder validClaims() {
        return AuthFixtures.claims(ISSUER, AUDIENCE, CLIENT, now);
    }

    private static String token(JWTClaimsSet.Builder claims) {
        return sign(RSA, JWSAlgorithm.RS256, claims.build());
    }

    private Date at(long secondsFromNow) {
        return Date.from(now.plusSeconds(secondsFromNow));
    }

    private static byte[] bytes(String token) {
        return token.getBytes(StandardCharsets.US_ASCII);
    }

    static JwtOutcome verify(JwtVerifier verifier, String token, String clientId) {
        try {
            return verifier.verify(bytes(token), clientId).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("verification did not complete", e);
        }
    }

    static void assertRefused(JwtRefusal reason, JwtOutcome outcome) {
        assertEquals(new Refused(reason), outcome);
    }
}
