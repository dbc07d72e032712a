package io.stratus.broker.tenant;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.metrics.TenantMetrics;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.PacketReader.Packet;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.stratus.broker.support.Packets.CONNACK;
import static io.stratus.broker.support.Packets.DISCONNECT;
import static io.stratus.broker.support.Packets.PUBACK;
import static io.stratus.broker.support.PacketReader.expectClosedWithoutAnswer;
import static io.stratus.broker.support.PacketReader.expectConnAck;
import static io.stratus.broker.support.PacketReader.expectSuccessAck;
import static io.stratus.broker.support.Packets.MAXIMUM_PACKET_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each tenant's limits from the tenants file, enforced on real clients: connections, publish rates
 * per client and per tenant, packet size, subscriptions and queued messages; and one tenant at its
 * limit leaves another untouched.
 */
class TenantLimitsTest {

    private static final String TENANTS = """
        {"tenants": [
          {"id": "capped", "auth": [{"type": "anonymous"}], "limits": {"max-connections": 2}},
          {"id": "paced", "auth": [{"type": "anonymous"}],
           "limits": {"max-messages-per-second-per-client": 20, "max-bytes-per-second-per-client": 4000}},
          {"id": "noisy", "auth": [{"type": "anonymous"}], "limits": {"max-messages-per-second": 50}},
          {"id": "quiet", "auth": [{"type": "anonymous"}]},
          {"id": "small", "auth": [{"type": "anonymous"}],
           "limits": {"max-packet-size": 512, "max-subscriptions-per-client": 2, "max-queued-messages": 3}}
        ]}
        """;

    private static TestBroker broker;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        BrokerConfig d = BrokerConfig.defaults();
        // $SYS every second, for the test that reads the limit counters there
        BrokerConfig config = new BrokerConfig(d.listeners(), d.limits(), true, 1, d.shutdownGraceSeconds());
        broker = TestBroker.start(config, StaticTenantDirectory.of(
            TenantsFile.parse(TENANTS.getBytes(StandardCharsets.UTF_8), "test")));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void disconnectClients() throws InterruptedException {
        for (Mqtt5BlockingClient c : clients) {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
        // the next test starts with the capped tenant's places free
        Eventually.await(Duration.ofSeconds(5), "the capped tenant's connections ended",
            () -> space("capped").quota().connections() == 0);
    }

    private static TenantSpace space(String tenant) {
        return broker.broker().tenant(new TenantId(tenant));
    }

    private static TenantMetrics metrics(String tenant) {
        return space(tenant).metrics();
    }

    /** A 5.0 client of {@code tenant} (named by its user name), not connected yet. */
    private Mqtt5BlockingClient client(String clientId, CompletableFuture<Throwable> disconnected) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(clientId).serverHost(broker.host())
            .serverPort(broker.port())
            .addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause()))
            .buildBlocking();
        clients.add(c);
        return c;
    }

    private Mqtt5BlockingClient connected(String clientId, String tenant) {
        Mqtt5BlockingClient c = client(clientId, new CompletableFuture<>());
        c.connectWith().simpleAuth().username(clientId + "@" + tenant).applySimpleAuth().send();
        return c;
    }

    private static RawClient raw5(String clientId, String tenant) throws Exception {
        RawClient c = new RawClient(broker.host(), broker.port());
        c.send(Packets.Connect.v5(clientId).userName(clientId + "@" + tenant).bytes());
        return c;
    }

    private static byte[] payload(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    // ---- connections --------------------------------------------------------------------------

    @Test
    void refusesAConnectionBeyondTheTenantsMaxConnectionsWithQuotaExceeded() throws Exception {
        // given: the tenant's two connections open
        long refusedBefore = metrics("capped").connectionsOverQuota.sum();
        Mqtt5BlockingClient first = connected("c1", "capped");
        connected("c2", "capped");

        // when: a third 5.0 and a 3.1.1 client try
        Mqtt5ConnAckException refused = assertThrows(Mqtt5ConnAckException.class, () -> client("c3",
            new CompletableFuture<>()).connectWith().simpleAuth().username("c3@capped").applySimpleAuth().send());
        MqttClient paho = new MqttClient(broker.uri(), "c4", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName("c4@capped");
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1); // no second try with 3.1
        MqttException v3Refused = assertThrows(MqttException.class, () -> paho.connect(options));
        paho.close();

        // then: 0x97 Quota exceeded and 3.1.1 server unavailable; counted; another tenant is not affected
        assertEquals(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED, refused.getMqttMessage().getReasonCode());
        assertEquals(MqttException.REASON_CODE_BROKER_UNAVAILABLE, v3Refused.getReasonCode());
        assertEquals(2, metrics("capped").connectionsOverQuota.sum() - refusedBefore);
        assertTrue(connected("c1", "quiet").getState().isConnected());

        // and a place that frees up can be taken again
        first.disconnect();
        Eventually.await(Duration.ofSeconds(5), "the first connection's place is given back",
            () -> space("capped").quota().connections() == 1);
        assertTrue(connected("c5", "capped").getState().isConnected());
    }

    // ---- publish rates --------------------------------------------------------------------------

    @Test
    void disconnectsAClientPublishingFasterThanItsRateWithMessageRateTooHigh() throws Exception {
        // given: a client within its rate, and one that is not
        Mqtt5BlockingClient calm = connected("calm", "paced");
        CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
        Mqtt5BlockingClient flooder = client("flooder", disconnected);
        flooder.connectWith().simpleAuth().username("flooder@paced").applySimpleAuth().send();
        for (int i = 0; i < 10; i++) {
            calm.publishWith().topic("calm").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
        }

        // when: the flooder sends far more than 20 messages at once
        for (int i = 0; i < 200 && flooder.getState().isConnected(); i++) {
            try {
                flooder.publishWith().topic("flood").payload(new byte[] {1}).send();
            } catch (RuntimeException closedMeanwhile) {
                break;
            }
        }

        // then
        Mqtt5DisconnectException e = assertInstanceOf(Mqtt5DisconnectException.class,
            disconnected.get(10, TimeUnit.SECONDS));
        assertEquals(Mqtt5DisconnectReasonCode.MESSAGE_RATE_TOO_HIGH, e.getMqttMessage().getReasonCode());
        assertTrue(calm.getState().isConnected(), "a client within its rate stays");
        assertTrue(metrics("paced").rateLimitDisconnects.sum() >= 1);
    }

    @Test
    void disconnectsAClientPublishingMoreBytesPerSecondThanItsRate() throws Exception {
        try (RawClient c = raw5("heavy", "paced")) {
            expectConnAck(c, true);

            // 4000 bytes a second with a second of burst: the fifth kilobyte packet is one too many
            for (int id = 1; id <= 5; id++) {
                c.send(Packets.publish(1, false, false, id, "heavy", Packets.noProperties(), payload(1000)));
            }

            for (int id = 1; id <= 3; id++) {
                expectSuccessAck(c, true, PUBACK, id);
            }
            Packet last = Packet.parse(c.readPacket(), true);
            if (last.type() == PUBACK) {
                last = Packet.parse(c.readPacket(), true);
            }
            last.expectType(DISCONNECT);
            assertEquals(0x96, last.reasonCode(), "Message rate too high");
        }
    }

    @Test
    void closesAnMqtt311ClientPublishingFasterThanItsRate() throws Exception {
        try (RawClient c = new RawClient(broker.host(), broker.port())) {
            c.send(Packets.Connect.v311("flood-311").userName("flood-311@paced").bytes());
            expectConnAck(c, false);

            byte[] one = Packets.publish311(0, 0, "flood", "x");
            byte[] many = new byte[one.length * 100];
            for (int i = 0; i < 100; i++) {
                System.arraycopy(one, 0, many, i * one.length, one.length);
            }
            c.send(many);

            expectClosedWithoutAnswer(c); // 3.1.1 has no DISCONNECT from the server
        }
    }

    @Test
    void cutsOffATenantFloodingBeyondItsRateWhileAnotherTenantGetsEverything() throws Exception {
        // given: a subscriber and a publisher of the quiet tenant
        Mqtt5BlockingClient subscriber = connected("sub", "quiet");
        Mqtt5BlockingClient publisher = connected("pub", "quiet");
        int count = 500;
        AtomicBoolean quietDone = new AtomicBoolean();
        ExecutorService flooders = Executors.newFixedThreadPool(2);
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter("data/#").qos(MqttQos.AT_LEAST_ONCE).send();

            // when: two clients of the noisy tenant flood it, reconnecting each time they are cut off,
            // for as long as the quiet tenant works
            List<Future<Integer>> cutOffs = new ArrayList<>();
            for (int f = 0; f < 2; f++) {
                String id = "flood-" + f;
                cutOffs.add(flooders.submit(() -> floodUntil(id, quietDone)));
            }
            for (int i = 0; i < count; i++) {
                publisher.publishWith().topic("data/" + i).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8)).send();
            }

            // then: the quiet subscriber gets every message, in order
            for (int i = 0; i < count; i++) {
                Optional<Mqtt5Publish> m = inbox.receive(10, TimeUnit.SECONDS);
                assertTrue(m.isPresent(), "message " + i + " of the quiet tenant");
                assertEquals("data/" + i, m.get().getTopic().toString());
            }
            quietDone.set(true);
            int noisyCutOffs = 0;
            for (Future<Integer> c : cutOffs) {
                noisyCutOffs += c.get(30, TimeUnit.SECONDS);
            }
            assertTrue(noisyCutOffs >= 1, "the noisy tenant was cut off");
            assertTrue(metrics("noisy").rateLimitDisconnects.sum() >= noisyCutOffs);
            assertEquals(0, metrics("quiet").rateLimitDisconnects.sum());
            assertTrue(subscriber.getState().isConnected() && publisher.getState().isConnected());
        } finally {
            quietDone.set(true);
            flooders.shutdownNow();
        }
    }

    /** @return how often the client was disconnected with 0x96 until {@code done} */
    private int floodUntil(String clientId, AtomicBoolean done) throws Exception {
        int cutOffs = 0;
        while (!done.get()) {
            CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
            Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(clientId).serverHost(broker.host())
                .serverPort(broker.port()).addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause()))
                .buildBlocking();
            c.connectWith().simpleAuth().username(clientId + "@noisy").applySimpleAuth().send();
            for (int i = 0; i < 1000 && c.getState().isConnected() && !done.get(); i++) {
                try {
                    c.publishWith().topic("data/" + i).payload(new byte[64]).send();
                } catch (RuntimeException closedMeanwhile) {
                    break;
                }
            }
            if (c.getState().isConnected()) {
                try {
                    c.disconnect();
                    continue;
                } catch (RuntimeException cutOffMeanwhile) {
                    // the broker's DISCONNECT came first: counted below
                }
            }
            Throwable cause = disconnected.get(10, TimeUnit.SECONDS);
            if (cause instanceof Mqtt5DisconnectException d
                && d.getMqttMessage().getReasonCode() == Mqtt5DisconnectReasonCode.MESSAGE_RATE_TOO_HIGH) {
                cutOffs++;
            }
        }
        return cutOffs;
    }

    // ---- packet size, subscriptions, queue --------------------------------------------------------

    @Test
    void announcesTheTenantsMaximumPacketSizeAndDisconnectsALargerPublish() throws Exception {
        try (RawClient c = raw5("big", "small")) {
            Packet connAck = Packet.parse(c.readPacket(), true);
            connAck.expectType(CONNACK);
            assertEquals(512, connAck.property(MAXIMUM_PACKET_SIZE).number());

            c.send(Packets.publish(1, false, false, 1, "t", Packets.noProperties(), payload(400)));
            expectSuccessAck(c, true, PUBACK, 1);
            c.send(Packets.publish(1, false, false, 2, "t", Packets.noProperties(), payload(600)));

            Packet disconnect = Packet.parse(c.readPacket(), true);
            disconnect.expectType(DISCONNECT);
            assertEquals(0x95, disconnect.reasonCode(), "Packet too large");
        }
        assertEquals(1, metrics("small").packetTooLargeDisconnects.sum());
    }

    @Test
    void refusesSubscriptionsBeyondTheTenantsMaximumWithQuotaExceeded() {
        Mqtt5BlockingClient c = connected("subs", "small");

        List<Mqtt5SubAckReasonCode> codes;
        try {
            codes = c.subscribeWith().addSubscription().topicFilter("a").applySubscription()
                .addSubscription().topicFilter("b").applySubscription()
                .addSubscription().topicFilter("c").applySubscription().send().getReasonCodes();
        } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException e) {
            codes = e.getMqttMessage().getReasonCodes();
        }

        assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_2, Mqtt5SubAckReasonCode.GRANTED_QOS_2,
            Mqtt5SubAckReasonCode.QUOTA_EXCEEDED), codes);
        assertEquals(1, metrics("small").subscriptionsOverQuota.sum());
    }

    @Test
    void queuesNoMoreThanTheTenantsMaximumForAnOfflineSession() throws Exception {
        // given: a persistent session subscribed at QoS 1, then offline
        Mqtt5BlockingClient sub = client("offline", new CompletableFuture<>());
        sub.connectWith().cleanStart(true).sessionExpiryInterval(300).simpleAuth().username("offline@small")
            .applySimpleAuth().send();
        sub.subscribeWith().topicFilter("q/#").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.disconnect();
        long droppedBefore = metrics("small").droppedQueueFull.sum();

        // when: six messages arrive for it
        Mqtt5BlockingClient pub = connected("pub", "small");
        for (int i = 0; i < 6; i++) {
            pub.publishWith().topic("q/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {(byte) i}).send();
        }

        // then: three were queued, three dropped and counted (on the session's lane, after the PUBACKs)
        Eventually.await(Duration.ofSeconds(5), "three drops counted",
            () -> metrics("small").droppedQueueFull.sum() - droppedBefore == 3);
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.connectWith().cleanStart(false).sessionExpiryInterval(0).simpleAuth().username("offline@small")
                .applySimpleAuth().send();
            for (int i = 0; i < 3; i++) {
                assertEquals("q/" + i, inbox.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString());
            }
            pub.publishWith().topic("q/marker").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {9}).send();
            assertEquals("q/marker", inbox.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString());
        }
    }

    // ---- $SYS ---------------------------------------------------------------------------------

    @Test
    void publishesTheTenantsLimitCountersInSys() throws Exception {
        // given: one refusal counted in the tenant
        connected("s1", "capped");
        connected("s2", "capped");
        assertThrows(Mqtt5ConnAckException.class, () -> client("s3", new CompletableFuture<>()).connectWith()
            .simpleAuth().username("s3@capped").applySimpleAuth().send());
        long refused = metrics("capped").connectionsOverQuota.sum();
        assertTrue(refused >= 1);
        clients.get(0).disconnect();
        Eventually.await(Duration.ofSeconds(5), "a place for the reader",
            () -> space("capped").quota().connections() < 2);
        Mqtt5BlockingClient reader = connected("reader", "capped");

        // when: it reads its $SYS limit counters
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = reader.publishes(MqttGlobalPublishFilter.ALL)) {
            reader.subscribeWith().topicFilter("$SYS/broker/limits/#").send();

            // then: the connection refusals appear (retained now, or with the next round)
            long seen = -1;
            while (seen < refused) {
                Mqtt5Publish p = inbox.receive(10, TimeUnit.SECONDS).orElseThrow();
                if (p.getTopic().toString().equals("$SYS/broker/limits/connections refused")) {
                    seen = Long.parseLong(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
                }
            }
            assertTrue(seen >= refused);
        }
    }
}
