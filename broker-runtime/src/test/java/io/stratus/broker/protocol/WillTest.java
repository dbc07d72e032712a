package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.stratus.broker.session.Session;
import io.stratus.broker.support.Packets.Connect;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Will Message: published when a connection ends without a normal DISCONNECT (dropped socket,
 * keep-alive timeout, protocol error, 5.0 DISCONNECT 0x04), never after a normal one, after the 5.0
 * Will Delay Interval unless the client comes back first, with its QoS, RETAIN and properties.
 */
class WillTest {

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @BeforeEach
    void startBroker() throws Exception {
        fixture.start();
    }

    // ---- when the will is published --------------------------------------------------------------

    @Test
    void publishesTheWillWhenTheConnectionDropsWithoutDisconnect() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/dropped", MqttQos.AT_LEAST_ONCE);
        RawClient client = connect(Connect.v311("drops").will("will/dropped", "gone", 1, false));

        client.close();

        // [MQTT-3.1.2-8] the network connection closed without a DISCONNECT
        assertEquals("gone", payload(next(wills)));
        assertEquals(1, fixture.broker().metrics().willsPublished.sum());
    }

    @Test
    void publishesTheWillWhenKeepAliveRunsOut() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/silent", MqttQos.AT_LEAST_ONCE);

        RawClient client = connect(Connect.v311("silent").keepAlive(1).will("will/silent", "timed out", 1, false));

        // [MQTT-3.1.2-24] closed after one and a half keep-alive periods of silence; [MQTT-3.1.2-8] will
        assertEquals("timed out", payload(next(wills)));
        assertTrue(client.closedByBroker());
    }

    @Test
    void publishesTheWillWhenTheBrokerClosesTheConnectionForAProtocolError() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/faulty", MqttQos.AT_LEAST_ONCE);
        RawClient client = connect(Connect.v311("faulty").will("will/faulty", "protocol error", 1, false));

        client.send(Connect.v311("faulty").bytes()); // [MQTT-3.1.0-2] a second CONNECT

        assertTrue(client.closedByBroker());
        assertEquals("protocol error", payload(next(wills))); // [MQTT-3.1.2-8]
    }

    @Test
    void publishesTheWillOfAConnectionThatAnotherConnectionTakesOver() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/taken-over", MqttQos.AT_LEAST_ONCE);
        RawClient first = connect(Connect.v311("taken-over").will("will/taken-over", "replaced", 1, false));

        connect(Connect.v311("taken-over"));

        // [MQTT-3.1.4-2] the broker closes the first connection, which did not send DISCONNECT
        assertTrue(first.closedByBroker());
        assertEquals("replaced", payload(next(wills)));
    }

    @Test
    void doesNotPublishTheWillAfterANormalDisconnect() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/normal", MqttQos.AT_LEAST_ONCE);
        MqttClient paho = fixture.clients().pahoV3("normal");
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setWill("will/normal", "must not be sent".getBytes(StandardCharsets.UTF_8), 1, false);
        paho.connect(options);
        RawClient raw = connect(Connect.v311("normal-raw").will("will/normal", "must not be sent", 1, false));

        paho.disconnect();
        raw.send(Packets.DISCONNECT_HEX);
        assertTrue(raw.closedByBroker());
        awaitSessionGone("normal");
        awaitSessionGone("normal-raw");
        publish("will/normal", "marker");

        // [MQTT-3.1.2-10] a DISCONNECT removes the will: the marker published after it comes first
        assertEquals("marker", payload(next(wills)));
        assertEquals(0, fixture.broker().metrics().willsPublished.sum());
    }

    @Test
    void publishesTheWillOnMqtt5DisconnectWithWillMessage() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/asked", MqttQos.AT_LEAST_ONCE);
        Mqtt5BlockingClient client = fixture.clients().hivemq("asks-for-will");
        client.connectWith().willPublish().topic("will/asked").payload(bytes("asked for")).qos(MqttQos.AT_LEAST_ONCE)
            .applyWillPublish().send();

        client.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();

        // §3.14.2.1: reason 0x04 disconnects normally but asks for the will
        assertEquals("asked for", payload(next(wills)));
    }

    // ---- Will Delay Interval ---------------------------------------------------------------------

    @Test
    void publishesTheWillOnlyAfterItsDelay() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/delayed", MqttQos.AT_LEAST_ONCE);
        RawClient client = connect(Connect.v5("delayed").cleanStart(false).sessionExpiry(10)
            .will("will/delayed", "late", 1, false).willDelay(1));
        long closedAt = System.nanoTime();

        client.close();

        Mqtt5Publish will = next(wills);
        long delayMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
        assertEquals("late", payload(will));
        assertTrue(delayMillis >= 900, "published " + delayMillis + " ms after the close, before the 1 s delay");
    }

    @Test
    void doesNotPublishADelayedWillWhenTheClientComesBackInTime() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/returns", MqttQos.AT_LEAST_ONCE);
        RawClient first = connect(Connect.v5("returns").cleanStart(false).sessionExpiry(10)
            .will("will/returns", "must not be sent", 1, false).willDelay(1));
        first.close();
        awaitOffline("returns");

        RawClient second = new RawClient(fixture.broker().host(), fixture.broker().port());
        try {
            second.send(Connect.v5("returns").cleanStart(false).sessionExpiry(10).bytes());
            assertTrue(PacketReader.parseConnAck(second.readPacket(), true).sessionPresent());

            // [MQTT-3.1.3-9] no marker can stand in for time: watch past the delay for a will
            assertEquals(Optional.empty(), wills.receive(1500, TimeUnit.MILLISECONDS));
            assertEquals(0, fixture.broker().metrics().willsPublished.sum());
        } finally {
            second.close();
        }
    }

    @Test
    void doesNotPublishADelayedWillWhenTheSessionIsTakenOver() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/handed-over", MqttQos.AT_LEAST_ONCE);
        RawClient first = connect(Connect.v5("handed-over").cleanStart(false).sessionExpiry(10)
            .will("will/handed-over", "must not be sent", 1, false).willDelay(1));

        connect(Connect.v5("handed-over").cleanStart(false).sessionExpiry(10));

        // [MQTT-3.1.4-3] the old connection is told and closed; [MQTT-3.1.2-8] the new connection came
        // before the delay passed, so no will. No marker can stand in for time: watch past the delay.
        assertEquals(0x8E, PacketReader.disconnectCode(first.readPacket()));
        assertEquals(Optional.empty(), wills.receive(1500, TimeUnit.MILLISECONDS));
        assertEquals(0, fixture.broker().metrics().willsPublished.sum());
    }

    @Test
    void publishesADelayedWillWhenTheSessionEndsFirst() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/expires", MqttQos.AT_LEAST_ONCE);
        RawClient client = connect(Connect.v5("expires").cleanStart(false).sessionExpiry(1)
            .will("will/expires", "session over", 1, false).willDelay(60));

        client.close();

        // §3.1.3.2.2: published when the delay passes or the session ends, whichever is first
        assertEquals("session over", payload(next(wills)));
    }

    @Test
    void publishesADelayedWillAtOnceWhenANewConnectionStartsClean() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/restarted", MqttQos.AT_LEAST_ONCE);
        RawClient first = connect(Connect.v5("restarted").cleanStart(false).sessionExpiry(60)
            .will("will/restarted", "old session ended", 1, false).willDelay(60));
        first.close();
        awaitOffline("restarted");

        connect(Connect.v5("restarted").cleanStart(true));

        // clean start ends the old session, and with it the wait for the will
        assertEquals("old session ended", payload(next(wills)));
    }

    // ---- what is published -----------------------------------------------------------------------

    @Test
    void publishesTheWillWithItsPropertiesUnchanged() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/properties", MqttQos.AT_LEAST_ONCE);
        Mqtt5BlockingClient client = fixture.clients().hivemq("with-properties");
        client.connectWith().willPublish()
            .topic("will/properties").payload(bytes("{\"state\":\"offline\"}")).qos(MqttQos.AT_LEAST_ONCE)
            .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
            .contentType("application/json")
            .responseTopic("will/properties/reply")
            .correlationData(new byte[] {1, 2, 3, (byte) 0xFF})
            .userProperties().add("b", "2").add("a", "1").add("b", "3").applyUserProperties()
            .applyWillPublish().send();

        client.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();

        Mqtt5Publish will = next(wills);
        assertEquals("{\"state\":\"offline\"}", payload(will));
        assertEquals(Optional.of(Mqtt5PayloadFormatIndicator.UTF_8), will.getPayloadFormatIndicator());
        assertEquals("application/json", will.getContentType().orElseThrow().toString());
        assertEquals("will/properties/reply", will.getResponseTopic().orElseThrow().toString());
        byte[] correlation = new byte[will.getCorrelationData().orElseThrow().remaining()];
        will.getCorrelationData().orElseThrow().duplicate().get(correlation);
        assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xFF}, correlation);
        // [MQTT-3.1.3-10] User Properties in their order, duplicates kept
        assertEquals(List.of("b=2", "a=1", "b=3"), will.getUserProperties().asList().stream()
            .map(WillTest::userProperty).toList());
    }

    @Test
    void countsTheMessageExpiryOfTheWillFromItsPublicationNotFromConnect() throws Exception {
        fixture.broker().close();
        fixture.use(TestBroker.startWithManualClock(UnaryOperator.identity()));
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/expiring", MqttQos.AT_LEAST_ONCE);
        RawClient client = connect(Connect.v5("long-lived").will("will/expiring", "fresh", 1, false)
            .willMessageExpiry(30));
        fixture.broker().clock().advance(Duration.ofHours(1)); // connected for an hour, far longer than 30 s

        client.close();

        // §3.1.3.2.4: the will's lifetime starts when it is published, which is sent as its Message Expiry
        Mqtt5Publish will = next(wills);
        assertEquals("fresh", payload(will));
        assertEquals(OptionalLong.of(30), will.getMessageExpiryInterval());
        assertEquals(0, fixture.broker().metrics().droppedExpired.sum());
    }

    @Test
    void storesARetainedWillAsTheRetainedMessageOfItsTopic() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes live = subscribe("will/retained", MqttQos.AT_LEAST_ONCE);
        RawClient client = connect(Connect.v311("retains").will("will/retained", "last words", 1, true));
        client.close();
        assertEquals("last words", payload(next(live)));

        Mqtt5BlockingClient.Mqtt5Publishes later = subscribe("will/retained", MqttQos.AT_LEAST_ONCE);

        // [MQTT-3.1.2-17] Will Retain 1: published as a retained message
        Mqtt5Publish retained = next(later);
        assertEquals("last words", payload(retained));
        assertTrue(retained.isRetain());
    }

    @Test
    void publishesTheWillAtItsQos() throws Exception {
        Mqtt5BlockingClient.Mqtt5Publishes wills = subscribe("will/qos/#", MqttQos.EXACTLY_ONCE);
        RawClient qos2 = connect(Connect.v311("qos-2").will("will/qos/2", "exactly once", 2, false));
        RawClient qos1 = connect(Connect.v311("qos-1").will("will/qos/1", "at least once", 1, false));

        qos2.close();
        Mqtt5Publish first = next(wills);
        qos1.close();
        Mqtt5Publish second = next(wills);

        // §3.1.2.6: the will is published with its Will QoS (the subscription allows up to 2)
        assertEquals("exactly once", payload(first));
        assertEquals(MqttQos.EXACTLY_ONCE, first.getQos());
        assertEquals("at least once", payload(second));
        assertEquals(MqttQos.AT_LEAST_ONCE, second.getQos());
        assertFalse(first.isRetain());
    }

    // ---- wills that are refused -------------------------------------------------------------------

    @Test
    void closesTheConnectionOfAWillWithQos3() throws Exception {
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v311("will-qos-3").will("will/qos3", "x", 3, false).bytes());

        // [MQTT-3.1.2-14] Will QoS 3 is not allowed: the CONNECT is not accepted
        assertNotAccepted(raw, false);
    }

    @Test
    void refusesAWillTopicWithAWildcard() throws Exception {
        RawClient v5 = fixture.clients().raw();
        RawClient v311 = fixture.clients().raw();

        v5.send(Connect.v5("will-wildcard-5").will("will/#", "x", 1, false).bytes());
        v311.send(Connect.v311("will-wildcard-311").will("will/+", "x", 1, false).bytes());

        // the Will Topic is a topic name, and topic names carry no wildcards [MQTT-4.7.1-1]
        assertEquals(0x90, PacketReader.parseConnAck(v5.readPacket(), true).code(), "Topic Name invalid");
        assertTrue(v5.closedByBroker());
        assertNotAccepted(v311, false);
    }

    @Test
    void refusesAWillWhosePayloadIsNotTheUtf8ItDeclares() throws Exception {
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v5("will-not-utf8").will("will/format", new byte[] {(byte) 0xC3, 0x28}, 1, false)
            .willPayloadFormat(1).bytes());

        // §3.1.3.2.3: the server may check the declared format and refuse with 0x99 Payload format invalid
        assertEquals(0x99, PacketReader.parseConnAck(raw.readPacket(), true).code());
        assertTrue(raw.closedByBroker());
    }

    @Test
    void refusesAWillOnATopicReservedToTheBroker() throws Exception {
        RawClient v5 = fixture.clients().raw();
        RawClient v311 = fixture.clients().raw();

        v5.send(Connect.v5("will-sys-5").will("$SYS/broker/fake", "x", 1, false).bytes());
        v311.send(Connect.v311("will-sys-311").will("$SYS/broker/fake", "x", 1, false).bytes());

        // $ topics belong to the broker: clients may not publish there, not even by will
        assertEquals(0x87, PacketReader.parseConnAck(v5.readPacket(), true).code(), "Not authorized");
        assertEquals(0x05, PacketReader.parseConnAck(v311.readPacket(), false).code(), "not authorized");
        assertTrue(v5.closedByBroker());
        assertTrue(v311.closedByBroker());
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Asserts the CONNECT was not accepted: at most a CONNACK with an error code, then the close. */
    private static void assertNotAccepted(RawClient raw, boolean v5) throws Exception {
        byte[] answer;
        try {
            answer = raw.readPacket();
        } catch (java.io.EOFException closedWithoutAnswer) {
            return;
        }
        assertTrue(PacketReader.parseConnAck(answer, v5).code() != 0, "the CONNECT was accepted");
        assertTrue(raw.closedByBroker());
    }

    /** @return the messages a new HiveMQ client subscribed to {@code filter} receives */
    private Mqtt5BlockingClient.Mqtt5Publishes subscribe(String filter, MqttQos qos) {
        Mqtt5BlockingClient subscriber = fixture.clients().hivemq(null);
        Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL);
        subscriber.connect();
        subscriber.subscribeWith().topicFilter(filter).qos(qos).send();
        return publishes;
    }

    /** @return a raw connection whose CONNECT was accepted */
    private RawClient connect(Connect connect) throws Exception {
        RawClient raw = fixture.clients().raw();
        raw.send(connect.bytes());
        byte[] connAck = raw.readPacket();
        assertEquals(0, PacketReader.parseConnAck(connAck, connect.isV5()).code());
        return raw;
    }

    private void publish(String topic, String payload) {
        Mqtt5BlockingClient publisher = fixture.clients().hivemq(null);
        publisher.connect();
        publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes(payload)).send();
        publisher.disconnect();
    }

    private static Mqtt5Publish next(Mqtt5BlockingClient.Mqtt5Publishes publishes) throws InterruptedException {
        return publishes.receive(5, TimeUnit.SECONDS).orElseGet(() -> fail("no message within 5 s"));
    }

    private static String payload(Mqtt5Publish publish) {
        return new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String userProperty(Mqtt5UserProperty p) {
        return p.getName() + "=" + p.getValue();
    }

    private void awaitOffline(String clientId) throws InterruptedException {
        Eventually.await(Duration.ofSeconds(5), clientId + " offline", () -> {
            Session s = fixture.broker().defaultTenant().sessions().get(clientId);
            return s != null && !s.isOnline();
        });
    }

    private void awaitSessionGone(String clientId) throws InterruptedException {
        Eventually.await(Duration.ofSeconds(5), "session of " + clientId + " ended",
            () -> fixture.broker().defaultTenant().sessions().get(clientId) == null);
    }
}
