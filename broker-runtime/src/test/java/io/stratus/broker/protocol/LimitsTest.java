package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configurable limits on topics, client identifiers and connections, seen from clients. */
class LimitsTest {

    private static final int V311 = 4;
    private static final int V5 = 5;
    /** Exactly {@code maxTopicLength} below: 16 UTF-8 bytes. */
    private static final String TOPIC_16 = "abcdefghijklmnop";

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    /** Starts a broker with topics of at most 16 bytes and 3 levels, 8-character client ids, 2 connections. */
    private void startBroker() throws Exception {
        startBroker(2);
    }

    private void startBroker(int maxConnections) throws Exception {
        fixture.start(l -> new LimitsConfig(l.maxPacketSize(), 16, 3, 8, l.receiveMaximum(),
            l.maxInflightOutbound(), l.maxQueuedMessages(), l.maxQueuedBytes(), maxConnections,
            l.maxKeepAliveSeconds(),
            l.topicAliasMaximum(), l.maxSessionExpirySeconds(), l.maxSubscriptionsPerClient(),
            l.connectTimeoutSeconds(), l.slowConsumerTimeoutSeconds()));
    }

    @ParameterizedTest(name = "topic {0}")
    @ValueSource(strings = {TOPIC_16 + "q", "a/b/c/d"})
    void disconnectsAnMqtt5PublisherWhoseTopicExceedsALimit(String topic) throws Exception {
        // given
        startBroker();
        RawClient raw = fixture.clients().raw(V5, "pub-5");
        raw.send(Packets.publish(V5, TOPIC_16, 1, false, 1, "at the length limit"));
        assertEquals(Packets.PUBACK, PacketReader.type(raw.readPacket()));
        raw.send(Packets.publish(V5, "a/b/c", 1, false, 2, "at the level limit"));
        assertEquals(Packets.PUBACK, PacketReader.type(raw.readPacket()));

        // when
        raw.send(Packets.publish(V5, topic, 1, false, 3, "over"));

        // then: 0x90 Topic Name invalid
        assertEquals(0x90, PacketReader.disconnectCode(raw.readPacket()));
        assertTrue(raw.closedByBroker());
    }

    @ParameterizedTest(name = "topic {0}")
    @ValueSource(strings = {TOPIC_16 + "q", "a/b/c/d"})
    void closesTheConnectionOfAV311PublisherWhoseTopicExceedsALimit(String topic) throws Exception {
        // given
        startBroker();
        RawClient raw = fixture.clients().raw(V311, "long-311");

        // when
        raw.send(Packets.publish(V311, topic, 1, false, 1, "over"));

        // then: 3.1.1 has no DISCONNECT from the server; no PUBACK either
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void disconnectsAHivemqPublisherWhoseTopicIsTooLong() throws Exception {
        // given
        startBroker();
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient client = fixture.clients().hivemq("hive-pub", inbox);

        // when: QoS 0, so the client waits for nothing but the broker's answer to the connection
        client.publishWith().topic(TOPIC_16 + "q").payload("over".getBytes(StandardCharsets.UTF_8))
            .qos(MqttQos.AT_MOST_ONCE).send();

        // then
        assertEquals(0x90, inbox.nextDisconnectReason());
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {V311, V5})
    void refusesSubscriptionsWhoseFilterExceedsALimit(int version) throws Exception {
        // given
        startBroker();
        RawClient raw = fixture.clients().raw(version, "filter-" + version);

        // when
        raw.send(Packets.subscribe(version, 1, -1,
            TOPIC_16, 1, TOPIC_16 + "q", 1, "a/b/+", 1, "a/b/c/#", 1, "$share/g/a/b/c", 1));

        // then: over the length or level limit is 0x8F (3.1.1: 0x80); the share prefix counts no levels
        int failure = version == V5 ? 0x8F : 0x80;
        assertArrayEquals(new int[] {1, failure, 1, failure, 1}, PacketReader.ackCodes(version, raw.readPacket()));
    }

    @Test
    void refusesClientIdentifiersLongerThanTheLimit() throws Exception {
        // given: room for more connections than the test opens, so that a connection the broker has
        // not finished closing cannot turn an identifier refusal into a connection-limit refusal
        startBroker(10);

        // when / then: 8 characters are accepted, 9 are not (5.0: 0x85, 3.1.1: 0x02)
        try (RawClient atLimit = new RawClient(fixture.broker().host(), fixture.broker().port());
             RawClient v5 = new RawClient(fixture.broker().host(), fixture.broker().port())) {
            atLimit.send(Packets.connect(V5, "12345678"));
            assertEquals(0x00, PacketReader.connAckCode(atLimit.readPacket()));
            v5.send(Packets.connect(V5, "123456789"));
            assertEquals(0x85, PacketReader.connAckCode(v5.readPacket()));
            assertTrue(v5.closedByBroker());
        }
        try (RawClient v311 = new RawClient(fixture.broker().host(), fixture.broker().port())) {
            v311.send(Packets.connect(V311, "123456789"));
            assertEquals(0x02, PacketReader.connAckCode(v311.readPacket()));
        }
        MqttException pahoRefused = assertThrows(MqttException.class,
            () -> fixture.clients().pahoV3("abcdefghi", new SubscriberInbox()));
        assertEquals(MqttException.REASON_CODE_INVALID_CLIENT_ID, pahoRefused.getReasonCode());
    }

    @Test
    void refusesConnectionsBeyondTheLimitUntilOneCloses() throws Exception {
        // given: two connections, the limit
        startBroker();
        Mqtt5BlockingClient first = fixture.clients().hivemq("conn-1", new SubscriberInbox());
        fixture.clients().hivemq("conn-2", new SubscriberInbox());

        // when / then: a third is refused (5.0: 0x97 Quota exceeded, 3.1.1: 0x03 Server unavailable)
        Mqtt5ConnAckException refused = assertThrows(Mqtt5ConnAckException.class, () -> Mqtt5Client.builder()
            .identifier("conn-3").serverHost(fixture.broker().host()).serverPort(fixture.broker().port()).buildBlocking().connect());
        assertEquals(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED, refused.getMqttMessage().getReasonCode());
        try (RawClient v311 = new RawClient(fixture.broker().host(), fixture.broker().port())) {
            v311.send(Packets.connect(V311, "conn-4"));
            assertEquals(0x03, PacketReader.connAckCode(v311.readPacket()));
            assertTrue(v311.closedByBroker());
        }

        // and when one leaves, there is room again; no packet tells when the broker has seen the
        // connection close, so this polls the connected-clients gauge, bounded
        first.disconnect();
        Eventually.await(Duration.ofSeconds(5), "the broker counts one connected client",
            () -> fixture.broker().metrics().clientsConnected.get() == 1);
        fixture.clients().hivemq("conn-5", new SubscriberInbox());
    }
}
