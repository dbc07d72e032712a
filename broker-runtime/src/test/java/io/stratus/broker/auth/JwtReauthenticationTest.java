package io.stratus.broker.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.stratus.broker.support.AuthFixtures;
import io.stratus.broker.support.PacketReader.Packet;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.tenant.TenantId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

import static io.stratus.broker.support.Packets.AUTH;
import static io.stratus.broker.support.Packets.AUTHENTICATION_METHOD;
import static io.stratus.broker.support.Packets.CONNACK;
import static io.stratus.broker.support.Packets.DISCONNECT;
import static io.stratus.broker.support.PacketReader.expectConnAck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MQTT 5 enhanced authentication with method "JWT": the token in the CONNECT's Authentication Data,
 * and a fresh one through AUTH 0x19 Re-authenticate that keeps the connection past the first one's
 * expiry. Literal packets over a real socket, so every reason code is visible.
 */
class JwtReauthenticationTest {

    private static final String ISSUER = "https://id.acme.test";
    private static final String AUDIENCE = "mqtt";
    private static final int RE_AUTHENTICATE = 0x19;
    private static RSAKey signingKey;
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        signingKey = AuthFixtures.rsaKey("k1");
        String publicKey = AuthFixtures.publicKeyPem(signingKey).replace("\n", "\\n");
        broker = TestBroker.withTenantsFile("""
            {"tenants": [{"id": "acme", "auth": [
              {"type": "jwt", "issuer": "%s", "audiences": ["%s"], "keys": ["%s"]}]}]}
            """.formatted(ISSUER, AUDIENCE, publicKey));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static byte[] token(String subject, Instant expiry) {
        JWTClaimsSet claims = AuthFixtures.claims(ISSUER, AUDIENCE, subject, Instant.now())
            .expirationTime(Date.from(expiry)).build();
        return AuthFixtures.sign(signingKey, JWSAlgorithm.RS256, claims).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] longLived(String subject) {
        return token(subject, Instant.now().plusSeconds(600));
    }

    /** Connects with Authentication Method JWT; returns the client after checking the CONNACK echoes the method. */
    private static RawClient connectWithJwt(String clientId, byte[] token) throws Exception {
        RawClient c = new RawClient(broker.host(), broker.port());
        c.send(Packets.Connect.v5(clientId).authenticationMethod("JWT").authenticationData(token).bytes());
        Packet connAck = expectConnAck(c, true);
        assertEquals("JWT", connAck.property(AUTHENTICATION_METHOD).string(), "CONNACK names the method");
        return c;
    }

    private static Packet next(RawClient c) throws Exception {
        return Packet.parse(c.readPacket(), true);
    }

    @Test
    void connectsWithTheTokenAsAuthenticationDataAndEchoesTheMethod() throws Exception {
        try (RawClient c = connectWithJwt("dev-1", longLived("dev-1"))) {
            assertTrue(broker.broker().tenant(new TenantId("acme")).sessions().get("dev-1") != null);
        }
    }

    @Test
    void refusesABadTokenAtConnectAsThePasswordPathDoes() throws Exception {
        byte[] forged = AuthFixtures.sign(AuthFixtures.rsaKey("k1"), JWSAlgorithm.RS256,
            AuthFixtures.claims(ISSUER, AUDIENCE, "dev-2", Instant.now()).build()).getBytes(StandardCharsets.US_ASCII);
        try (RawClient c = new RawClient(broker.host(), broker.port())) {
            c.send(Packets.Connect.v5("dev-2").authenticationMethod("JWT").authenticationData(forged).bytes());

            Packet connAck = next(c);
            connAck.expectType(CONNACK);
            assertEquals(0x86, connAck.reasonCode(), "Bad user name or password");
        }
    }

    @Test
    void keepsTheConnectionPastTheFirstTokensExpiryAfterReauthentication() throws Exception {
        // given: a device whose token expires in two seconds
        try (RawClient c = connectWithJwt("dev-3", token("dev-3", Instant.now().plusSeconds(2)))) {

            // when: it re-authenticates with a fresh token before then
            c.send(Packets.auth(RE_AUTHENTICATE, "JWT", longLived("dev-3")));

            // then: AUTH Success with the method, and no DISCONNECT when the first token runs out
            Packet auth = next(c);
            auth.expectType(AUTH);
            assertEquals(0x00, auth.reasonCode());
            assertEquals("JWT", auth.property(AUTHENTICATION_METHOD).string());
            assertFalse(c.closedByBroker(), "still open five seconds on, three past the first token's expiry");
            c.send(new byte[] {(byte) 0xC0, 0}); // PINGREQ
            assertEquals(0xD0, c.readPacket()[0] & 0xFF, "PINGRESP");
        }
    }

    @Test
    void disconnectsWithNotAuthorizedWhenTheFreshTokenIsBad() throws Exception {
        try (RawClient c = connectWithJwt("dev-4", longLived("dev-4"))) {
            byte[] otherSubject = longLived("someone-else");

            c.send(Packets.auth(RE_AUTHENTICATE, "JWT", otherSubject));

            Packet disconnect = next(c);
            disconnect.expectType(DISCONNECT);
            assertEquals(0x87, disconnect.reasonCode(), "Not authorized");
            assertTrue(c.closedByBroker());
        }
    }

    @Test
    void disconnectsWithBadAuthenticationMethodWhenReauthenticatingWithAnotherMethod() throws Exception {
        try (RawClient c = connectWithJwt("dev-5", longLived("dev-5"))) {

            c.send(Packets.auth(RE_AUTHENTICATE, "SCRAM-SHA-256", new byte[] {1}));

            Packet disconnect = next(c);
            disconnect.expectType(DISCONNECT);
            assertEquals(0x8C, disconnect.reasonCode(), "Bad authentication method");
        }
    }

    @Test
    void treatsAuthAsAProtocolErrorWhenTheConnectNamedNoMethod() throws Exception {
        try (RawClient c = new RawClient(broker.host(), broker.port())) {
            c.send(Packets.Connect.v5("dev-6").password(new String(longLived("dev-6"), StandardCharsets.US_ASCII))
                .bytes());
            expectConnAck(c, true);

            c.send(Packets.auth(RE_AUTHENTICATE, "JWT", longLived("dev-6")));

            Packet disconnect = next(c);
            disconnect.expectType(DISCONNECT);
            assertEquals(0x82, disconnect.reasonCode(), "Protocol error");
        }
    }
}
