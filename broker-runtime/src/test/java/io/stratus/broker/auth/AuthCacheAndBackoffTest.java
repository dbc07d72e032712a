package io.stratus.broker.auth;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.stratus.broker.auth.password.PasswordHasher;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.tenant.StaticTenantDirectory;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantsFile;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Password and token decisions are cached, and clients that keep failing back off: a reconnect storm
 * costs one hash, and a guesser is refused without hashing. The password hasher is the real one; its
 * executor counts the hashes it runs.
 */
class AuthCacheAndBackoffTest {

    /** A cheap cost: the stored hash's own parameters are what a check uses. */
    private static final PasswordHasher.Argon2Cost CHEAP = new PasswordHasher.Argon2Cost(1024, 1, 1);

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicInteger hashes = new AtomicInteger();
    private ConnectAuthenticator authenticator;
    private String tenantsJson;

    @BeforeEach
    void setUp() {
        Executor counting = work -> {
            hashes.incrementAndGet();
            pool.execute(work);
        };
        PasswordHasher hasher = new PasswordHasher(CHEAP, counting, new SecureRandom());
        tenantsJson = """
            {"tenants": [{"id": "acme", "auth": [{"type": "password", "users": {"dev": "%s"}}]}]}
            """.formatted(hasher.hashNow("good".getBytes(StandardCharsets.UTF_8)));
        authenticator = new ConnectAuthenticator(StaticTenantDirectory.of(
            TenantsFile.parse(tenantsJson.getBytes(StandardCharsets.UTF_8), "test")), Clock.systemUTC(), pool, hasher);
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private CompletableFuture<AuthDecision> connect(String clientId, String password) {
        return authenticator.authenticate(new ConnectCredentials(clientId, "dev@acme",
            password.getBytes(StandardCharsets.UTF_8), null, List.of(), new InetSocketAddress("192.0.2.7", 40000)))
            .toCompletableFuture();
    }

    @Test
    void aStormOfConnectsWithTheSameGoodPasswordHashesOnce() throws Exception {
        // when: 500 devices sharing one credential connect at once
        List<CompletableFuture<AuthDecision>> storm = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            storm.add(connect("device-" + i, "good"));
        }

        // then: every one is accepted, with one hash
        for (CompletableFuture<AuthDecision> d : storm) {
            assertInstanceOf(AuthDecision.Accepted.class, d.get(30, TimeUnit.SECONDS));
        }
        assertEquals(1, hashes.get());
    }

    @Test
    void refusesTheEleventhAttemptAfterTenWrongPasswordsWithoutHashing() throws Exception {
        // given: ten different wrong guesses for one client id
        List<AuthDecision.Refusal> refusals = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            refusals.add(((AuthDecision.Refused) connect("dev", "guess-" + i).get(10, TimeUnit.SECONDS)).refusal());
        }
        int hashedGuesses = hashes.get();

        // when: the eleventh comes, even with the right password
        AuthDecision eleventh = connect("dev", "good").get(10, TimeUnit.SECONDS);

        // then: refused as backing off, and nothing more was hashed
        assertEquals(AuthDecision.Refusal.BACKING_OFF, assertInstanceOf(AuthDecision.Refused.class, eleventh).refusal());
        assertEquals(hashedGuesses, hashes.get());
        assertEquals(5, hashedGuesses, "checked until the client id started backing off");
        assertEquals(List.of(AuthDecision.Refusal.BAD_CREDENTIALS, AuthDecision.Refusal.BAD_CREDENTIALS,
            AuthDecision.Refusal.BAD_CREDENTIALS, AuthDecision.Refusal.BAD_CREDENTIALS, AuthDecision.Refusal.BAD_CREDENTIALS,
            AuthDecision.Refusal.BACKING_OFF, AuthDecision.Refusal.BACKING_OFF, AuthDecision.Refusal.BACKING_OFF,
            AuthDecision.Refusal.BACKING_OFF, AuthDecision.Refusal.BACKING_OFF), refusals);
        // another client id from elsewhere is not held back
        assertInstanceOf(AuthDecision.Accepted.class, authenticator.authenticate(new ConnectCredentials("other",
            "dev@acme", "good".getBytes(StandardCharsets.UTF_8), null, List.of(),
            new InetSocketAddress("198.51.100.1", 40000))).toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void answersABackingOffClientWithConnectionRateExceededOver5And311() throws Exception {
        try (TestBroker broker = TestBroker.withTenantsFile(tenantsJson)) {
            for (int i = 0; i < 5; i++) {
                Mqtt5BlockingClient c = Mqtt5Client.builder().identifier("guesser").serverHost(broker.host())
                    .serverPort(broker.port()).buildBlocking();
                String guess = "guess-" + i;
                Mqtt5ConnAckException e = assertThrows(Mqtt5ConnAckException.class, () -> c.connectWith().simpleAuth()
                    .username("dev@acme").password(guess.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
                assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, e.getMqttMessage().getReasonCode());
            }

            Mqtt5BlockingClient v5 = Mqtt5Client.builder().identifier("guesser").serverHost(broker.host())
                .serverPort(broker.port()).buildBlocking();
            Mqtt5ConnAckException e = assertThrows(Mqtt5ConnAckException.class, () -> v5.connectWith().simpleAuth()
                .username("dev@acme").password("good".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
            MqttClient v3 = new MqttClient(broker.uri(), "guesser", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setUserName("dev@acme");
            options.setPassword("good".toCharArray());
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1); // no second try with 3.1
            MqttException v3Refused = assertThrows(MqttException.class, () -> v3.connect(options));
            v3.close();

            assertEquals(Mqtt5ConnAckReasonCode.CONNECTION_RATE_EXCEEDED, e.getMqttMessage().getReasonCode());
            assertEquals(MqttException.REASON_CODE_BROKER_UNAVAILABLE, v3Refused.getReasonCode());
            assertEquals(2, broker.broker().tenant(new TenantId("acme")).metrics().authBackoffRefusals.sum());
            assertTrue(broker.broker().tenant(new TenantId("acme")).metrics().authFailures.sum() >= 5);
        }
    }
}
