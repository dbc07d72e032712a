package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.advanced.interceptor.qos2.Mqtt5OutgoingQos2Interceptor;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubcomp.Mqtt5PubComp;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubcomp.Mqtt5PubCompReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRec;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrel.Mqtt5PubRel;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrel.Mqtt5PubRelBuilder;
import io.stratus.broker.support.LibraryClient;
import io.stratus.broker.support.LibraryClient.Library;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.PacketReader.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static io.stratus.broker.support.LibraryClient.WAIT_SECONDS;
import static io.stratus.broker.support.Packets.DISCONNECT;
import static io.stratus.broker.support.Packets.PUBACK;
import static io.stratus.broker.support.Packets.PUBCOMP;
import static io.stratus.broker.support.Packets.PUBREC;
import static io.stratus.broker.support.Packets.PUBREL;
import static io.stratus.broker.support.Packets.SESSION_EXPIRY_INTERVAL;
import static io.stratus.broker.support.Packets.ack;
import static io.stratus.broker.support.Packets.connect311;
import static io.stratus.broker.support.Packets.connect5;
import static io.stratus.broker.support.PacketReader.expectConnAck;
import static io.stratus.broker.support.PacketReader.expectPublish;
import static io.stratus.broker.support.PacketReader.expectSuccessAck;
import static io.stratus.broker.support.Packets.fourByteProperty;
import static io.stratus.broker.support.Packets.hex;
import static io.stratus.broker.support.Packets.noProperties;
import static io.stratus.broker.support.RawClient.open311;
import static io.stratus.broker.support.RawClient.open5;
import static io.stratus.broker.support.Packets.publish;
import static io.stratus.broker.support.Packets.publish311;
import static io.stratus.broker.support.Packets.publish5;
import static io.stratus.broker.support.PacketReader.subscribeAndExpectGranted;
import static io.stratus.broker.support.Packets.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PUBLISH at QoS 0, 1 and 2 in both directions: the acknowledgement flows, the QoS a subscriber gets,
 * exactly-once delivery of QoS 2, what survives a reconnect and the order of delivery. Spec
 * references use the MQTT 5.0 numbering.
 */
class PublishQosTest {

    private TestBroker broker;

    @BeforeEach
    void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    static Stream<Arguments> everyLibraryAtEveryQos() {
        List<Arguments> all = new ArrayList<>();
        for (Library library : Library.values()) {
            for (int qos = 0; qos <= 2; qos++) {
                all.add(Arguments.of(library, qos));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} at QoS {1}")
    @MethodSource("everyLibraryAtEveryQos")
    void publishesAndReceivesAtEachQosWithEachLibrary(Library library, int qos) throws Exception {
        String topic = "qos/" + library + "/" + qos;
        try (LibraryClient subscriber = LibraryClient.connect(library, broker, "sub-" + library + qos);
             LibraryClient publisher = LibraryClient.connect(library, broker, "pub-" + library + qos)) {
            subscriber.subscribe(topic, qos);

            // returns once the library has the broker's acknowledgement (PUBACK, PUBREC or PUBCOMP)
            publisher.publish(topic, "hello " + qos, qos);

            LibraryClient.Received received = subscriber.next();
            assertEquals(topic, received.topic());
            assertEquals("hello " + qos, received.text());
            assertEquals(qos, received.qos());
        }
    }

    @ParameterizedTest(name = "published at QoS {0}, granted QoS {1}")
    @CsvSource({"0,0", "0,1", "0,2", "1,0", "1,1", "1,2", "2,0", "2,1", "2,2"})
    void deliversAtTheLowerOfPublishedAndGrantedQos(int publishedQos, int grantedQos) throws Exception {
        try (RawClient subscriber = open5(broker, "sub", true);
             LibraryClient publisher = LibraryClient.connect(Library.HIVEMQ_V5, broker, "pub")) {
            subscribeAndExpectGranted(subscriber, true, 1, "min/qos", grantedQos);

            publisher.publish("min/qos", "m", publishedQos);

            Packet p = expectPublish(subscriber, true);
            int expected = Math.min(publishedQos, grantedQos); // [MQTT-3.8.4-8]
            assertEquals(expected, p.qos(), "delivered QoS of " + p);
            assertFalse(p.dup(), "first delivery has DUP 0 [MQTT-3.3.1-3]");
            if (expected > 0) {
                assertNotEquals(0, p.packetId(), "non-zero packet identifier [MQTT-2.2.1-4]");
            }
            if (expected == 1) {
                subscriber.send(ack(PUBACK, p.packetId()));
            } else if (expected == 2) {
                subscriber.send(ack(PUBREC, p.packetId()));
                // the broker releases with the same identifier [MQTT-2.2.1-5], [MQTT-4.3.3-4]
                assertArrayEquals(ack(PUBREL, p.packetId()), subscriber.readPacket());
                subscriber.send(ack(PUBCOMP, p.packetId()));
            }
            // nothing else follows the exchange (no resend, no stray PUBREL): next comes the next message
            publisher.publish("min/qos", "next", publishedQos);
            Packet next = expectPublish(subscriber, true);
            assertEquals("next", next.payloadText());
            assertFalse(next.dup());
        }
    }

    @Test
    void acknowledgesInboundQos1AndQos2WithThePublishersPacketIdentifier() throws Exception {
        try (RawClient publisher = open311(broker, "pub", true)) {
            publisher.send(publish311(1, 0x1234, "ack/q1", "one")); // [MQTT-3.3.4-1]
            assertEquals(hex(ack(PUBACK, 0x1234)), hex(publisher.readPacket()));

            publisher.send(publish311(2, 0x0102, "ack/q2", "two"));
            assertEquals(hex(ack(PUBREC, 0x0102)), hex(publisher.readPacket()));
            publisher.send(ack(PUBREL, 0x0102));
            assertEquals(hex(ack(PUBCOMP, 0x0102)), hex(publisher.readPacket())); // [MQTT-4.3.3-11]

            // QoS 0 is not acknowledged: the answer to a PINGREQ sent after it is the next packet
            publisher.send(publish311(0, 0, "ack/q0", "zero"));
            publisher.send("c0 00");
            assertEquals("d000", publisher.readPacketHex());
        }
    }

    @Test
    void hivemqPublisherSeesSuccessfulPubackPubrecAndPubcomp() throws Exception {
        CompletableFuture<Mqtt5PubComp> pubComp = new CompletableFuture<>();
        Mqtt5AsyncClient publisher = MqttClient.builder().useMqttVersion5().identifier("observer")
            .serverHost(broker.host()).serverPort(broker.port())
            .advancedConfig().interceptors().outgoingQos2Interceptor(new Mqtt5OutgoingQos2Interceptor() {
                @Override
                public void onPubRec(Mqtt5ClientConfig config, Mqtt5Publish publish, Mqtt5PubRec pubRec,
                                     Mqtt5PubRelBuilder pubRelBuilder) {
                }

                @Override
                public void onPubRecError(Mqtt5ClientConfig config, Mqtt5Publish publish, Mqtt5PubRec pubRec) {
                }

                @Override
                public void onPubComp(Mqtt5ClientConfig config, Mqtt5PubRel pubRel, Mqtt5PubComp comp) {
                    pubComp.complete(comp);
                }
            }).applyInterceptors().applyAdvancedConfig()
            .buildAsync();
        try (LibraryClient subscriber = LibraryClient.connect(Library.PAHO_V5, broker, "sub")) {
            subscriber.subscribe("observed/#", 2);
            publisher.connect().get(WAIT_SECONDS, SECONDS);

            Mqtt5PublishResult qos1 = publisher.publishWith().topic("observed/1").payload(utf8("1"))
                .qos(MqttQos.AT_LEAST_ONCE).send().get(WAIT_SECONDS, SECONDS);
            // the future completes at PUBREC; the PUBCOMP is seen by the interceptor
            Mqtt5PublishResult qos2 = publisher.publishWith().topic("observed/2").payload(utf8("2"))
                .qos(MqttQos.EXACTLY_ONCE).send().get(WAIT_SECONDS, SECONDS);

            assertEquals(Mqtt5PubAckReasonCode.SUCCESS,
                ((Mqtt5PublishResult.Mqtt5Qos1Result) qos1).getPubAck().getReasonCode());
            assertEquals(Mqtt5PubRecReasonCode.SUCCESS,
                ((Mqtt5PublishResult.Mqtt5Qos2Result) qos2).getPubRec().getReasonCode());
            assertEquals(Mqtt5PubCompReasonCode.SUCCESS, pubComp.get(WAIT_SECONDS, SECONDS).getReasonCode());
            assertEquals("1", subscriber.next().text());
            assertEquals("2", subscriber.next().text());
        } finally {
            publisher.disconnect().get(WAIT_SECONDS, SECONDS);
        }
    }

    @Test
    void disconnectsPublisherOfQos1PublishWithoutPacketIdentifier() throws Exception {
        try (RawClient publisher = open5(broker, "pub", true)) {
            // [MQTT-2.2.1-3] QoS > 0 needs a non-zero packet identifier: this one is 0
            publisher.send(publish5(1, 0, "no/id", "x"));

            Packet disconnect = Packet.parse(publisher.readPacket(), true);
            disconnect.expectType(DISCONNECT);
            assertEquals(0x81, disconnect.reasonCode());
            assertTrue(publisher.closedByBroker());
        }
    }

    @Test
    void disconnectsPublisherThatSetsBothQosBits() throws Exception {
        try (RawClient publisher = open5(broker, "pub", true)) {
            // [MQTT-3.3.1-4] QoS 3 is a Malformed Packet
            publisher.send("36 08 00 01 74 00 01 00 78 78");

            Packet disconnect = Packet.parse(publisher.readPacket(), true);
            disconnect.expectType(DISCONNECT);
            assertEquals(0x81, disconnect.reasonCode());
            assertTrue(publisher.closedByBroker());
        }
    }

    @Test
    void setsDupOnOutgoingPublishIndependentlyOfTheIncomingOne() throws Exception {
        try (LibraryClient subscriber = LibraryClient.connect(Library.HIVEMQ_V3, broker, "sub");
             RawClient rawSubscriber = open311(broker, "raw-sub", true);
             RawClient publisher = open311(broker, "pub", true)) {
            subscriber.subscribe("dup/in", 1);
            subscribeAndExpectGranted(rawSubscriber, false, 1, "dup/in", 1);

            // a first transmission that claims to be a resend
            publisher.send(publish(1, true, false, 5, "dup/in", null, utf8("resent")));
            assertEquals(hex(ack(PUBACK, 5)), hex(publisher.readPacket()));

            Packet p = expectPublish(rawSubscriber, false);
            assertEquals("resent", p.payloadText());
            assertFalse(p.dup(), "[MQTT-3.3.1-3] DUP of the outgoing PUBLISH is the broker's own");
            assertEquals("resent", subscriber.next().text());
        }
    }

    @Test
    void deliversQos2PublishResentBeforePubrelOnlyOnce() throws Exception {
        try (LibraryClient subscriber = LibraryClient.connect(Library.HIVEMQ_V5, broker, "sub");
             RawClient publisher = open5(broker, "pub", true)) {
            subscriber.subscribe("exactly/once", 2);

            publisher.send(publish(2, false, false, 7, "exactly/once", noProperties(), utf8("first")));
            assertEquals(hex(ack(PUBREC, 7)), hex(publisher.readPacket()));
            // the same packet again before PUBREL, DUP set: acknowledged, not delivered again [MQTT-4.3.3-10]
            publisher.send(publish(2, true, false, 7, "exactly/once", noProperties(), utf8("first")));
            assertEquals(hex(ack(PUBREC, 7)), hex(publisher.readPacket()));
            publisher.send(ack(PUBREL, 7));
            assertEquals(hex(ack(PUBCOMP, 7)), hex(publisher.readPacket())); // [MQTT-4.3.3-11]
            publishQos2(publisher, "exactly/once", 8, "marker");

            assertEquals("first", subscriber.next().text());
            assertEquals("marker", subscriber.next().text(), "a duplicate would have come before the marker");
        }
    }

    @Test
    void treatsQos2PacketIdentifierAsNewMessageAfterPubcomp() throws Exception {
        try (LibraryClient subscriber = LibraryClient.connect(Library.PAHO_V3, broker, "sub");
             RawClient publisher = open5(broker, "pub", true)) {
            subscriber.subscribe("reused/id", 2);

            publishQos2(publisher, "reused/id", 9, "one");
            publishQos2(publisher, "reused/id", 9, "two"); // [MQTT-4.3.3-12]

            assertEquals("one", subscriber.next().text());
            assertEquals("two", subscriber.next().text());
        }
    }

    @Test
    void answersPubrelForUnknownPacketIdentifierWithPubcompNotFound() throws Exception {
        try (RawClient v5 = open5(broker, "v5", true);
             RawClient v311 = open311(broker, "v311", true)) {
            v5.send(ack(PUBREL, 0x63));
            Packet pubComp = Packet.parse(v5.readPacket(), true);
            pubComp.expectType(PUBCOMP);
            assertEquals(0x63, pubComp.packetId());
            assertEquals(0x92, pubComp.reasonCode(), "Packet Identifier not found");

            // 3.1.1 has no reason codes: a plain PUBCOMP [MQTT-4.3.3-11]
            v311.send(ack(PUBREL, 0x63));
            assertEquals(hex(ack(PUBCOMP, 0x63)), hex(v311.readPacket()));
        }
    }

    @ParameterizedTest(name = "MQTT 5: {0}")
    @ValueSource(booleans = {false, true})
    void keepsInboundQos2StateAcrossReconnect(boolean v5) throws Exception {
        try (LibraryClient subscriber = LibraryClient.connect(Library.HIVEMQ_V5, broker, "sub")) {
            subscriber.subscribe("across/reconnect", 2);
            byte[] properties = v5 ? noProperties() : null;
            try (RawClient publisher = openPersistent(v5, "q2-pub")) {
                publisher.send(publish(2, false, false, 11, "across/reconnect", properties, utf8("once")));
                assertEquals(hex(ack(PUBREC, 11)), hex(publisher.readPacket()));
            } // gone before PUBREL

            try (RawClient publisher = new RawClient(broker.host(), broker.port())) {
                publisher.send(connect(v5, "q2-pub"));
                assertTrue(sessionPresent(expectConnAck(publisher, v5)));
                // [MQTT-4.4.0-1] the client resends with DUP; the broker must not deliver it again
                publisher.send(publish(2, true, false, 11, "across/reconnect", properties, utf8("once")));
                assertEquals(hex(ack(PUBREC, 11)), hex(publisher.readPacket()));
                publisher.send(ack(PUBREL, 11));
                assertEquals(hex(ack(PUBCOMP, 11)), hex(publisher.readPacket()));
                publisher.send(publish(1, false, false, 12, "across/reconnect", properties, utf8("marker")));
                assertEquals(hex(ack(PUBACK, 12)), hex(publisher.readPacket()));
            }

            assertEquals("once", subscriber.next().text());
            assertEquals("marker", subscriber.next().text(), "a duplicate would have come before the marker");
        }
    }

    @ParameterizedTest(name = "MQTT 5: {0}")
    @ValueSource(booleans = {false, true})
    void resendsUnacknowledgedQos1WithDupAndSamePacketIdentifierOnReconnect(boolean v5) throws Exception {
        try (LibraryClient publisher = LibraryClient.connect(Library.PAHO_V3, broker, "pub")) {
            Packet first;
            try (RawClient subscriber = openPersistent(v5, "q1-sub")) {
                subscribeAndExpectGranted(subscriber, v5, 1, "resend/q1", 1);
                publisher.publish("resend/q1", "unacked", 1);
                first = expectPublish(subscriber, v5);
                assertFalse(first.dup());
            } // gone without PUBACK

            try (RawClient subscriber = new RawClient(broker.host(), broker.port())) {
                subscriber.send(connect(v5, "q1-sub"));
                assertTrue(sessionPresent(expectConnAck(subscriber, v5)));

                Packet resent = expectPublish(subscriber, v5); // [MQTT-4.4.0-1]
                assertTrue(resent.dup(), "[MQTT-3.3.1-1] DUP on a resend");
                assertEquals(first.packetId(), resent.packetId());
                assertEquals(1, resent.qos());
                assertEquals("resend/q1", resent.topic());
                assertEquals("unacked", resent.payloadText());
                subscriber.send(ack(PUBACK, resent.packetId()));

                publisher.publish("resend/q1", "marker", 1);
                Packet marker = expectPublish(subscriber, v5);
                assertEquals("marker", marker.payloadText(), "nothing else is resent");
                assertFalse(marker.dup());
            }
        }
    }

    @Test
    void answersPubrecWithPubrelAndResendsPubrelNotPublishOnReconnect() throws Exception {
        try (LibraryClient publisher = LibraryClient.connect(Library.HIVEMQ_V3, broker, "pub")) {
            int packetId;
            try (RawClient subscriber = openPersistent(true, "q2-sub")) {
                subscribeAndExpectGranted(subscriber, true, 1, "resend/q2", 2);
                publisher.publish("resend/q2", "released", 2);
                packetId = expectPublish(subscriber, true).packetId();

                subscriber.send(ack(PUBREC, packetId));
                assertEquals(hex(ack(PUBREL, packetId)), hex(subscriber.readPacket())); // [MQTT-4.3.3-4]
            } // gone before PUBCOMP

            try (RawClient subscriber = new RawClient(broker.host(), broker.port())) {
                subscriber.send(connect(true, "q2-sub"));
                assertTrue(sessionPresent(expectConnAck(subscriber, true)));

                // [MQTT-4.4.0-1] the PUBREL is resent; the message itself was already received
                assertEquals(hex(ack(PUBREL, packetId)), hex(subscriber.readPacket()));
                subscriber.send(ack(PUBCOMP, packetId));

                publisher.publish("resend/q2", "marker", 2);
                Packet marker = expectPublish(subscriber, true);
                assertEquals("marker", marker.payloadText());
                assertFalse(marker.dup());
                assertNotEquals(0, marker.packetId());
            }
        }
    }

    @Test
    void acknowledgesWithNoMatchingSubscribersWhenNobodySubscribes() throws Exception {
        try (RawClient publisher = open5(broker, "pub", true)) {
            publisher.send(publish5(1, 1, "nobody/listens", "lost"));
            Packet pubAck = Packet.parse(publisher.readPacket(), true);
            pubAck.expectType(PUBACK);
            assertEquals(0x10, pubAck.reasonCode(), "No matching subscribers");

            // not an error: at QoS 2 the exchange goes on and completes
            publisher.send(publish5(2, 2, "nobody/listens", "lost"));
            Packet pubRec = Packet.parse(publisher.readPacket(), true);
            pubRec.expectType(PUBREC);
            assertEquals(0x10, pubRec.reasonCode());
            publisher.send(ack(PUBREL, 2));
            assertEquals(hex(ack(PUBCOMP, 2)), hex(publisher.readPacket()));

            try (LibraryClient subscriber = LibraryClient.connect(Library.PAHO_V3, broker, "sub")) {
                subscriber.subscribe("nobody/#", 0);
                publisher.send(publish5(1, 3, "nobody/listens", "heard"));
                assertEquals(hex(ack(PUBACK, 3)), hex(publisher.readPacket()), "plain success once someone listens");
                assertEquals("heard", subscriber.next().text());
            }
        }
    }

    @Test
    void hivemqPublisherSeesNoMatchingSubscribers() throws Exception {
        Mqtt5AsyncClient publisher = MqttClient.builder().useMqttVersion5().identifier("lonely")
            .serverHost(broker.host()).serverPort(broker.port()).buildAsync();
        try {
            publisher.connect().get(WAIT_SECONDS, SECONDS);

            Mqtt5PublishResult result = publisher.publishWith().topic("nobody/listens").payload(utf8("lost"))
                .qos(MqttQos.AT_LEAST_ONCE).send().get(WAIT_SECONDS, SECONDS);

            assertEquals(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS,
                ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode());
            assertTrue(result.getError().isEmpty(), "0x10 is not an error");
        } finally {
            publisher.disconnect().get(WAIT_SECONDS, SECONDS);
        }
    }

    @Test
    void refusesPublicationsToSysTopicsAndCountsThem() throws Exception {
        try (LibraryClient subscriber = LibraryClient.connect(Library.HIVEMQ_V5, broker, "sub");
             RawClient v5 = open5(broker, "pub5", true);
             RawClient v311 = open311(broker, "pub311", true)) {
            subscriber.subscribe("$SYS/#", 1);
            subscriber.subscribe("sys/marker", 1);

            v5.send(publish5(1, 1, "$SYS/broker/uptime", "forged"));
            Packet pubAck = Packet.parse(v5.readPacket(), true);
            pubAck.expectType(PUBACK);
            assertEquals(0x87, pubAck.reasonCode(), "Not authorized");
            // 3.1.1 cannot say no: a plain PUBACK, and the message is dropped all the same
            v311.send(publish311(1, 1, "$SYS/broker/version", "forged"));
            assertEquals(hex(ack(PUBACK, 1)), hex(v311.readPacket()));

            // each publisher's marker goes the same way after its refused message
            v5.send(publish5(1, 2, "sys/marker", "after v5"));
            expectSuccessAck(v5, true, PUBACK, 2);
            v311.send(publish311(1, 2, "sys/marker", "after v311"));
            assertEquals(hex(ack(PUBACK, 2)), hex(v311.readPacket()));
            List<String> received = List.of(subscriber.next().text(), subscriber.next().text());
            assertTrue(received.containsAll(List.of("after v5", "after v311")), "only the markers: " + received);
            assertEquals(2, broker.metrics().publishDenied.sum());
        }
    }

    @ParameterizedTest(name = "{1} messages at QoS {0}")
    @CsvSource({"0,300", "1,1000", "2,300"})
    void deliversMessagesOfOneTopicInTheOrderPublished(int qos, int count) throws Exception {
        Mqtt5AsyncClient publisher = MqttClient.builder().useMqttVersion5().identifier("ordered-pub")
            .serverHost(broker.host()).serverPort(broker.port()).buildAsync();
        try (LibraryClient subscriber = LibraryClient.connect(Library.HIVEMQ_V5, broker, "ordered-sub")) {
            subscriber.subscribe("ordered", qos);
            publisher.connect().get(WAIT_SECONDS, SECONDS);

            // sent back to back, without waiting for each acknowledgement
            List<CompletableFuture<Mqtt5PublishResult>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sent.add(publisher.publishWith().topic("ordered").payload(utf8(Integer.toString(i)))
                    .qos(MqttQos.fromCode(qos)).send());
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, SECONDS);

            for (int i = 0; i < count; i++) {
                assertEquals(Integer.toString(i), subscriber.next().text(), "[MQTT-4.6.0-6] message " + i);
            }
        } finally {
            publisher.disconnect().get(WAIT_SECONDS, SECONDS);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Publishes at QoS 2 and completes the flow: PUBREC, PUBREL, PUBCOMP. */
    private static void publishQos2(RawClient publisher, String topic, int packetId, String payload) throws Exception {
        publisher.send(publish(2, false, false, packetId, topic, noProperties(), utf8(payload)));
        assertEquals(hex(ack(PUBREC, packetId)), hex(publisher.readPacket()));
        publisher.send(ack(PUBREL, packetId));
        assertEquals(hex(ack(PUBCOMP, packetId)), hex(publisher.readPacket()));
    }

    /** @return a CONNECT that resumes or creates a session that outlives the connection */
    private static byte[] connect(boolean v5, String clientId) {
        return v5 ? connect5(clientId, false, fourByteProperty(SESSION_EXPIRY_INTERVAL, 300))
            : connect311(clientId, false);
    }

    private RawClient openPersistent(boolean v5, String clientId) throws Exception {
        RawClient client = new RawClient(broker.host(), broker.port());
        client.send(connect(v5, clientId));
        expectConnAck(client, v5);
        return client;
    }

    private static boolean sessionPresent(Packet connAck) {
        return (connAck.body()[0] & 0x01) != 0;
    }
}
