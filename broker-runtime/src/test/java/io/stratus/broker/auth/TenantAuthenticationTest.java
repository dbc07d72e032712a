package io.stratus.broker.auth;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.stratus.broker.auth.password.PasswordHasher;
import io.stratus.broker.support.AuthFixtures;
import io.stratus.broker.support.TenantClients;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.tenant.TenantId;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients of two tenants, from a tenants file, over real sockets: who gets in, with which reason
 * code the others are refused, and that each tenant's policy and namespace hold.
 */
class TenantAuthenticationTest {

    private static final String ISSUER = "https://id.acme.test";
    private static final String AUDIENCE = "mqtt";
    private static RSAKey signingKey;
    private static String tenantsJson;
    private static TestBroker broker;

    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        signingKey = AuthFixtures.rsaKey("k1");
        // a cheap Argon2 cost: the hash's own parameters are what a check uses
        PasswordHasher hasher = new PasswordHasher(new PasswordHasher.Argon2Cost(1024, 1, 1), Runnable::run,
            new SecureRandom());
        String acmeHash = hasher.hashNow("secret-1".getBytes(StandardCharsets.UTF_8));
        String globexHash = hasher.hashNow("secret-2".getBytes(StandardCharsets.UTF_8));
        String publicKey = AuthFixtures.publicKeyPem(signingKey).replace("\n", "\\n");
        tenantsJson = """
            {
              "tenants": [
                {
                  "id": "acme",
                  "auth": [
                    {"type": "jwt", "issuer": "%s", "audiences": ["%s"], "keys": ["%s"]},
                    {"type": "password", "users": {"dev-1": "%s", "dev-2": "%s"}}
                  ],
                  "policy": [
                    {"effect": "allow", "actions": ["publish", "subscribe"], "filters": ["devices/${client.id}/#"]},
                    {"effect": "allow", "actions": ["subscribe"], "filters": ["broadcast/#"]},
                    {"effect": "allow", "actions": ["publish"], "filters": ["broadcast/+"]},
                    {"effect": "deny", "actions": ["receive"], "filters": ["broadcast/internal"]}
                  ]
                },
                {
                  "id": "globex",
                  "auth": [{"type": "password", "users": {"dev-1": "%s"}}],
                  "policy": [{"effect": "allow", "actions": ["publish", "subscribe"], "filters": ["#"]}]
                }
              ]
            }
            """.formatted(ISSUER, AUDIENCE, publicKey, acmeHash, acmeHash, globexHash);
        broker = TestBroker.withTenantsFile(tenantsJson);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void disconnectClients() {
        for (Mqtt5BlockingClient c : clients) {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
    }

    private Mqtt5BlockingClient client(String clientId) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(clientId).serverHost(broker.host())
            .serverPort(broker.port()).buildBlocking();
        clients.add(c);
        return c;
    }

    private Mqtt5BlockingClient connected(String clientId, String username, String password) {
        Mqtt5BlockingClient c = client(clientId);
        c.connectWith().simpleAuth().username(username).password(password.getBytes(StandardCharsets.UTF_8))
            .applySimpleAuth().send();
        return c;
    }

    private Mqtt5ConnAckReasonCode refusal(String clientId, String username, String password) {
        Mqtt5BlockingClient c = client(clientId);
        Mqtt5ConnAckException e;
        if (username == null && password == null) {
            e = assertThrows(Mqtt5ConnAckException.class, () -> c.connect());
        } else if (username == null) {
            e = assertThrows(Mqtt5ConnAckException.class, () -> c.connectWith().simpleAuth()
                .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
        } else {
            e = assertThrows(Mqtt5ConnAckException.class, () -> c.connectWith().simpleAuth().username(username)
                .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
        }
        return e.getMqttMessage().getReasonCode();
    }

    private static String token(JWTClaimsSet claims) {
        return AuthFixtures.sign(signingKey, JWSAlgorithm.RS256, claims);
    }

    // ---- authentication ---------------------------------------------------------------------

    @Test
    void connectsADeviceWithItsPasswordInTheTenantItsUserNameNames() {
        Mqtt5BlockingClient c = connected("dev-1", "dev-1@acme", "secret-1");

        assertTrue(c.getState().isConnected());
        assertTrue(broker.broker().tenant(new TenantId("acme")).sessions().get("dev-1") != null);
    }

    @Test
    void refusesAWrongPasswordWithBadUserNameOrPassword() {
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusal("dev-1", "dev-1@acme", "secret-2"));
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusal("dev-1", "nobody@acme", "secret-1"));
    }

    @Test
    void refusesAClientWhoseTenantIsUnknownOrUnnamed() {
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusal("dev-1", "dev-1@initech", "secret-1"));
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusal("dev-1", null, null));
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusal("dev-1", "dev-1", "secret-1"));
    }

    @Test
    void refusesWithTheMqtt311ReturnCodesToo() throws Exception {
        MqttClient paho = new MqttClient("tcp://127.0.0.1:" + broker.port(), "dev-1", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName("dev-1@acme");
        options.setPassword("wrong".toCharArray());
        MqttException e = assertThrows(MqttException.class, () -> paho.connect(options));
        assertEquals(MqttException.REASON_CODE_FAILED_AUTHENTICATION, e.getReasonCode()); // 0x04

        options.setPassword("secret-1".toCharArray());
        paho.connect(options);
        assertTrue(paho.isConnected());
        paho.disconnect();
        paho.close();
    }

    @Test
    void connectsADeviceWithAValidTokenFoundByItsIssuer() {
        String jwt = token(AuthFixtures.claims(ISSUER, AUDIENCE, "sensor-9", Instant.now()).build());

        Mqtt5BlockingClient c = client("sensor-9");
        c.connectWith().simpleAuth().password(jwt.getBytes(StandardCharsets.US_ASCII)).applySimpleAuth().send();

        assertTrue(c.getState().isConnected());
        assertTrue(broker.broker().tenant(new TenantId("acme")).sessions().get("sensor-9") != null);
    }

    @Test
    void refusesTokensThatAreExpiredForgedOrForSomeoneElse() {
        Instant now = Instant.now();
        String expired = token(AuthFixtures.claims(ISSUER, AUDIENCE, "s0", now.minus(Duration.ofHours(2)))
            .expirationTime(Date.from(now.minus(Duration.ofHours(1)))).build());
        String wrongAudience = token(AuthFixtures.claims(ISSUER, "other", "s1", now).build());
        String unsigned = AuthFixtures.unsecured(AuthFixtures.claims(ISSUER, AUDIENCE, "s2", now).build());
        String hmacConfused = AuthFixtures.hmac(AuthFixtures.publicKeyPem(signingKey).getBytes(StandardCharsets.US_ASCII),
            JWSAlgorithm.HS256, "k1", AuthFixtures.claims(ISSUER, AUDIENCE, "s3", now).build());
        String otherKey = AuthFixtures.sign(AuthFixtures.rsaKey("k1"), JWSAlgorithm.RS256,
            AuthFixtures.claims(ISSUER, AUDIENCE, "s4", now).build());
        String unknownIssuer = token(AuthFixtures.claims("https://evil.test", AUDIENCE, "s5", now).build());
        String otherSubject = token(AuthFixtures.claims(ISSUER, AUDIENCE, "someone-else", now).build());

        // one client id each (its token's subject): a client id that keeps failing backs off (0x9F)
        List<String> bads = List.of(expired, wrongAudience, unsigned, hmacConfused, otherKey, unknownIssuer);
        for (int i = 0; i < bads.size(); i++) {
            assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusal("s" + i, null, bads.get(i)));
        }
        assertEquals(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED, refusal("s", null, otherSubject));
        assertTrue(broker.broker().tenant(new TenantId("acme")).metrics().authFailures.sum() >= 7);
    }

    @Test
    void endsTheConnectionWithNotAuthorizedWhenItsTokenExpires() throws Exception {
        Instant now = Instant.now();
        String shortLived = token(AuthFixtures.claims(ISSUER, AUDIENCE, "ephemeral", now)
            .expirationTime(Date.from(now.plusSeconds(2))).build());
        CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier("ephemeral").serverHost(broker.host())
            .serverPort(broker.port()).addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause()))
            .buildBlocking();

        c.connectWith().simpleAuth().password(shortLived.getBytes(StandardCharsets.US_ASCII)).applySimpleAuth().send();

        Throwable cause = disconnected.get(10, TimeUnit.SECONDS);
        Mqtt5DisconnectException e = assertInstanceOf(Mqtt5DisconnectException.class, cause);
        assertEquals(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED, e.getMqttMessage().getReasonCode());
    }

    // ---- policy -----------------------------------------------------------------------------

    @Test
    void letsADevicePublishAndSubscribeOnlyWhereThePolicyAllows() {
        Mqtt5BlockingClient c = connected("dev-1", "dev-1@acme", "secret-1");

        assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_1, Mqtt5SubAckReasonCode.NOT_AUTHORIZED,
            Mqtt5SubAckReasonCode.NOT_AUTHORIZED),
            TenantClients.subAck(c, "devices/dev-1/cmd/#", "devices/dev-2/cmd/#", "devices/#"));

        c.publishWith().topic("devices/dev-1/telemetry").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
        Mqtt5PubAckException denied = assertThrows(Mqtt5PubAckException.class, () ->
            c.publishWith().topic("devices/dev-2/telemetry").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send());
        assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, denied.getMqttMessage().getReasonCode());
        assertTrue(broker.broker().tenant(new TenantId("acme")).metrics().publishDenied.sum() >= 1);
    }

    @Test
    void givesAClientIdWithWildcardsNothingThroughThePolicyVariables() {
        for (String injected : List.of("#", "+", "a/#")) {
            Mqtt5BlockingClient c = client(injected);
            c.connectWith().simpleAuth().username("dev-2@acme").password("secret-1".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();

            assertEquals(List.of(Mqtt5SubAckReasonCode.NOT_AUTHORIZED), TenantClients.subAck(c, "devices/" + injected), injected);
            assertEquals(List.of(Mqtt5SubAckReasonCode.NOT_AUTHORIZED), TenantClients.subAck(c, "devices/dev-1/#"), injected);
            c.disconnect();
        }
    }

    @Test
    void withholdsMessagesThePolicyDeniesReceivingThroughAnAllowedSubscription() throws Exception {
        Mqtt5BlockingClient subscriber = connected("dev-1", "dev-1@acme", "secret-1");
        Mqtt5BlockingClient publisher = connected("dev-2", "dev-2@acme", "secret-1");
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = subscriber.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter("broadcast/#").qos(MqttQos.AT_LEAST_ONCE).send();

            publisher.publishWith().topic("broadcast/internal").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
            publisher.publishWith().topic("broadcast/news").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {2}).send();

            // messages from one publisher arrive in order: the first to arrive is the one not denied
            Optional<Mqtt5Publish> first = inbox.receive(10, TimeUnit.SECONDS);
            assertTrue(first.isPresent());
            assertEquals("broadcast/news", first.get().getTopic().toString());
            assertTrue(broker.broker().tenant(new TenantId("acme")).metrics().receiveDenied.sum() >= 1);
        }
    }

    // ---- isolation --------------------------------------------------------------------------

    @Test
    void keepsTwoTenantsWithTheSameClientIdsAndTopicsApart() throws Exception {
        Mqtt5BlockingClient acme = connected("dev-1", "dev-1@acme", "secret-1");
        Mqtt5BlockingClient globex = connected("dev-1", "dev-1@globex", "secret-2");
        try (Mqtt5BlockingClient.Mqtt5Publishes globexInbox = globex.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            // globex may subscribe to everything; nothing of acme's may reach it
            globex.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send();
            globex.subscribeWith().topicFilter("$share/g/#").qos(MqttQos.AT_LEAST_ONCE).send();

            acme.publishWith().topic("devices/dev-1/telemetry").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("acme".getBytes(StandardCharsets.UTF_8)).send();
            assertTrue(acme.getState().isConnected(), "same client id in another tenant is no takeover");
            // a marker published in globex itself, after acme's message: it must be the first to arrive
            globex.publishWith().topic("marker").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {9}).send();

            Mqtt5Publish first = globexInbox.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertEquals("marker", first.getTopic().toString());
        }
        // a new globex subscriber gets no retained message of acme's
        Mqtt5BlockingClient late = connected("late", "dev-1@globex", "secret-2");
        try (Mqtt5BlockingClient.Mqtt5Publishes lateInbox = late.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            late.subscribeWith().topicFilter("devices/#").qos(MqttQos.AT_LEAST_ONCE).send();
            late.publishWith().topic("marker2").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {9}).send();
            late.subscribeWith().topicFilter("marker2").qos(MqttQos.AT_LEAST_ONCE).send();
            late.publishWith().topic("marker2").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {9}).send();
            assertEquals("marker2", lateInbox.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString());
        }
        assertEquals(1, broker.broker().tenant(new TenantId("acme")).retained().size());
        assertEquals(0, broker.broker().tenant(new TenantId("globex")).retained().size());
        assertFalse(broker.broker().tenant(new TenantId("globex")).sessions().get("dev-1") == null);
    }
}
