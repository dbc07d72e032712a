package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import io.stratus.broker.support.LibraryClient;
import io.stratus.broker.support.LibraryClient.Library;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.PacketReader.Packet;
import io.stratus.broker.support.PacketReader.Property;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.stratus.broker.support.LibraryClient.WAIT_SECONDS;
import static io.stratus.broker.support.Packets.CONTENT_TYPE;
import static io.stratus.broker.support.Packets.CORRELATION_DATA;
import static io.stratus.broker.support.Packets.DISCONNECT;
import static io.stratus.broker.support.Packets.PAYLOAD_FORMAT_INDICATOR;
import static io.stratus.broker.support.Packets.PUBACK;
import static io.stratus.broker.support.Packets.PUBCOMP;
import static io.stratus.broker.support.Packets.PUBREC;
import static io.stratus.broker.support.Packets.PUBREL;
import static io.stratus.broker.support.Packets.RESPONSE_TOPIC;
import static io.stratus.broker.support.Packets.USER_PROPERTY;
import static io.stratus.broker.support.Packets.ack;
import static io.stratus.broker.support.Packets.binary;
import static io.stratus.broker.support.Packets.binaryProperty;
import static io.stratus.broker.support.Packets.byteProperty;
import static io.stratus.broker.support.PacketReader.expectPublish;
import static io.stratus.broker.support.PacketReader.expectSuccessAck;
import static io.stratus.broker.support.Packets.hex;
import static io.stratus.broker.support.Packets.noProperties;
import static io.stratus.broker.support.RawClient.open5;
import static io.stratus.broker.support.Packets.properties;
import static io.stratus.broker.support.Packets.publish;
import static io.stratus.broker.support.Packets.stringProperty;
import static io.stratus.broker.support.PacketReader.subscribeAndExpectGranted;
import static io.stratus.broker.support.Packets.userProperty;
import static io.stratus.broker.support.Packets.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The properties of a PUBLISH: a payload that contradicts its Payload Format Indicator is refused
 * (§3.3.2.3.2, 0x99), and the application properties reach 5.0 subscribers unchanged while 3.1.1
 * subscribers still get the message.
 */
class PublishPropertiesTest {

    private static final byte[] NOT_UTF8 = {(byte) 0xff, (byte) 0xfe, (byte) 0xfd};
    private static final byte[] CORRELATION = {0x00, 0x01, (byte) 0xfe, (byte) 0xff};

    private TestBroker broker;

    @BeforeEach
    void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    // ---- Payload Format Indicator -------------------------------------------------------------

    @Test
    void refusesQos1PublishWhosePayloadIsNotTheUtf8ItClaimsAndDoesNotRouteIt() throws Exception {
        try (LibraryClient subscriber = LibraryClient.connect(Library.HIVEMQ_V5, broker, "sub");
             RawClient publisher = open5(broker, "pub", true)) {
            subscriber.subscribe("format/#", 1);

            publisher.send(publish(1, false, false, 1, "format/bad", utf8Claim(), NOT_UTF8));
            Packet pubAck = Packet.parse(publisher.readPacket(), true);
            pubAck.expectType(PUBACK);
            assertEquals(1, pubAck.packetId());
            assertEquals(0x99, pubAck.reasonCode(), "Payload format invalid");

            publisher.send(publish(1, false, false, 2, "format/marker", noProperties(), utf8("marker")));
            expectSuccessAck(publisher, true, PUBACK, 2);
            assertEquals("marker", subscriber.next().text(), "the refused message would have come first");
        }
    }

    @Test
    void refusesQos2PublishWhosePayloadIsNotTheUtf8ItClaimsWithoutKeepingItsState() throws Exception {
        try (LibraryClient subscriber = LibraryClient.connect(Library.PAHO_V5, broker, "sub");
             RawClient publisher = open5(broker, "pub", true)) {
            subscriber.subscribe("format/#", 2);

            publisher.send(publish(2, false, false, 3, "format/bad", utf8Claim(), NOT_UTF8));
            Packet pubRec = Packet.parse(publisher.readPacket(), true);
            pubRec.expectType(PUBREC);
            assertEquals(0x99, pubRec.reasonCode());
            // a PUBREC of 0x80 or more ends the exchange: the identifier is not pending any more
            publisher.send(ack(PUBREL, 3));
            Packet pubComp = Packet.parse(publisher.readPacket(), true);
            pubComp.expectType(PUBCOMP);
            assertEquals(0x92, pubComp.reasonCode(), "Packet Identifier not found");

            // [MQTT-4.3.3-9] the same identifier now starts a new message
            publisher.send(publish(2, false, false, 3, "format/fixed", utf8Claim(), utf8("fixed")));
            expectSuccessAck(publisher, true, PUBREC, 3);
            publisher.send(ack(PUBREL, 3));
            expectSuccessAck(publisher, true, PUBCOMP, 3);
            assertEquals("fixed", subscriber.next().text(), "the refused message would have come first");
        }
    }

    @Test
    void disconnectsQos0PublisherWhosePayloadIsNotTheUtf8ItClaims() throws Exception {
        try (RawClient publisher = open5(broker, "pub", true)) {
            publisher.send(publish(0, false, false, 0, "format/bad", utf8Claim(), NOT_UTF8));

            // nothing to acknowledge at QoS 0: the connection ends with the reason
            Packet disconnect = Packet.parse(publisher.readPacket(), true);
            disconnect.expectType(DISCONNECT);
            assertEquals(0x99, disconnect.reasonCode());
            assertTrue(publisher.closedByBroker());
        }
    }

    // ---- pass-through -------------------------------------------------------------------------

    @Test
    void forwardsApplicationPropertiesUnchangedAndInOrder() throws Exception {
        try (RawClient subscriber = open5(broker, "sub", true);
             RawClient publisher = open5(broker, "pub", true)) {
            subscribeAndExpectGranted(subscriber, true, 1, "props", 1);
            byte[][] sent = {
                byteProperty(PAYLOAD_FORMAT_INDICATOR, 1),
                stringProperty(CONTENT_TYPE, "application/json"),
                stringProperty(RESPONSE_TOPIC, "replies/for/me"),
                binaryProperty(CORRELATION_DATA, CORRELATION),
                userProperty("a", "1"),
                userProperty("b", "2"),
                userProperty("a", "1"),
                userProperty("a", "3"),
            };

            publisher.send(publish(1, false, false, 1, "props", properties(sent), utf8("{\"v\":1}")));
            expectSuccessAck(publisher, true, PUBACK, 1);

            Packet p = expectPublish(subscriber, true);
            assertEquals("{\"v\":1}", p.payloadText());
            assertEquals(1, p.property(PAYLOAD_FORMAT_INDICATOR).number()); // [MQTT-3.3.2-4]
            assertEquals("application/json", p.property(CONTENT_TYPE).string()); // [MQTT-3.3.2-20]
            assertEquals("replies/for/me", p.property(RESPONSE_TOPIC).string()); // [MQTT-3.3.2-15]
            assertEquals(hex(binary(CORRELATION)), hex(p.property(CORRELATION_DATA).value())); // [MQTT-3.3.2-16]
            // [MQTT-3.3.2-17] every user property, duplicates included, [MQTT-3.3.2-18] in order
            List<Property> users = p.all(USER_PROPERTY);
            assertEquals(4, users.size(), "user properties in " + p);
            for (int i = 0; i < 4; i++) {
                byte[] keyAndValue = Arrays.copyOfRange(sent[4 + i], 1, sent[4 + i].length); // after the identifier
                assertEquals(hex(keyAndValue), hex(users.get(i).value()), "user property " + i);
            }
        }
    }

    @Test
    void pahoSubscriberSeesThePropertiesAHivemqPublisherSet() throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        org.eclipse.paho.mqttv5.client.MqttClient subscriber =
            new org.eclipse.paho.mqttv5.client.MqttClient(broker.uri(), "paho-sub", new MemoryPersistence());
        subscriber.setCallback(inbox.pahoV5());
        Mqtt5AsyncClient publisher = MqttClient.builder().useMqttVersion5().identifier("hive-pub")
            .serverHost(broker.host()).serverPort(broker.port()).buildAsync();
        try {
            subscriber.connect(new MqttConnectionOptions());
            subscriber.subscribe("props/lib", 1);
            publisher.connect().get(WAIT_SECONDS, SECONDS);

            publisher.publishWith().topic("props/lib").payload(utf8("temperature 21"))
                .qos(MqttQos.AT_LEAST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .contentType("text/plain")
                .responseTopic("replies/lib")
                .correlationData(CORRELATION)
                .userProperties(Mqtt5UserProperties.builder()
                    .add("site", "paris").add("site", "lyon").add("unit", "°C").add("site", "paris").build())
                .send().get(WAIT_SECONDS, SECONDS);

            MqttMessage received = inbox.nextPahoV5Message();
            assertNotNull(received, "no message within " + WAIT_SECONDS + " s");
            MqttProperties props = received.getProperties();
            assertEquals("temperature 21", new String(received.getPayload()));
            assertTrue(props.getPayloadFormat());
            assertEquals("text/plain", props.getContentType());
            assertEquals("replies/lib", props.getResponseTopic());
            assertArrayEquals(CORRELATION, props.getCorrelationData());
            assertEquals(List.of(new UserProperty("site", "paris"), new UserProperty("site", "lyon"),
                new UserProperty("unit", "°C"), new UserProperty("site", "paris")), props.getUserProperties());
        } finally {
            publisher.disconnect().get(WAIT_SECONDS, SECONDS);
            if (subscriber.isConnected()) {
                subscriber.disconnect();
            }
            subscriber.close();
        }
    }

    @Test
    void deliversMessageWithPropertiesToMqtt311Subscribers() throws Exception {
        try (LibraryClient paho = LibraryClient.connect(Library.PAHO_V3, broker, "paho-sub");
             LibraryClient hivemq = LibraryClient.connect(Library.HIVEMQ_V3, broker, "hive-sub");
             RawClient publisher = open5(broker, "pub", true)) {
            paho.subscribe("props/old", 1);
            hivemq.subscribe("props/old", 1);

            publisher.send(publish(1, false, false, 1, "props/old", properties(
                byteProperty(PAYLOAD_FORMAT_INDICATOR, 1), stringProperty(RESPONSE_TOPIC, "replies"),
                binaryProperty(CORRELATION_DATA, CORRELATION), userProperty("k", "v")), utf8("for everyone")));
            expectSuccessAck(publisher, true, PUBACK, 1);

            // 3.1.1 has no properties: the message comes without them, payload intact
            assertEquals("for everyone", paho.next().text());
            assertEquals("for everyone", hivemq.next().text());
        }
    }

    @Test
    void forwardsAValidUtf8PayloadThatClaimsUtf8() throws Exception {
        try (RawClient subscriber = open5(broker, "sub", true);
             RawClient publisher = open5(broker, "pub", true)) {
            subscribeAndExpectGranted(subscriber, true, 1, "format/good", 0);

            publisher.send(publish(0, false, false, 0, "format/good", utf8Claim(), utf8("grüße ✓")));

            Packet p = expectPublish(subscriber, true);
            assertEquals("grüße ✓", p.payloadText());
            assertEquals(1, p.property(PAYLOAD_FORMAT_INDICATOR).number()); // [MQTT-3.3.2-4]
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** @return a property block with Payload Format Indicator 1: the payload is UTF-8 */
    private static byte[] utf8Claim() {
        return properties(byteProperty(PAYLOAD_FORMAT_INDICATOR, 1));
    }
}
