package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.support.ConnectPacket;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.MqttBytes;
import io.stratus.broker.support.OpenClients;
import io.stratus.broker.support.Paho3Inbox;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONNECT and CONNACK: which clients get in, which are refused and how, and what CONNACK tells them. */
class ConnectTest {

    private TestBroker broker;
    private OpenClients clients;

    private void start() throws Exception {
        start(UnaryOperator.identity());
    }

    private void start(UnaryOperator<LimitsConfig> limits) throws Exception {
        broker = TestBroker.start(limits);
        clients = new OpenClients(broker);
    }

    @AfterEach
    void tearDown() {
        if (clients != null) {
            clients.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---- accepted clients ------------------------------------------------------------------------

    @Test
    void acceptsMqtt311ClientAndRoutesItsMessages() throws Exception {
        start();
        MqttClient client = clients.pahoV3("v311");
        Paho3Inbox inbox = new Paho3Inbox();
        client.setCallback(inbox);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);

        boolean sessionPresent = client.connectWithResult(options).getSessionPresent();
        client.subscribe("connect/v311", 1);
        client.publish("connect/v311", "hello".getBytes(StandardCharsets.UTF_8), 1, false);

        assertFalse(sessionPresent); // [MQTT-3.2.2-1]
        Paho3Inbox.Received received = inbox.next();
        assertNotNull(received, "a 3.1.1 client receives what it subscribed to");
        assertEquals("hello", received.payload());
    }

    @Test
    void acceptsMqtt31ClientAndRoutesItsMessages() throws Exception {
        start();
        MqttClient client = clients.pahoV3("v31");
        Paho3Inbox inbox = new Paho3Inbox();
        client.setCallback(inbox);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);

        client.connect(options);
        client.subscribe("connect/v31", 1);
        client.publish("connect/v31", "hello".getBytes(StandardCharsets.UTF_8), 1, false);

        Paho3Inbox.Received received = inbox.next();
        assertNotNull(received, "a 3.1 client receives what it subscribed to");
        assertEquals("hello", received.payload());
    }

    @Test
    void answersMqtt31ConnectInTheMqtt31Format() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v31("raw-v31").bytes());

        // 3.1 has no Session Present flag: the first byte after the length is reserved and zero
        assertEquals("20020000", raw.readPacketHex());
    }

    @Test
    void answersMqtt31ConnectWithoutSessionPresentEvenWhenTheSessionResumes() throws Exception {
        start();
        RawClient first = clients.raw();
        first.send(ConnectPacket.v31("v31-persistent").cleanStart(false).bytes());
        assertEquals("20020000", first.readPacketHex());
        first.send("e0 00");
        assertThrows(EOFException.class, first::readPacket);
        RawClient second = clients.raw();

        second.send(ConnectPacket.v31("v31-persistent").cleanStart(false).bytes());

        // the session resumes, but a 3.1 CONNACK has only a reserved byte where 3.1.1 put Session Present
        assertEquals("20020000", second.readPacketHex());
    }

    @Test
    void acceptsMqtt5ClientsOfBothLibraries() throws Exception {
        start();
        org.eclipse.paho.mqttv5.client.MqttClient paho = clients.pahoV5("v5-paho");
        Mqtt5BlockingClient hivemq = clients.hivemq("v5-hivemq");

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
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v311("level-6").protocol("MQTT", 6).bytes());

        // [MQTT-3.1.2-2] CONNACK 0x01 (unacceptable protocol level), then the connection is closed
        assertEquals("20020001", raw.readPacketHex());
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void refusesWrongProtocolName() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v311("wrong-name").protocol("MQTX", 4).bytes());

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
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v311("reserved").extraFlags(0x01).bytes());

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.2-3] closed, no CONNACK
    }

    @Test
    void refusesMqtt5ConnectWhoseReservedConnectFlagIsSetAsMalformed() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v5("reserved").extraFlags(0x01).bytes());

        // [MQTT-3.1.2-3] a Malformed Packet: CONNACK 0x81, then close [MQTT-3.2.2-7]
        assertEquals(0x81, MqttBytes.connAckCode(raw.readPacket()));
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void closesConnectionWhoseFirstPacketIsPingreq() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send("c0 00");

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.0-1] closed, no PINGRESP
    }

    @Test
    void closesConnectionWhoseFirstPacketIsPublish() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send(MqttBytes.publish(4, "connect/first", 0, false, 0, "too early"));

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.0-1]
    }

    @Test
    void disconnectsMqtt5ClientThatSendsASecondConnectWithProtocolError() throws Exception {
        start();
        RawClient raw = clients.raw();
        raw.send(ConnectPacket.v5("twice").bytes());
        assertEquals(0x00, MqttBytes.connAckCode(raw.readPacket()));

        raw.send(ConnectPacket.v5("twice").bytes());

        // [MQTT-3.1.0-2] a second CONNECT is a Protocol Error: DISCONNECT 0x82, then close
        assertEquals(0x82, MqttBytes.disconnectCode(raw.readPacket()));
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void closesMqtt311ConnectionThatSendsASecondConnect() throws Exception {
        start();
        RawClient raw = clients.raw();
        raw.send(ConnectPacket.v311("twice").bytes());
        assertEquals("20020000", raw.readPacketHex());

        raw.send(ConnectPacket.v311("twice").bytes());

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.0-2] closed, nothing sent
    }

    // ---- client identifiers ----------------------------------------------------------------------

    @Test
    void refusesEmptyClientIdWithoutCleanSessionOnMqtt311() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v311("").cleanStart(false).bytes());

        // [MQTT-3.1.3-8] CONNACK 0x02 (identifier rejected), then close
        assertEquals("20020002", raw.readPacketHex());
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void acceptsEmptyClientIdWithCleanSessionOnMqtt311AndGivesEachItsOwnSession() throws Exception {
        start();
        RawClient first = clients.raw();
        RawClient second = clients.raw();

        first.send(ConnectPacket.v311("").bytes());
        second.send(ConnectPacket.v311("").bytes());

        assertEquals("20020000", first.readPacketHex());
        assertEquals("20020000", second.readPacketHex());
        // [MQTT-3.1.3-6] each gets a unique identifier: two sessions, neither took the other over
        assertEquals(2, broker.defaultTenant().sessions().size());
        first.send("c0 00");
        assertEquals("d000", first.readPacketHex());
    }

    @Test
    void assignsClientIdentifierToMqtt5ClientWithEmptyId() throws Exception {
        start();
        Mqtt5BlockingClient client = clients.hivemq(null);

        Mqtt5ConnAck ack = client.connect();

        // [MQTT-3.2.2-16] the CONNACK carries the Assigned Client Identifier, and it names the session
        String assigned = ack.getAssignedClientIdentifier().orElseThrow().toString();
        assertFalse(assigned.isEmpty());
        assertNotNull(broker.defaultTenant().sessions().get(assigned));
    }

    @Test
    void assignsAClientIdentifierThatFitsTheConfiguredMaximumSoTheClientCanResumeWithIt() throws Exception {
        // 23 characters is what every server must accept [MQTT-3.1.3-5]: a broker limited to that must
        // still assign identifiers, and the client must be able to come back with the one it was given
        start(LimitsBuilder.with(l -> l.maxClientIdLength(23)));
        Mqtt5BlockingClient anonymous = clients.hivemq(null);
        String assigned = anonymous.connectWith().cleanStart(true).sessionExpiryInterval(60).send()
            .getAssignedClientIdentifier().orElseThrow().toString();
        anonymous.disconnect();
        Mqtt5BlockingClient returning = clients.hivemq(assigned);

        Mqtt5ConnAck resumed = returning.connectWith().cleanStart(false).sessionExpiryInterval(60).send();

        assertTrue(assigned.length() <= 23, "assigned " + assigned);
        assertTrue(resumed.isSessionPresent(), "the session of the assigned identifier resumes");
    }

    @Test
    void refusesClientIdLongerThanTheConfiguredMaximum() throws Exception {
        start(LimitsBuilder.with(l -> l.maxClientIdLength(8)));
        Mqtt5BlockingClient v5 = clients.hivemq("nine-char");
        MqttClient v311 = clients.pahoV3("nine-char");
        MqttClient longest = clients.pahoV3("eight-ch");
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
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v311("will-qos").extraFlags(0x08).bytes()); // Will QoS 1, Will Flag 0

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.2-13]
    }

    @Test
    void closesConnectionWhoseWillRetainIsSetWithoutWillFlag() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v311("will-retain").extraFlags(0x20).bytes()); // Will Retain 1, Will Flag 0

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.2-15]
    }

    @Test
    void closesMqtt311ConnectionWithPasswordButNoUserName() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v311("pw-only").password("secret").bytes());

        assertThrows(EOFException.class, raw::readPacket); // [MQTT-3.1.2-22]
    }

    @Test
    void acceptsMqtt5ConnectWithPasswordButNoUserName() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v5("pw-only").password("secret").bytes());

        // 5.0 dropped the 3.1.1 rule: a password without a user name is allowed (§3.1.2.9)
        assertEquals(0x00, MqttBytes.connAckCode(raw.readPacket()));
    }

    // ---- 5.0 properties --------------------------------------------------------------------------

    @Test
    void refusesReceiveMaximumZeroWithProtocolError() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v5("rm-zero").receiveMaximum(0).bytes());

        // §3.1.2.11.3: Receive Maximum 0 is a Protocol Error
        assertEquals(0x82, MqttBytes.connAckCode(raw.readPacket()));
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void refusesAuthenticationMethodItDoesNotOffer() throws Exception {
        start();
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v5("scram").authenticationMethod("SCRAM-SHA-256").bytes());

        // [MQTT-4.12.0-1] CONNACK 0x8C (bad authentication method), then close
        assertEquals(0x8C, MqttBytes.connAckCode(raw.readPacket()));
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void statesItsLimitsAndFeaturesInTheMqtt5Connack() throws Exception {
        start(LimitsBuilder.with(l -> l.receiveMaximum(42).maxPacketSize(10_000).topicAliasMaximum(7)));
        RawClient raw = clients.raw();

        raw.send(ConnectPacket.v5("props").bytes());
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
        start(LimitsBuilder.with(l -> l.receiveMaximum(42).maxPacketSize(10_000).topicAliasMaximum(7)));
        Mqtt5BlockingClient client = clients.hivemq("restrictions");

        Mqtt5ConnAckRestrictions restrictions = client.connect().getRestrictions();

        assertEquals(42, restrictions.getReceiveMaximum());
        assertEquals(10_000, restrictions.getMaximumPacketSize());
        assertEquals(7, restrictions.getTopicAliasMaximum());
        assertEquals(MqttQos.EXACTLY_ONCE, restrictions.getMaximumQos());
    }

    // ---- connection limit and connect timeout ----------------------------------------------------

    @Test
    void refusesConnectionsBeyondTheConnectionLimit() throws Exception {
        start(LimitsBuilder.with(l -> l.maxConnections(1)));
        MqttClient first = clients.pahoV3("first");
        first.connect();
        Mqtt5BlockingClient v5 = clients.hivemq("second-v5");
        MqttClient v311 = clients.pahoV3("second-v311");
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
        start(LimitsBuilder.with(l -> l.connectTimeoutSeconds(1)));
        long started = System.nanoTime();
        RawClient raw = clients.raw();

        assertThrows(EOFException.class, raw::readPacket);

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(elapsedMillis >= 900, "closed after " + elapsedMillis + " ms, before the timeout");
        assertTrue(elapsedMillis < 3000, "closed only after " + elapsedMillis + " ms");
    }

    @Test
    void closesConnectionWhoseConnectTricklesInSlowerThanTheConnectTimeout() throws Exception {
        start(LimitsBuilder.with(l -> l.connectTimeoutSeconds(1)));
        RawClient raw = clients.raw();
        byte[] connect = ConnectPacket.v311("trickle").bytes();
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

            assertThrows(EOFException.class, raw::readPacket); // closed, never acknowledged
        } finally {
            writer.shutdownNow();
        }

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(elapsedMillis < 3000, "closed only after " + elapsedMillis + " ms");
        assertTrue(sent.get() < connect.length, "the CONNECT was cut off before it was complete");
    }

    /** @return the properties of a 5.0 CONNACK: integers as Long, strings as String */
    private static Map<Integer, Object> connAckProperties(byte[] connAck) {
        assertEquals(0x00, MqttBytes.connAckCode(connAck));
        int[] pos = {1};
        readVarInt(connAck, pos); // remaining length
        pos[0] += 2;              // acknowledge flags, reason code
        int end = readVarInt(connAck, pos) + pos[0];
        Map<Integer, Object> props = new HashMap<>();
        while (pos[0] < end) {
            int id = connAck[pos[0]++] & 0xFF;
            int width = switch (id) {
                case 0x24, 0x25, 0x28, 0x29, 0x2A -> 1;
                case 0x13, 0x21, 0x22 -> 2;
                case 0x11, 0x27 -> 4;
                case 0x12, 0x15, 0x1A, 0x1C, 0x1F -> -1; // UTF-8 strings
                default -> throw new AssertionError("unexpected CONNACK property 0x" + Integer.toHexString(id));
            };
            if (width < 0) {
                int length = ((connAck[pos[0]] & 0xFF) << 8) | (connAck[pos[0] + 1] & 0xFF);
                props.put(id, new String(connAck, pos[0] + 2, length, StandardCharsets.UTF_8));
                pos[0] += 2 + length;
            } else {
                long value = 0;
                for (int i = 0; i < width; i++) {
                    value = (value << 8) | (connAck[pos[0]++] & 0xFF);
                }
                props.put(id, value);
            }
        }
        return props;
    }

    private static int readVarInt(byte[] b, int[] pos) {
        int value = 0;
        int multiplier = 1;
        int digit;
        do {
            digit = b[pos[0]++] & 0xFF;
            value += (digit & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((digit & 0x80) != 0);
        return value;
    }
}
