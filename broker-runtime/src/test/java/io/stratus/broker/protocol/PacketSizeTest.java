package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.stratus.broker.support.LibraryClient;
import io.stratus.broker.support.LibraryClient.Library;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.PacketReader.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static io.stratus.broker.support.LibraryClient.WAIT_SECONDS;
import static io.stratus.broker.support.Packets.DISCONNECT;
import static io.stratus.broker.support.Packets.MAXIMUM_PACKET_SIZE;
import static io.stratus.broker.support.Packets.PUBACK;
import static io.stratus.broker.support.Packets.RECEIVE_MAXIMUM;
import static io.stratus.broker.support.Packets.SESSION_EXPIRY_INTERVAL;
import static io.stratus.broker.support.Packets.connect5;
import static io.stratus.broker.support.PacketReader.expectClosedWithoutAnswer;
import static io.stratus.broker.support.PacketReader.expectConnAck;
import static io.stratus.broker.support.PacketReader.expectPublish;
import static io.stratus.broker.support.PacketReader.expectSuccessAck;
import static io.stratus.broker.support.Packets.fourByteProperty;
import static io.stratus.broker.support.Packets.noProperties;
import static io.stratus.broker.support.RawClient.open311;
import static io.stratus.broker.support.RawClient.open5;
import static io.stratus.broker.support.Packets.publish;
import static io.stratus.broker.support.PacketReader.subscribeAndExpectGranted;
import static io.stratus.broker.support.Packets.twoByteProperty;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Maximum Packet Size in both directions: the broker's limit (1024 bytes here) on what it reads, and
 * a 5.0 client's limit on what the broker sends it. Sizes are of the whole packet, fixed header
 * included (§3.1.2.11.4).
 */
class PacketSizeTest {

    private static final int LIMIT = 1024;

    private TestBroker broker;

    @BeforeEach
    void startBroker() throws Exception {
        broker = TestBroker.start(LimitsBuilder.with(l -> l.maxPacketSize(LIMIT)));
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    // ---- client to broker ---------------------------------------------------------------------

    @Test
    void announcesItsMaximumPacketSizeInConnack() throws Exception {
        try (RawClient client = new RawClient(broker.host(), broker.port())) {
            client.send(connect5("client", true));

            Packet connAck = expectConnAck(client, true);
            assertEquals(LIMIT, connAck.property(MAXIMUM_PACKET_SIZE).number());
        }
    }

    @Test
    void acceptsAPacketOfExactlyTheMaximumSize() throws Exception {
        try (RawClient publisher = open5(broker, "pub", true)) {
            byte[] packet = publishOfSize(LIMIT, true);
            assertEquals(LIMIT, packet.length);

            publisher.send(packet);

            expectSuccessAck(publisher, true, PUBACK, 1);
        }
    }

    @Test
    void disconnectsMqtt5ClientThatSendsALargerPacket() throws Exception {
        try (RawClient publisher = open5(broker, "pub", true)) {
            publisher.send(publishOfSize(LIMIT + 1, true));

            Packet disconnect = Packet.parse(publisher.readPacket(), true);
            disconnect.expectType(DISCONNECT);
            assertEquals(0x95, disconnect.reasonCode(), "Packet too large");
            assertTrue(publisher.closedByBroker());
        }
    }

    @Test
    void closesMqtt311ConnectionThatSendsALargerPacket() throws Exception {
        try (RawClient publisher = open311(broker, "pub", true)) {
            publisher.send(publishOfSize(LIMIT + 1, false));

            expectClosedWithoutAnswer(publisher); // 3.1.1 has no DISCONNECT from the server
        }
    }

    @Test
    void refusesAHugeRemainingLengthWithoutWaitingForItsBytes() throws Exception {
        try (RawClient v5 = open5(broker, "v5", true);
             RawClient v311 = open311(broker, "v311", true)) {
            // a PUBLISH header announcing 268,435,455 bytes, none of which follow
            v5.send("30 ff ff ff 7f");
            v311.send("30 ff ff ff 7f");

            // answered at once: waiting for the bytes would run into the socket timeout here
            Packet disconnect = Packet.parse(v5.readPacket(), true);
            disconnect.expectType(DISCONNECT);
            assertEquals(0x95, disconnect.reasonCode());
            assertTrue(v5.closedByBroker());
            expectClosedWithoutAnswer(v311);
        }
    }

    // ---- broker to client ---------------------------------------------------------------------

    @Test
    void neverSendsAClientAPacketLargerThanItsMaximumPacketSize() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        Mqtt5AsyncClient subscriber = MqttClient.builder().useMqttVersion5().identifier("small-sub")
            .serverHost(broker.host()).serverPort(broker.port()).buildAsync();
        try (LibraryClient publisher = LibraryClient.connect(Library.PAHO_V3, broker, "pub")) {
            subscriber.connectWith().restrictions().maximumPacketSize(100).applyRestrictions().send()
                .get(WAIT_SECONDS, SECONDS);
            subscriber.subscribeWith().topicFilter("size/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> received.add(new String(p.getPayloadAsBytes())))
                .send().get(WAIT_SECONDS, SECONDS);

            publisher.publish("size/big", "x".repeat(200), 1);
            publisher.publish("size/small", "small", 1);

            // [MQTT-3.1.2-24] not sent; [MQTT-3.1.2-25] discarded as if delivered, so the next one follows
            String first = received.poll(WAIT_SECONDS, SECONDS);
            assertEquals("small", first);
            assertEquals(1, broker.metrics().droppedTooLarge.sum());
        } finally {
            subscriber.disconnect().get(WAIT_SECONDS, SECONDS);
        }
    }

    @Test
    void sendsAPacketOfExactlyTheClientsMaximumPacketSize() throws Exception {
        try (RawClient subscriber = open5(broker, "sub", true, fourByteProperty(MAXIMUM_PACKET_SIZE, 100));
             LibraryClient publisher = LibraryClient.connect(Library.HIVEMQ_V3, broker, "pub")) {
            subscribeAndExpectGranted(subscriber, true, 1, "size/t", 0);

            // QoS 0 to a 5.0 client without properties: 1 + 1 + (2 + 6) + 1 = 11 bytes besides the payload
            publisher.publish("size/t", "a".repeat(90), 0); // 101 bytes
            publisher.publish("size/t", "b".repeat(89), 0); // 100 bytes

            Packet p = expectPublish(subscriber, true);
            assertEquals(100, p.bytes().length);
            assertEquals("b".repeat(89), p.payloadText(), "the 101-byte one was not sent");
            assertEquals(1, broker.metrics().droppedTooLarge.sum());
        }
    }

    @Test
    void discardedMessageDoesNotHoldASlotInTheClientsReceiveWindow() throws Exception {
        try (RawClient subscriber = open5(broker, "sub", true, fourByteProperty(MAXIMUM_PACKET_SIZE, 100),
                twoByteProperty(RECEIVE_MAXIMUM, 1));
             LibraryClient publisher = LibraryClient.connect(Library.HIVEMQ_V5, broker, "pub")) {
            subscribeAndExpectGranted(subscriber, true, 1, "size/q1", 1);

            publisher.publish("size/q1", "x".repeat(200), 1);
            publisher.publish("size/q1", "small", 1);

            Packet p = expectPublish(subscriber, true);
            assertEquals("small", p.payloadText());
            assertEquals(1, p.qos());
        }
    }

    @Test
    void doesNotResendAfterReconnectWhatNoLongerFitsTheClientsMaximumPacketSize() throws Exception {
        byte[] expiry = fourByteProperty(SESSION_EXPIRY_INTERVAL, 300);
        byte[] oneAtATime = twoByteProperty(RECEIVE_MAXIMUM, 1);
        try (LibraryClient publisher = LibraryClient.connect(Library.PAHO_V5, broker, "pub")) {
            try (RawClient subscriber = open5(broker, "sub", false, expiry, oneAtATime)) {
                subscribeAndExpectGranted(subscriber, true, 1, "size/resume", 1);
                publisher.publish("size/resume", "x".repeat(300), 1);
                assertEquals(300, expectPublish(subscriber, true).payload().length);
            } // not acknowledged

            try (RawClient subscriber = new RawClient(broker.host(), broker.port())) {
                subscriber.send(connect5("sub", false, expiry, oneAtATime, fourByteProperty(MAXIMUM_PACKET_SIZE, 100)));
                expectConnAck(subscriber, true);
                publisher.publish("size/resume", "small", 1);

                // the resend is too large now: discarded [MQTT-3.1.2-25], and its slot is free again
                Packet p = expectPublish(subscriber, true);
                assertEquals("small", p.payloadText());
                assertEquals(1, broker.metrics().droppedTooLarge.sum());
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** @return a QoS 1 PUBLISH (packet identifier 1, topic "big") whose whole size is {@code size} */
    private static byte[] publishOfSize(int size, boolean v5) {
        byte[] properties = v5 ? noProperties() : null;
        byte[] empty = publish(1, false, false, 1, "big", properties, new byte[0]);
        // a payload of this size takes the remaining length to two bytes, one more than the empty packet's
        byte[] payload = new byte[size - empty.length - 1];
        Arrays.fill(payload, (byte) 'p');
        byte[] packet = publish(1, false, false, 1, "big", properties, payload);
        assertEquals(size, packet.length);
        return packet;
    }
}
