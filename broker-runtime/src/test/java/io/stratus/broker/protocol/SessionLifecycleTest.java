package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.stratus.broker.session.Session;
import io.stratus.broker.support.Packets.Connect;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How long a session lives: clean session and clean start, persistent sessions that keep subscriptions
 * and queue messages while the client is away, the 5.0 Session Expiry Interval, and the bound on the
 * offline queue.
 */
class SessionLifecycleTest {

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();
    private Mqtt5BlockingClient publisher;

    // ---- 3.1.1 clean and persistent sessions -----------------------------------------------------

    @Test
    void discardsTheSessionOfACleanSessionClientAtDisconnect() throws Exception {
        fixture.start();
        MqttClient client = fixture.clients().pahoV3("clean-311");
        SubscriberInbox inbox = new SubscriberInbox();
        client.setCallback(inbox.pahoV3());
        client.connect(options311(true));
        client.subscribe("lifecycle/clean", 1);
        client.disconnect();
        awaitSessionGone("clean-311");

        boolean sessionPresent = client.connectWithResult(options311(false)).getSessionPresent();
        client.subscribe("lifecycle/marker", 1);
        publish("lifecycle/clean", "to the old subscription", 1);
        publish("lifecycle/marker", "marker", 1);

        // [MQTT-3.1.2-6] a clean session lasts as long as the network connection
        assertFalse(sessionPresent);
        assertEquals(List.of(), inbox.until("marker"), "the old subscription is gone");
    }

    @Test
    void startsAFreshSessionWhenCleanSessionIsSetThoughOneExists() throws Exception {
        fixture.start();
        MqttClient persistent = fixture.clients().pahoV3("replaced-311");
        SubscriberInbox inbox = new SubscriberInbox();
        persistent.setCallback(inbox.pahoV3());
        persistent.connect(options311(false));
        persistent.subscribe("lifecycle/replaced", 1);
        persistent.disconnect();
        awaitOffline("replaced-311");

        boolean presentWithClean = persistent.connectWithResult(options311(true)).getSessionPresent();
        persistent.subscribe("lifecycle/marker", 1);
        publish("lifecycle/replaced", "to the old subscription", 1);
        publish("lifecycle/marker", "marker", 1);

        // [MQTT-3.1.2-6] the previous session is discarded; [MQTT-3.2.2-1] Session Present is 0
        assertFalse(presentWithClean);
        assertEquals(List.of(), inbox.until("marker"), "the old subscription went with its session");
    }

    @Test
    void keepsSubscriptionsAndQueuesQos1And2MessagesOfAPersistentSessionWhileOffline() throws Exception {
        fixture.start();
        MqttClient subscriber = fixture.clients().pahoV3("persistent-311");
        SubscriberInbox inbox = new SubscriberInbox();
        subscriber.setCallback(inbox.pahoV3());
        subscriber.connect(options311(false));
        subscriber.subscribe("lifecycle/persistent/#", 2);
        subscriber.disconnect();
        awaitOffline("persistent-311");

        publish("lifecycle/persistent/a", "at most once", 0);
        publish("lifecycle/persistent/b", "at least once", 1);
        publish("lifecycle/persistent/c", "exactly once", 2);
        boolean sessionPresent = subscriber.connectWithResult(options311(false)).getSessionPresent();
        // Paho hands a QoS 2 message over at PUBREL: a QoS 2 marker is handed over after it, a QoS 1 one may not be
        publish("lifecycle/persistent/d", "marker", 2);

        // [MQTT-3.2.2-2] the session resumes; [MQTT-3.1.2-5] its subscriptions and the QoS 1 and 2
        // messages that came while it was offline are kept (QoS 0 ones are not: the broker's choice)
        assertTrue(sessionPresent);
        List<SubscriberInbox.Received> delivered = inbox.until("marker");
        assertEquals(List.of("at least once", "exactly once"), delivered.stream().map(SubscriberInbox.Received::payload).toList());
        assertEquals(1, delivered.get(0).qos());
        assertEquals(2, delivered.get(1).qos());
        assertEquals(1, fixture.broker().metrics().droppedOffline.sum(), "the QoS 0 message is counted as dropped");
    }

    @Test
    void boundsTheOfflineQueueAndCountsWhatOverflows() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.maxQueuedMessages(3)));
        MqttClient subscriber = fixture.clients().pahoV3("bounded-311");
        SubscriberInbox inbox = new SubscriberInbox();
        subscriber.setCallback(inbox.pahoV3());
        subscriber.connect(options311(false));
        subscriber.subscribe("lifecycle/bounded", 1);
        subscriber.disconnect();
        awaitOffline("bounded-311");

        for (int i = 1; i <= 5; i++) {
            publish("lifecycle/bounded", "m" + i, 1);
        }
        subscriber.connect(options311(false));
        publish("lifecycle/bounded", "marker", 1);

        // the oldest three were kept; the two that found the queue full are dropped and counted
        assertEquals(List.of("m1", "m2", "m3"),
            inbox.until("marker").stream().map(SubscriberInbox.Received::payload).toList());
        assertEquals(2, fixture.broker().metrics().droppedQueueFull.sum());
    }

    // ---- 5.0 clean start and session expiry ------------------------------------------------------

    @Test
    void endsAnMqtt5SessionAtDisconnectWhenItsExpiryIntervalIsZero() throws Exception {
        fixture.start();
        Mqtt5BlockingClient client = fixture.clients().hivemq("expiry-zero");
        client.connectWith().cleanStart(false).sessionExpiryInterval(0).send();
        client.subscribeWith().topicFilter("lifecycle/zero").qos(MqttQos.AT_LEAST_ONCE).send();

        client.disconnect();

        // §3.1.2.11.2: an interval of 0 ends the session when the network connection closes
        awaitSessionGone("expiry-zero");
        assertFalse(client.connectWith().cleanStart(false).send().isSessionPresent()); // [MQTT-3.2.2-3]
    }

    @Test
    void resumesAnMqtt5SessionWithinItsExpiryIntervalWithTheMessagesQueuedMeanwhile() throws Exception {
        fixture.start();
        Mqtt5BlockingClient client = fixture.clients().hivemq("expiry-long");
        try (Mqtt5BlockingClient.Mqtt5Publishes received = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
            client.subscribeWith().topicFilter("lifecycle/long").qos(MqttQos.AT_LEAST_ONCE).send();
            client.disconnect();
            awaitOffline("expiry-long");

            publish("lifecycle/long", "while away", 1);
            boolean sessionPresent = client.connectWith().cleanStart(false).sessionExpiryInterval(60).send()
                .isSessionPresent();

            // [MQTT-3.2.2-3]
            assertTrue(sessionPresent);
            assertEquals("while away", payload(received.receive(5, TimeUnit.SECONDS).orElse(null)));
        }
    }

    @Test
    void endsAnMqtt5SessionOnceItsExpiryIntervalHasPassed() throws Exception {
        fixture.start();
        Mqtt5BlockingClient client = fixture.clients().hivemq("expiry-short");
        client.connectWith().cleanStart(false).sessionExpiryInterval(1).send();
        client.subscribeWith().topicFilter("lifecycle/short").qos(MqttQos.AT_LEAST_ONCE).send();
        long disconnectedAt = System.nanoTime();

        client.disconnect();

        // nothing on the wire tells when a session expires: watch the broker's sessions
        awaitSessionGone("expiry-short");
        long lived = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - disconnectedAt);
        assertTrue(lived >= 900, "the session ended after " + lived + " ms, before its 1 s expiry");
        assertFalse(client.connectWith().cleanStart(false).send().isSessionPresent());
        assertEquals(0, fixture.broker().metrics().droppedSessionEnded.sum(), "nothing was queued, nothing lost");
    }

    @Test
    void grantsAtMostTheConfiguredSessionExpiryAndSaysSoInConnack() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.maxSessionExpirySeconds(60)));
        Mqtt5BlockingClient greedy = fixture.clients().hivemq("expiry-greedy");
        Mqtt5BlockingClient modest = fixture.clients().hivemq("expiry-modest");

        Mqtt5ConnAck cut = greedy.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
        Mqtt5ConnAck kept = modest.connectWith().cleanStart(false).sessionExpiryInterval(30).send();

        // §3.2.2.3.2: a Session Expiry Interval in CONNACK tells the client the value in force
        assertEquals(OptionalLong.of(60), cut.getSessionExpiryInterval());
        assertEquals(OptionalLong.empty(), kept.getSessionExpiryInterval(), "the client's own interval applies");
    }

    @Test
    void discardsAnMqtt5SessionAndItsQueueOnCleanStart() throws Exception {
        fixture.start();
        Mqtt5BlockingClient client = fixture.clients().hivemq("clean-start");
        client.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        client.subscribeWith().topicFilter("lifecycle/clean-start").qos(MqttQos.AT_LEAST_ONCE).send();
        client.disconnect();
        awaitOffline("clean-start");
        publish("lifecycle/clean-start", "queued", 1);

        boolean sessionPresent = client.connectWith().cleanStart(true).sessionExpiryInterval(60).send()
            .isSessionPresent();

        // [MQTT-3.1.2-4] the existing session is discarded, [MQTT-3.2.2-2] Session Present 0
        assertFalse(sessionPresent);
        assertEquals(1, fixture.broker().metrics().droppedSessionEnded.sum(), "the queued message went with it");
        assertTrue(fixture.broker().defaultTenant().sessions().get("clean-start").subscriptions().isEmpty());
    }

    @Test
    void endsTheSessionAtOnceWhenDisconnectSetsItsExpiryToZero() throws Exception {
        fixture.start();
        Mqtt5BlockingClient client = fixture.clients().hivemq("expiry-cut");
        client.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        client.subscribeWith().topicFilter("lifecycle/cut").qos(MqttQos.AT_LEAST_ONCE).send();

        client.disconnectWith().sessionExpiryInterval(0).send();

        // §3.14.2.2.2: the interval given at DISCONNECT replaces the one from CONNECT
        awaitSessionGone("expiry-cut");
        assertFalse(client.connectWith().cleanStart(false).send().isSessionPresent());
    }

    @Test
    void keepsTheSessionLongerWhenDisconnectExtendsItsExpiry() throws Exception {
        fixture.start();
        Mqtt5BlockingClient client = fixture.clients().hivemq("expiry-extended");
        client.connectWith().cleanStart(false).sessionExpiryInterval(1).send();
        client.subscribeWith().topicFilter("lifecycle/extended").qos(MqttQos.AT_LEAST_ONCE).send();

        client.disconnectWith().sessionExpiryInterval(60).send();

        // no marker can show that something did not expire: watch it for longer than the old interval
        awaitOffline("expiry-extended");
        assertSessionLastsAtLeast("expiry-extended", Duration.ofMillis(1500));
        assertTrue(client.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent());
    }

    @Test
    void treatsNonZeroExpiryAtDisconnectAfterZeroAtConnectAsProtocolError() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();
        raw.send(Connect.v5("expiry-from-zero").cleanStart(false).bytes());
        assertEquals(0, PacketReader.parseConnAck(raw.readPacket(), true).code());

        raw.send(Packets.disconnect5(0x00, 60));

        // §3.14.2.2.2: not a valid DISCONNECT but a Protocol Error (0x82); the session ends (interval 0)
        assertEquals(0x82, PacketReader.disconnectCode(raw.readPacket()));
        assertTrue(raw.closedByBroker());
        awaitSessionGone("expiry-from-zero");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static MqttConnectOptions options311(boolean cleanSession) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(cleanSession);
        return options;
    }

    /**
     * Publishes from one publisher connection for the whole test and, at QoS 1 and 2, waits for the
     * broker's acknowledgement: by then the broker has handed on this and every earlier message.
     */
    private void publish(String topic, String payload, int qos) {
        if (publisher == null) {
            publisher = fixture.clients().hivemq("publisher");
            publisher.connect();
        }
        publisher.publishWith().topic(topic).qos(MqttQos.fromCode(qos))
            .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }


    private static String payload(Mqtt5Publish publish) {
        assertNotNull(publish, "no message arrived within 5 s");
        return new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    /** The broker notices a DISCONNECT or a closed socket on its own time: wait until the session is offline. */
    private void awaitOffline(String clientId) throws InterruptedException {
        Eventually.await(Duration.ofSeconds(5), clientId + " offline", () -> {
            Session s = fixture.broker().defaultTenant().sessions().get(clientId);
            return s != null && !s.isOnline();
        });
    }

    private void awaitSessionGone(String clientId) throws InterruptedException {
        Eventually.await(Duration.ofSeconds(4), "session of " + clientId + " ended",
            () -> fixture.broker().defaultTenant().sessions().get(clientId) == null);
    }

    private void assertSessionLastsAtLeast(String clientId, Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            assertNotNull(fixture.broker().defaultTenant().sessions().get(clientId), "the session of " + clientId + " ended");
            Thread.sleep(20);
        }
    }
}
