package io.stratus.broker.protocol;

import static io.stratus.broker.support.PacketReader.bodyOffset;
import static io.stratus.broker.support.Packets.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stratus.broker.support.EmbeddedMqttChannel;
import io.stratus.broker.support.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Malformed, forbidden and unsupported CONNECTs, and packets that come before any CONNECT, fed as
 * literal bytes through the listener's pipeline. Each is refused, with a CONNACK where the
 * specification asks for one, and the connection never gets to publish or subscribe.
 */
class MalformedConnectTest {

    private static final int MALFORMED = 0x81;
    private static final int PROTOCOL_ERROR = 0x82;

    private final LogCapture log = new LogCapture();
    private EmbeddedMqttChannel client;

    @AfterEach
    void closeAll() {
        if (client != null) {
            client.close();
        }
        log.close();
    }

    // ---- protocol name and level ------------------------------------------------------------------

    @ParameterizedTest(name = "level {0}")
    @CsvSource({
        "6, 10 0d 00 04 4d 51 54 54 06 02 00 3c 00 01 63",
        "0, 10 0d 00 04 4d 51 54 54 00 02 00 3c 00 01 63",
        "255, 10 0d 00 04 4d 51 54 54 ff 02 00 3c 00 01 63",
        "6 with a 5.0 body, 10 0e 00 04 4d 51 54 54 06 02 00 3c 00 00 01 63"})
    void answersAnUnknownProtocolLevelWithReturnCode1(String level, String connect) throws Exception {
        // given
        client = EmbeddedMqttChannel.open();

        // when
        client.send(connect);

        // then [MQTT-3.1.2-2] CONNACK 0x01 (unacceptable protocol level) in the 3.1.1 format, then close
        assertEquals("20020001", client.readHex());
        assertFalse(client.isOpen());
        assertNoEscapedException();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "MQTX level 4, 10 0d 00 04 4d 51 54 58 04 02 00 3c 00 01 63",
        "MQIsdp level 4, 10 0f 00 06 4d 51 49 73 64 70 04 02 00 3c 00 01 63",
        "MQTT level 3, 10 0d 00 04 4d 51 54 54 03 02 00 3c 00 01 63"})
    void refusesAProtocolNameThatDoesNotMatchTheLevel(String name, String connect) throws Exception {
        // given
        client = EmbeddedMqttChannel.open();

        // when
        client.send(connect);

        // then [MQTT-3.1.2-1] the server may close at once or answer first; it never accepts
        String reply = client.readHex();
        assertTrue(reply.isEmpty() || reply.equals("20020001"), reply);
        assertFalse(client.isOpen());
        assertNoEscapedException();
    }

    // ---- flags --------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // [MQTT-3.1.2-3] the reserved flag is zero
        "reserved flag set, 10 0d 00 04 4d 51 54 54 04 03 00 3c 00 01 63",
        // [MQTT-3.1.2-14] will QoS 3
        "will QoS 3, 10 13 00 04 4d 51 54 54 04 1e 00 3c 00 01 63 00 01 77 00 01 78",
        // [MQTT-3.1.2-13] will QoS without a will
        "will QoS without will flag, 10 0d 00 04 4d 51 54 54 04 0a 00 3c 00 01 63",
        // [MQTT-3.1.2-15] will retain without a will
        "will retain without will flag, 10 0d 00 04 4d 51 54 54 04 22 00 3c 00 01 63",
        // [MQTT-3.1.2-22] a password needs a user name in 3.1.1
        "password without user name, 10 10 00 04 4d 51 54 54 04 42 00 3c 00 01 63 00 01 70",
        // [MQTT-1.5.3-1] the client identifier is well-formed UTF-8
        "client id with invalid UTF-8, 10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 c3 28",
        "client id with a surrogate, 10 0f 00 04 4d 51 54 54 04 02 00 3c 00 03 ed a0 80",
        // [MQTT-1.5.3-2] and has no U+0000
        "client id with U+0000, 10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 61 00",
        // the fields end before the Remaining Length does
        "bytes after the last field, 10 0e 00 04 4d 51 54 54 04 02 00 3c 00 01 63 ff"})
    void closesA311ConnectionOnAMalformedConnect(String name, String connect) throws Exception {
        // given
        client = EmbeddedMqttChannel.open();

        // when
        client.send(connect);

        // then the network connection is closed without a CONNACK
        assertEquals("", client.readHex());
        assertFalse(client.isOpen());
        assertEquals(0, client.defaultTenant().metrics().connectsTotal.sum());
        assertNoEscapedException();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // [MQTT-3.1.2-3] the reserved flag is zero, else Malformed Packet
        "reserved flag set, 10 0e 00 04 4d 51 54 54 05 03 00 3c 00 00 01 63, 0x81",
        // §3.1.2.6: will QoS 3 is a Malformed Packet
        "will QoS 3, 10 15 00 04 4d 51 54 54 05 1e 00 3c 00 00 01 63 00 00 01 77 00 01 78, 0x81",
        // [MQTT-1.5.4-1] [MQTT-1.5.4-2] client identifier that is not valid UTF-8
        "client id with invalid UTF-8, 10 0f 00 04 4d 51 54 54 05 02 00 3c 00 00 02 c3 28, 0x81",
        "client id with U+0000, 10 0f 00 04 4d 51 54 54 05 02 00 3c 00 00 02 61 00, 0x81",
        // §2.2.2.2: an unknown property identifier is a Malformed Packet
        "unknown property 0x7f, 10 0f 00 04 4d 51 54 54 05 02 00 3c 01 7f 00 01 63, 0x81",
        "unknown property 0x00, 10 0f 00 04 4d 51 54 54 05 02 00 3c 01 00 00 01 63, 0x81",
        // §2.2.2.2: so is one that is not valid in a CONNECT
        "Topic Alias in CONNECT, 10 11 00 04 4d 51 54 54 05 02 00 3c 03 23 00 01 00 01 63, 0x81",
        "Server Keep Alive in CONNECT, 10 11 00 04 4d 51 54 54 05 02 00 3c 03 13 00 0a 00 01 63, 0x81",
        "Subscription Identifier in CONNECT, 10 10 00 04 4d 51 54 54 05 02 00 3c 02 0b 01 00 01 63, 0x81",
        "Topic Alias as a will property, 10 18 00 04 4d 51 54 54 05 06 00 3c 00 00 01 63 03 23 00 01 00 01 77 00 01 78, 0x81",
        // §3.1.2.11.2 and §3.1.2.11.3: each property at most once, else Protocol Error
        "Session Expiry Interval twice, 10 18 00 04 4d 51 54 54 05 02 00 3c 0a 11 00 00 00 0a 11 00 00 00 0a 00 01 63, 0x82",
        "Receive Maximum twice, 10 14 00 04 4d 51 54 54 05 02 00 3c 06 21 00 0a 21 00 0a 00 01 63, 0x82",
        // §3.1.3.2.4: and each will property at most once
        "Message Expiry Interval twice in the will, 10 1f 00 04 4d 51 54 54 05 06 00 3c 00 00 01 63 0a 02 00 00 00 0a 02 00 00 00 0a 00 01 77 00 01 78, 0x82",
        // §3.1.2.11.4: Maximum Packet Size 0 is a Protocol Error
        "Maximum Packet Size 0, 10 13 00 04 4d 51 54 54 05 02 00 3c 05 27 00 00 00 00 00 01 63, 0x82",
        // §3.1.2.11.3: Receive Maximum 0 is a Protocol Error
        "Receive Maximum 0, 10 11 00 04 4d 51 54 54 05 02 00 3c 03 21 00 00 00 01 63, 0x82",
        "bytes after the last field, 10 0f 00 04 4d 51 54 54 05 02 00 3c 00 00 01 63 ff, 0x81"})
    void refusesA5ConnectWithTheReasonCodeOfItsFault(String name, String connect, String code) throws Exception {
        // given
        client = EmbeddedMqttChannel.open();

        // when
        client.send(connect);

        // then [MQTT-4.13.1-1] a CONNACK with the reason code, then the connection is closed
        List<byte[]> packets = client.readPackets();
        assertEquals(1, packets.size(), () -> "expected one CONNACK, got " + hex(packets));
        byte[] connAck = packets.get(0);
        assertEquals(0x20, connAck[0] & 0xff, () -> "not a CONNACK: " + hex(packets));
        assertEquals(0, connAck[bodyOffset(connAck)], "session present on a refusal [MQTT-3.2.2-6]");
        assertEquals(Integer.decode(code), connAck[bodyOffset(connAck) + 1] & 0xff,
            () -> "reason code in " + hex(packets));
        assertFalse(client.isOpen());
        assertEquals(0, client.defaultTenant().metrics().connectsTotal.sum());
        assertNoEscapedException();
    }

    @Test
    void acceptsAUserPropertyGivenTwice() throws Exception {
        // given a CONNECT with the same User Property twice, which is allowed (§3.1.2.11.8)
        client = EmbeddedMqttChannel.open();

        // when
        client.send("10 1c 00 04 4d 51 54 54 05 02 00 3c 0e 26 00 01 6b 00 01 76 26 00 01 6b 00 01 76 00 01 63");

        // then it is accepted
        byte[] connAck = client.readPackets().get(0);
        assertEquals(0x20, connAck[0] & 0xff);
        assertEquals(0, connAck[bodyOffset(connAck) + 1]);
        assertTrue(client.isOpen());
        assertNoEscapedException();
    }

    // ---- packets before CONNECT ---------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "PUBLISH, 30 05 00 01 61 68 69",
        "SUBSCRIBE, 82 06 00 01 00 01 61 00",
        "PINGREQ, c0 00",
        "DISCONNECT, e0 00",
        "AUTH, f0 00",
        "CONNACK, 20 02 00 00",
        "PUBLISH with QoS 3, 36 05 00 01 61 00 01",
        "garbage, ff ff ff ff"})
    void closesAConnectionWhoseFirstPacketIsNotConnect(String name, String packet) throws Exception {
        // given
        client = EmbeddedMqttChannel.open();

        // when the first packet is not a CONNECT, and a valid CONNECT follows in the same read
        client.send(packet + EmbeddedMqttChannel.CONNECT_311);

        // then [MQTT-3.1.0-1] the connection is closed and nothing after the first packet is processed
        assertEquals("", client.readHex());
        assertFalse(client.isOpen());
        assertEquals(0, client.defaultTenant().metrics().messagesReceived.sum());
        assertEquals(0, client.defaultTenant().metrics().connectsTotal.sum());
        assertNoEscapedException();
    }

    // ---- size and time ------------------------------------------------------------------------------

    @Test
    void closesAConnectionThatAnnouncesAnOversizedConnect() throws Exception {
        // given
        client = EmbeddedMqttChannel.open();

        // when a CONNECT announces 256 MiB (the default limit is 1 MiB) and only its header is sent
        client.send("10 ff ff ff 7f");

        // then the connection is closed at once; the version is not known yet, so there is no CONNACK
        assertEquals("", client.readHex());
        assertFalse(client.isOpen());
        assertTrue(client.largestAllocation() < 64 * 1024,
            "a buffer of " + client.largestAllocation() + " bytes was allocated");
        assertNoEscapedException();
    }

    @Test
    void closesAConnectionWhoseConnectNeverCompletes() throws Exception {
        // given a client that sends only the first bytes of a CONNECT
        client = EmbeddedMqttChannel.open();
        client.send("10 0d 00 04 4d 51");

        // when the connect timeout (10 s by default) passes
        client.advanceTimeBy(9, TimeUnit.SECONDS);
        assertTrue(client.isOpen(), "closed before the timeout");
        client.advanceTimeBy(1, TimeUnit.SECONDS);

        // then the connection is closed rather than left waiting forever
        assertFalse(client.isOpen());
        assertEquals("", client.readHex());
        assertNoEscapedException();
    }

    @Test
    void closesAConnectionThatEndsInsideItsConnect() throws Exception {
        // given
        client = EmbeddedMqttChannel.open();
        client.send("10 0e 00 04 4d 51 54 54 05 02");

        // when
        client.closeFromClient();

        // then
        assertEquals("", client.readHex());
        assertEquals(0, client.defaultTenant().metrics().connectsTotal.sum());
        assertEquals(0, client.defaultTenant().sessions().size());
        assertNoEscapedException();
    }

    private void assertNoEscapedException() {
        client.channel().checkException();
        assertEquals(List.of(), log.exceptions());
    }
}
