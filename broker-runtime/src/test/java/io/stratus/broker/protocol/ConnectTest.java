package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import io.stratus.broker.support.Packets.Connect;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONNECT and CONNACK: which clients get in, which are refused and how, and what CONNACK tells them. */
class ConnectTest {

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    // ---- accepted clients ------------------------------------------------------------------------

    @Test
    void acceptsMqtt311ClientAndRoutesItsMessages() throws Exception {
        fixture.start();
        MqttClient client = fixture.clients().pahoV3("v311");
        SubscriberInbox inbox = new SubscriberInbox();
        client.setCallback(inbox.pahoV3());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);

        boolean sessionPresent = client.connectWithResult(options).getSessionPresent();
        client.subscribe("connect/v311", 1);
        client.publish("connect/v311", "hello".getBytes(StandardCharsets.UTF_8), 1, false);

        assertFalse(sessionPresent); // [MQTT-3.2.2-1]
        SubscriberInbox.Received received = inbox.poll(SubscriberInbox.WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(received, "a 3.1.1 client receives what it subscribed to");
        assertEquals("hello", received.payload());
    }

    @Test
    void acceptsMqtt31ClientAndRoutesItsMessages() throws Exception {
        fixture.start();
        MqttClient client = fixture.clients().pahoV3("v31");
        SubscriberInbox inbox = new SubscriberInbox();
        client.setCallback(inbox.pahoV3());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);

        client.connect(options);
        client.subscribe("connect/v31", 1);
        client.publish("connect/v31", "hello".getBytes(StandardCharsets.UTF_8), 1, false);

        SubscriberInbox.Received received = inbox.poll(SubscriberInbox.WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(received, "a 3.1 client receives what it subscribed to");
        assertEquals("hello", received.payload());
    }

    @Test
    void answersMqtt31ConnectInTheMqtt31Format() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v31("raw-v31").bytes());

        // 3.1 has no Session Present flag: the first byte after the length is reserved and zero
        assertEquals("20020000", raw.readPacketHex());
    }

    @Test
    void answersMqtt31ConnectWithoutSessionPresentEvenWhenTheSessionResumes() throws Exception {
        fixture.start();
        RawClient first = fixture.clients().raw();
        first.send(Connect.v31("v31-persistent").cleanStart(false).bytes());
        assertEquals("20020000", first.readPacketHex());
        first.send("e0 00");
        assertThrows(EOFException.class, first::readPacket);
        RawClient second = fixture.clients().raw();

        second.send(Connect.v31("v31-persistent").cleanStart(false).bytes());

        // the session resumes, but a 3.1 CONNACK has only a reserved byte where 3.1.1 put Session Present
        assertEquals("20020000", second.readPacketHex());
    }

    @Test
    void acceptsMqtt5ClientsOfBothLibraries() throws Exception {
        fixture.start();
        org.eclipse.paho.mqttv5.client.MqttClient paho = fixture.clients().pahoV5("v5-paho");
        Mqtt5BlockingClient hivemq = fixture.clients().hivemq("v5-hivemq");

        IMqttToken pahoToken = paho.connectWithResult(new MqttConnectionOptions());
        Mqtt5ConnAck hivemqAck = hivemq.connect();

        assertTrue(paho.isConnected());
        assertFalse(pahoToken.getSessionPresent());
        assertEquals(Mqtt5ConnAckReasonCode.SUCCESS, hivemqAck.getReasonCode());
        assertFalse(hivemqAck.isSessionPresent()); // [MQTT-3.2.2-2]
    }

    // ---- protocol name and level -----------------------------------------------------------------

    @Test
    void refusesUnsupportedProtocolLevelWithReturnCode1InTheMqtt311Format() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v311("level-6").protocol("MQTT", 6).bytes());

        // [MQTT-3.1.2-2] CONNACK 0x01 (unacceptable protocol level), then the connection is closed
        assertEquals("20020001", raw.readPacketHex());
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void refusesWrongProtocolName() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v311("wrong-name").protocol("MQTX", 4).bytes());

        // [MQTT-3.1.2-1] the broker may answer 0x01 or just close, but never accept the connection
        byte[] answer;
        try {
            answer = raw.readPacket();
        } catch (EOFException closedWithoutAnswer) {
            return;
        }
        assertEquals("20020001", HexFormat.of().formatHex(answer));
        assertThrows(EOFException.class, raw::readPacket);
    }

    // ---- malformed and out-of-order CONNECTs -----------------------------------------------------

    @Test
    void closesMqtt311ConnectionWhoseReservedConnectFlagIsSet() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v311("reserved").extraFlags(0x01).bytes());

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.2-3] closed, no CONNACK
    }

    @Test
    void refusesMqtt5ConnectWhoseReservedConnectFlagIsSetAsMalformed() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v5("reserved").extraFlags(0x01).bytes());

        // [MQTT-3.1.2-3] a Malformed Packet: CONNACK 0x81, then close [MQTT-3.2.2-7]
        assertEquals(0x81, PacketReader.connAckCode(raw.readPacket()));
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void closesConnectionWhoseFirstPacketIsPingreq() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send("c0 00");

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.0-1] closed, no PINGRESP
    }

    @Test
    void closesConnectionWhoseFirstPacketIsPublish() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Packets.publish(4, "connect/first", 0, false, 0, "too early"));

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.0-1]
    }

    @Test
    void disconnectsMqtt5ClientThatSendsASecondConnectWithProtocolError() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();
        raw.send(Connect.v5("twice").bytes());
        assertEquals(0x00, PacketReader.connAckCode(raw.readPacket()));

        raw.send(Connect.v5("twice").bytes());

        // [MQTT-3.1.0-2] a second CONNECT is a Protocol Error: DISCONNECT 0x82, then close
        assertEquals(0x82, PacketReader.disconnectCode(raw.readPacket()));
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void closesMqtt311ConnectionThatSendsASecondConnect() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();
        raw.send(Connect.v311("twice").bytes());
        assertEquals("20020000", raw.readPacketHex());

        raw.send(Connect.v311("twice").bytes());

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.0-2] closed, nothing sent
    }

    // ---- client identifiers ----------------------------------------------------------------------

    @Test
    void refusesEmptyClientIdWithoutCleanSessionOnMqtt311() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v311("").cleanStart(false).bytes());

        // [MQTT-3.1.3-8] CONNACK 0x02 (identifier rejected), then close
        assertEquals("20020002", raw.readPacketHex());
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void acceptsEmptyClientIdWithCleanSessionOnMqtt311AndGivesEachItsOwnSession() throws Exception {
        fixture.start();
        RawClient first = fixture.clients().raw();
        RawClient second = fixture.clients().raw();

        first.send(Connect.v311("").bytes());
        second.send(Connect.v311("").bytes());

        assertEquals("20020000", first.readPacketHex());
        assertEquals("20020000", second.readPacketHex());
        // [MQTT-3.1.3-6] each gets a unique identifier: two sessions, neither took the other over
        assertEquals(2, fixture.broker().defaultTenant().sessions().size());
        first.send("c0 00");
        assertEquals("d000", first.readPacketHex());
    }

    @Test
    void assignsClientIdentifierToMqtt5ClientWithEmptyId() throws Exception {
        fixture.start();
        Mqtt5BlockingClient client = fixture.clients().hivemq(null);

        Mqtt5ConnAck ack = client.connect();

        // [MQTT-3.2.2-16] the CONNACK carries the Assigned Client Identifier, and it names the session
        String assigned = ack.getAssignedClientIdentifier().orElseThrow().toString();
        assertFalse(assigned.isEmpty());
        assertNotNull(fixture.broker().defaultTenant().sessions().get(assigned));
    }

    @Test
    void assignsAClientIdentifierThatFitsTheConfiguredMaximumSoTheClientCanResumeWithIt() throws Exception {
        // 23 characters is what every server must accept [MQTT-3.1.3-5]: a broker limited to that must
        // still assign identifiers, and the client must be able to come back with the one it was given
        fixture.start(LimitsBuilder.with(l -> l.maxClientIdLength(23)));
        Mqtt5BlockingClient anonymous = fixture.clients().hivemq(null);
        String assigned = anonymous.connectWith().cleanStart(true).sessionExpiryInterval(60).send()
            .getAssignedClientIdentifier().orElseThrow().toString();
        anonymous.disconnect();
        Mqtt5BlockingClient returning = fixture.clients().hivemq(assigned);

        Mqtt5ConnAck resumed = returning.connectWith().cleanStart(false).sessionExpiryInterval(60).send();

        assertTrue(assigned.length() <= 23, "assigned " + assigned);
        assertTrue(resumed.isSessionPresent(), "the session of the assigned identifier resumes");
    }

    @Test
    void refusesClientIdLongerThanTheConfiguredMaximum() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.maxClientIdLength(8)));
        Mqtt5BlockingClient v5 = fixture.clients().hivemq("nine-char");
        MqttClient v311 = fixture.clients().pahoV3("nine-char");
        MqttClient longest = fixture.clients().pahoV3("eight-ch");
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);

        Mqtt5ConnAckException refused5 = assertThrows(Mqtt5ConnAckException.class, v5::connect);
        MqttException refused311 = assertThrows(MqttException.class, () -> v311.connect(options));
        longest.connect(options);

        assertEquals(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID, refused5.getMqttMessage().getReasonCode());
        assertEquals(MqttException.REASON_CODE_INVALID_CLIENT_ID, refused311.getReasonCode());
        assertTrue(longest.isConnected(), "an identifier of exactly the maximum length is accepted");
    }

    // ---- flags -----------------------------------------------------------------------------------

    @Test
    void closesConnectionWhoseWillQosIsSetWithoutWillFlag() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v311("will-qos").extraFlags(0x08).bytes()); // Will QoS 1, Will Flag 0

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.2-13]
    }

    @Test
    void closesConnectionWhoseWillRetainIsSetWithoutWillFlag() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v311("will-retain").extraFlags(0x20).bytes()); // Will Retain 1, Will Flag 0

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.2-15]
    }

    @Test
    void closesMqtt311ConnectionWithPasswordButNoUserName() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v311("pw-only").password("secret").bytes());

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.2-22]
    }

    @Test
    void acceptsMqtt5ConnectWithPasswordButNoUserName() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v5("pw-only").password("secret").bytes());

        // 5.0 dropped the 3.1.1 rule: a password without a user name is allowed (§3.1.2.9)
        assertEquals(0x00, PacketReader.connAckCode(raw.readPacket()));
    }

    // ---- 5.0 properties --------------------------------------------------------------------------

    @Test
    void refusesReceiveMaximumZeroWithProtocolError() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v5("rm-zero").receiveMaximum(0).bytes());

        // §3.1.2.11.3: Receive Maximum 0 is a Protocol Error
        assertEquals(0x82, PacketReader.connAckCode(raw.readPacket()));
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void refusesAuthenticationMethodItDoesNotOffer() throws Exception {
        fixture.start();
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v5("scram").authenticationMethod("SCRAM-SHA-256").bytes());

        // [MQTT-4.12.0-1] CONNACK 0x8C (bad authentication method), then close
        assertEquals(0x8C, PacketReader.connAckCode(raw.readPacket()));
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void statesItsLimitsAndFeaturesInTheMqtt5Connack() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.receiveMaximum(42).maxPacketSize(10_000).topicAliasMaximum(7)));
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v5("props").bytes());
        Map<Integer, Object> props = connAckProperties(raw.readPacket());

        // §3.2.2.3: stated explicitly, not left to the defaults a client would assume
        assertEquals(42L, props.get(0x21), "Receive Maximum");
        assertEquals(10_000L, props.get(0x27), "Maximum Packet Size");
        assertEquals(7L, props.get(0x22), "Topic Alias Maximum");
        assertEquals(1L, props.get(0x25), "Retain Available");
        assertEquals(1L, props.get(0x28), "Wildcard Subscription Available");
        assertEquals(1L, props.get(0x29), "Subscription Identifier Available");
        assertEquals(1L, props.get(0x2A), "Shared Subscription Available");
    }

    @Test
    void limitsItStatesAreWhatAnMqtt5LibraryReads() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.receiveMaximum(42).maxPacketSize(10_000).topicAliasMaximum(7)));
        Mqtt5BlockingClient client = fixture.clients().hivemq("restrictions");

        Mqtt5ConnAckRestrictions restrictions = client.connect().getRestrictions();

        assertEquals(42, restrictions.getReceiveMaximum());
        assertEquals(10_000, restrictions.getMaximumPacketSize());
        assertEquals(7, restrictions.getTopicAliasMaximum());
        assertEquals(MqttQos.EXACTLY_ONCE, restrictions.getMaximumQos());
    }

    // ---- connection limit and connect timeout ----------------------------------------------------

    @Test
    void refusesConnectionsBeyondTheConnectionLimit() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.maxConnections(1)));
        MqttClient first = fixture.clients().pahoV3("first");
        first.connect();
        Mqtt5BlockingClient v5 = fixture.clients().hivemq("second-v5");
        MqttClient v311 = fixture.clients().pahoV3("second-v311");
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);

        Mqtt5ConnAckException refused5 = assertThrows(Mqtt5ConnAckException.class, v5::connect);
        MqttException refused311 = assertThrows(MqttException.class, () -> v311.connect(options));

        assertEquals(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED, refused5.getMqttMessage().getReasonCode());
        assertEquals(MqttException.REASON_CODE_BROKER_UNAVAILABLE, refused311.getReasonCode());
        assertTrue(first.isConnected(), "the connection within the limit is not affected");
    }

    @Test
    void closesConnectionThatSendsNoConnectWithinTheConnectTimeout() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.connectTimeoutSeconds(1)));
        long started = System.nanoTime();
        RawClient raw = fixture.clients().raw();

        assertThrows(EOFException.class, raw::readPacket);

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(elapsedMillis >= 900, "closed after " + elapsedMillis + " ms, before the timeout");
        assertTrue(elapsedMillis < 3000, "closed only after " + elapsedMillis + " ms");
    }

    @Test
    void closesConnectionWhoseConnectTricklesInSlowerThanTheConnectTimeout() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.connectTimeoutSeconds(1)));
        RawClient raw = fixture.clients().raw();
        byte[] connect = Connect.v311("trickle").bytes();
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        long started = System.nanoTime();
        try {
            // one byte every 250 ms: each byte arrives well within the timeout, the whole CONNECT does not
            writer.scheduleAtFixedRate(() -> {
                int next = sent.get();
                if (next < connect.length) {
                    try {
                        raw.send(new byte[] {connect[next]});
                        sent.incrementAndGet();
                    } catch (IOException closed) {
                        throw new IllegalStateException(closed); // ends the schedule
                    }
                }
            }, 0, 250, TimeUnit.MILLISECONDS);

            // closed, never acknowledged; reset rather than closed if a byte crosses the close
            PacketReader.expectClosedWithoutAnswer(raw);
        } finally {
            writer.shutdownNow();
        }

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(elapsedMillis < 3000, "closed only after " + elapsedMillis + " ms");
        assertTrue(sent.get() < connect.length, "the CONNECT was cut off before it was complete");
    }

    /** The property identifiers a CONNACK may carry that this test knows (§3.2.2.3). */
    private static final Set<Integer> CONNACK_PROPERTIES =
        Set.of(0x11, 0x12, 0x13, 0x15, 0x1A, 0x1C, 0x1F, 0x21, 0x22, 0x24, 0x25, 0x27, 0x28, 0x29, 0x2A);

    /** @return the properties of a 5.0 CONNACK: integers as Long, strings as String */
    private static Map<Integer, Object> connAckProperties(byte[] connAck) {
        assertEquals(0x00, PacketReader.connAckCode(connAck));
        Map<Integer, Object> props = PacketReader.parseConnAck(connAck, true).properties();
        for (int id : props.keySet()) {
            if (!CONNACK_PROPERTIES.contains(id)) {
                throw new AssertionError("unexpected CONNACK property 0x" + Integer.toHexString(id));
            }
        }
        return props;
    }
}
