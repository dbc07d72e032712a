package io.stratus.broker.protocol;

import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.LibraryClient;
import io.stratus.broker.support.LibraryClient.Library;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.PacketReader.Packet;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.UnaryOperator;

import static io.stratus.broker.support.LibraryClient.WAIT_SECONDS;
import static io.stratus.broker.support.Packets.DISCONNECT;
import static io.stratus.broker.support.Packets.PUBACK;
import static io.stratus.broker.support.Packets.PUBCOMP;
import static io.stratus.broker.support.Packets.PUBREC;
import static io.stratus.broker.support.Packets.PUBREL;
import static io.stratus.broker.support.Packets.RECEIVE_MAXIMUM;
import static io.stratus.broker.support.Packets.SESSION_EXPIRY_INTERVAL;
import static io.stratus.broker.support.Packets.ack;
import static io.stratus.broker.support.Packets.connect5;
import static io.stratus.broker.support.PacketReader.expectConnAck;
import static io.stratus.broker.support.PacketReader.expectPublish;
import static io.stratus.broker.support.PacketReader.expectSuccessAck;
import static io.stratus.broker.support.Packets.fourByteProperty;
import static io.stratus.broker.support.Packets.hex;
import static io.stratus.broker.support.Packets.noProperties;
import static io.stratus.broker.support.RawClient.open5;
import static io.stratus.broker.support.Packets.packet;
import static io.stratus.broker.support.Packets.publish;
import static io.stratus.broker.support.Packets.publish5;
import static io.stratus.broker.support.PacketReader.subscribeAndExpectGranted;
import static io.stratus.broker.support.Packets.twoByteProperty;
import static io.stratus.broker.support.Packets.u16;
import static io.stratus.broker.support.Packets.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flow control in both directions: the client's Receive Maximum bounds what the broker has in flight
 * towards it, the broker's bounds what a client may have in flight towards the broker, and what a
 * session cannot take is queued up to a limit and counted when dropped. The QoS 0 markers used below
 * bypass the send window, so they show what was (not) sent before them.
 */
class FlowControlTest {

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @Test
    void neverHasMoreThanTheClientsReceiveMaximumQos1PublishesUnacknowledged() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (RawClient subscriber = open5(fixture.broker(), "sub", true, twoByteProperty(RECEIVE_MAXIMUM, 2));
             LibraryClient publisher = LibraryClient.connect(Library.PAHO_V3, fixture.broker(), "pub")) {
            subscribeAndExpectGranted(subscriber, true, 1, "window/q1", 1);
            subscribeAndExpectGranted(subscriber, true, 2, "window/marker", 0);

            for (int i = 1; i <= 4; i++) {
                publisher.publish("window/q1", "m" + i, 1);
            }
            publisher.publish("window/marker", "marker 1", 0);

            // [MQTT-3.3.4-9] two in flight, the other two wait for acknowledgements
            Packet m1 = expectPublish(subscriber, true);
            Packet m2 = expectPublish(subscriber, true);
            assertEquals("m1", m1.payloadText());
            assertEquals("m2", m2.payloadText());
            assertEquals("marker 1", expectPublish(subscriber, true).payloadText());

            subscriber.send(ack(PUBACK, m1.packetId()));
            Packet m3 = expectPublish(subscriber, true);
            assertEquals("m3", m3.payloadText(), "one acknowledgement frees exactly one slot");
            publisher.publish("window/marker", "marker 2", 0);
            assertEquals("marker 2", expectPublish(subscriber, true).payloadText());

            subscriber.send(ack(PUBACK, m2.packetId()));
            assertEquals("m4", expectPublish(subscriber, true).payloadText());
        }
    }

    @Test
    void countsQos2PublishAgainstReceiveMaximumUntilPubcomp() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (RawClient subscriber = open5(fixture.broker(), "sub", true, twoByteProperty(RECEIVE_MAXIMUM, 1));
             LibraryClient publisher = LibraryClient.connect(Library.PAHO_V5, fixture.broker(), "pub")) {
            subscribeAndExpectGranted(subscriber, true, 1, "window/q2", 2);
            subscribeAndExpectGranted(subscriber, true, 2, "window/marker", 0);

            publisher.publish("window/q2", "q1", 2);
            publisher.publish("window/q2", "q2", 2);
            publisher.publish("window/marker", "marker 1", 0);

            Packet q1 = expectPublish(subscriber, true);
            assertEquals("q1", q1.payloadText());
            assertEquals("marker 1", expectPublish(subscriber, true).payloadText());

            // PUBREC does not end the exchange: the slot stays taken until PUBCOMP [MQTT-3.3.4-9]
            subscriber.send(ack(PUBREC, q1.packetId()));
            assertEquals(hex(ack(PUBREL, q1.packetId())), hex(subscriber.readPacket()));
            publisher.publish("window/marker", "marker 2", 0);
            assertEquals("marker 2", expectPublish(subscriber, true).payloadText());

            subscriber.send(ack(PUBCOMP, q1.packetId()));
            assertEquals("q2", expectPublish(subscriber, true).payloadText());
        }
    }

    @Test
    void pubrecWithErrorReasonEndsTheExchangeAndFreesItsSlot() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (RawClient subscriber = open5(fixture.broker(), "sub", true, twoByteProperty(RECEIVE_MAXIMUM, 1));
             LibraryClient publisher = LibraryClient.connect(Library.HIVEMQ_V5, fixture.broker(), "pub")) {
            subscribeAndExpectGranted(subscriber, true, 1, "refused/q2", 2);

            publisher.publish("refused/q2", "refused", 2);
            publisher.publish("refused/q2", "next", 2);
            Packet refused = expectPublish(subscriber, true);
            assertEquals("refused", refused.payloadText());

            // PUBREC 0x80 (Unspecified error): no PUBREL follows [MQTT-4.3.3-4], the message counts as
            // acknowledged and is not resent [MQTT-4.4.0-2], and its slot in the window is free again
            subscriber.send(packet(PUBREC, u16(refused.packetId()), new byte[] {(byte) 0x80, 0}));
            Packet next = expectPublish(subscriber, true);
            assertEquals("next", next.payloadText(), "the next message, not a PUBREL, comes after the refusal");
        }
    }

    @Test
    void resendsNoMoreThanTheNewConnectionsReceiveMaximumAfterReconnect() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (LibraryClient publisher = LibraryClient.connect(Library.HIVEMQ_V3, fixture.broker(), "pub")) {
            try (RawClient subscriber = open5(fixture.broker(), "sub", false, fourByteProperty(SESSION_EXPIRY_INTERVAL, 300),
                twoByteProperty(RECEIVE_MAXIMUM, 3))) {
                subscribeAndExpectGranted(subscriber, true, 1, "resume/q1", 1);
                subscribeAndExpectGranted(subscriber, true, 2, "resume/marker", 0);
                for (int i = 1; i <= 3; i++) {
                    publisher.publish("resume/q1", "m" + i, 1);
                    assertEquals("m" + i, expectPublish(subscriber, true).payloadText());
                }
            } // three unacknowledged

            try (RawClient subscriber = new RawClient(fixture.broker().host(), fixture.broker().port())) {
                subscriber.send(connect5("sub", false, fourByteProperty(SESSION_EXPIRY_INTERVAL, 300),
                    twoByteProperty(RECEIVE_MAXIMUM, 1)));
                expectConnAck(subscriber, true);

                // [MQTT-4.4.0-1] resent with their identifiers, but [MQTT-3.3.4-9] one at a time now
                Packet m1 = expectPublish(subscriber, true);
                assertEquals("m1", m1.payloadText());
                assertTrue(m1.dup());
                publisher.publish("resume/marker", "marker", 0);
                assertEquals("marker", expectPublish(subscriber, true).payloadText());

                subscriber.send(ack(PUBACK, m1.packetId()));
                Packet m2 = expectPublish(subscriber, true);
                assertEquals("m2", m2.payloadText());
                assertTrue(m2.dup());
                subscriber.send(ack(PUBACK, m2.packetId()));
                Packet m3 = expectPublish(subscriber, true);
                assertEquals("m3", m3.payloadText());
                assertTrue(m3.dup());
                subscriber.send(ack(PUBACK, m3.packetId()));

                publisher.publish("resume/q1", "m4", 1);
                Packet m4 = expectPublish(subscriber, true);
                assertEquals("m4", m4.payloadText());
                assertEquals(false, m4.dup());
            }
        }
    }

    @Test
    void disconnectsClientThatExceedsTheBrokersReceiveMaximum() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.receiveMaximum(2)));
        try (RawClient publisher = new RawClient(fixture.broker().host(), fixture.broker().port())) {
            publisher.send(connect5("greedy", true));
            Packet connAck = expectConnAck(publisher, true);
            assertEquals(2, connAck.property(RECEIVE_MAXIMUM).number(), "the limit is announced");

            // QoS 2 PUBLISHes stay unacknowledged until PUBREL/PUBCOMP: the third is one too many
            for (int id = 1; id <= 2; id++) {
                publisher.send(publish5(2, id, "greedy", "q" + id));
                expectSuccessAck(publisher, true, PUBREC, id);
            }
            publisher.send(publish5(2, 3, "greedy", "q3"));

            Packet disconnect = Packet.parse(publisher.readPacket(), true);
            disconnect.expectType(DISCONNECT);
            assertEquals(0x93, disconnect.reasonCode(), "Receive Maximum exceeded");
            assertTrue(publisher.closedByBroker());
        }
    }

    @Test
    void acceptsFurtherQos2PublishesOnceEarlierOnesAreComplete() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.receiveMaximum(2)));
        try (RawClient publisher = open5(fixture.broker(), "steady", true)) {
            for (int id = 1; id <= 2; id++) {
                publisher.send(publish5(2, id, "steady", "q" + id));
                expectSuccessAck(publisher, true, PUBREC, id);
            }
            publisher.send(ack(PUBREL, 1));
            assertEquals(hex(ack(PUBCOMP, 1)), hex(publisher.readPacket()));

            publisher.send(publish5(2, 3, "steady", "q3"));
            expectSuccessAck(publisher, true, PUBREC, 3);
            // a resend of a pending one is not a new PUBLISH either [MQTT-4.3.3-10]
            publisher.send(publish(2, true, false, 2, "steady", noProperties(), utf8("q2")));
            expectSuccessAck(publisher, true, PUBREC, 2);
        }
    }

    @Test
    void dropsAndCountsMessagesBeyondTheSessionQueueLimit() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.maxQueuedMessages(3)));
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        MqttClient subscriber = new MqttClient(fixture.broker().uri(), "offline-sub", new MemoryPersistence());
        subscriber.setCallback(collectInto(received));
        MqttConnectOptions persistent = new MqttConnectOptions();
        persistent.setCleanSession(false);
        try (LibraryClient publisher = LibraryClient.connect(Library.PAHO_V5, fixture.broker(), "pub")) {
            subscriber.connect(persistent);
            subscriber.subscribe("queued", 1);
            subscriber.disconnect();
            // nothing on the wire says when the broker has processed the DISCONNECT: until then the
            // messages would go to the closing connection instead of the queue
            Eventually.await(Duration.ofSeconds(5), "the broker sees offline-sub offline",
                () -> !fixture.broker().defaultTenant().sessions().get("offline-sub").isOnline());

            for (int i = 1; i <= 5; i++) {
                publisher.publish("queued", "m" + i, 1);
            }
            subscriber.connect(persistent);
            publisher.publish("queued", "marker", 1);

            for (int i = 1; i <= 3; i++) {
                assertEquals("m" + i, poll(received));
            }
            assertEquals("marker", poll(received), "m4 and m5 did not fit in the queue");
            assertEquals(2, fixture.broker().metrics().droppedQueueFull.sum());
        } finally {
            if (subscriber.isConnected()) {
                subscriber.disconnect();
            }
            subscriber.close();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static String poll(BlockingQueue<String> queue) throws InterruptedException {
        String next = queue.poll(WAIT_SECONDS, SECONDS);
        assertNotNull(next, "no message within " + WAIT_SECONDS + " s");
        return next;
    }

    private static MqttCallback collectInto(BlockingQueue<String> received) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }
}
