package io.stratus.broker.protocol;

import static io.stratus.broker.support.PacketReader.bodyOffset;
import static io.stratus.broker.support.Packets.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.support.EmbeddedMqttChannel;
import io.stratus.broker.support.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Malformed and forbidden packets from a client that has connected, fed as literal bytes through the
 * listener's pipeline. A 3.1.1 client is disconnected without a word [MQTT-4.8.0-1]; a 5.0 client
 * gets a DISCONNECT with the reason code first [MQTT-4.13.1-1]. Either way nothing that follows the
 * bad packet is acted on, and no exception escapes the protocol logic.
 */
class MalformedPacketTest {

    private static final int MALFORMED = 0x81;
    private static final int PROTOCOL_ERROR = 0x82;
    private static final int TOPIC_NAME_INVALID = 0x90;
    private static final int PACKET_TOO_LARGE = 0x95;

    /** QoS 0 PUBLISH of "hi" to "a", sent after each bad packet to show it is not processed. */
    private static final String PUBLISH_311 = "30 05 00 01 61 68 69";
    private static final String PUBLISH_5 = "30 06 00 01 61 00 68 69";

    private static final int RANDOM_ITERATIONS = 1000;
    /** Every first byte a client may send after CONNECT: PUBLISH in all its forms, then the rest. */
    private static final int[] CLIENT_FIXED_HEADERS = {0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x38, 0x3b, 0x3d,
        0x40, 0x50, 0x62, 0x70, 0x82, 0xa2, 0xc0, 0xe0, 0xf0};
    private static final Set<Integer> SERVER_PACKET_TYPES = Set.of(0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xb0,
        0xd0, 0xe0, 0xf0);

    private final LogCapture log = new LogCapture();
    private EmbeddedMqttChannel client;

    @AfterEach
    void closeAll() {
        if (client != null) {
            client.close();
        }
        log.close();
    }

    /**
     * A bad packet after CONNECT, as 3.1.1 bytes and as 5.0 bytes, with the reason codes a 5.0
     * DISCONNECT may carry. Where the specification names the code there is one; where the decoder
     * sees a Malformed Packet in what the specification calls a Protocol Error, both are accepted.
     */
    static Stream<Arguments> badPackets() {
        return Stream.of(
            // [MQTT-3.3.1-4] a PUBLISH MUST NOT have both QoS bits set
            bad("PUBLISH with QoS 3", "36 05 00 01 61 00 01", "36 06 00 01 61 00 01 00", MALFORMED),
            // [MQTT-3.8.1-1] [MQTT-3.10.1-1] [MQTT-3.6.1-1] reserved flags MUST be 0010
            bad("SUBSCRIBE with flags 0000", "80 06 00 01 00 01 61 00", "80 07 00 01 00 00 01 61 00", MALFORMED),
            bad("SUBSCRIBE with flags 0011", "83 06 00 01 00 01 61 00", "83 07 00 01 00 00 01 61 00", MALFORMED),
            bad("SUBSCRIBE with flags 1010", "8a 06 00 01 00 01 61 00", "8a 07 00 01 00 00 01 61 00", MALFORMED),
            bad("UNSUBSCRIBE with flags 0000", "a0 05 00 01 00 01 61", "a0 06 00 01 00 00 01 61", MALFORMED),
            bad("UNSUBSCRIBE with flags 0110", "a6 05 00 01 00 01 61", "a6 06 00 01 00 00 01 61", MALFORMED),
            bad("PUBREL with flags 0000", "60 02 00 01", "60 02 00 01", MALFORMED),
            bad("PUBREL with flags 0011", "63 02 00 01", "63 02 00 01", MALFORMED),
            bad("PUBREL with flags 1010", "6a 02 00 01", "6a 02 00 01", MALFORMED),
            // 3.1.1 §2.2.3, 5.0 §1.5.5: the Remaining Length has at most four bytes
            bad("Remaining Length of five bytes", "30 80 80 80 80 01", "30 80 80 80 80 01", MALFORMED),
            // [MQTT-3.3.2-2] no wildcards in a topic name; 5.0 may call it Malformed or Topic Name invalid
            bad("PUBLISH to a/#", "30 05 00 03 61 2f 23", "30 06 00 03 61 2f 23 00", MALFORMED, TOPIC_NAME_INVALID),
            bad("PUBLISH to a/+", "30 05 00 03 61 2f 2b", "30 06 00 03 61 2f 2b 00", MALFORMED, TOPIC_NAME_INVALID),
            // [MQTT-1.5.3-2] (5.0 [MQTT-1.5.4-2]) no U+0000 in a UTF-8 string
            bad("topic with U+0000", "30 05 00 03 61 00 62", "30 06 00 03 61 00 62 00", MALFORMED),
            // [MQTT-1.5.3-1] (5.0 [MQTT-1.5.4-1]) ill-formed UTF-8 is a Malformed Packet
            bad("topic with an invalid UTF-8 sequence", "30 04 00 02 c3 28", "30 05 00 02 c3 28 00", MALFORMED),
            bad("topic with a UTF-16 surrogate", "30 05 00 03 ed a0 80", "30 06 00 03 ed a0 80 00", MALFORMED),
            bad("topic with an overlong encoding", "30 04 00 02 c0 af", "30 05 00 02 c0 af 00", MALFORMED),
            bad("topic filter with invalid UTF-8", "82 07 00 01 00 02 c3 28 00", "82 08 00 01 00 00 02 c3 28 00",
                MALFORMED),
            // [MQTT-3.8.3-3] (5.0 [MQTT-3.8.3-2]) at least one topic filter
            // [MQTT-3-8.3-4] 3.1.1: bits 2-7 of the requested QoS byte; [MQTT-3.8.3-5] 5.0: bits 6-7
            bad("SUBSCRIBE with reserved option bits", "82 06 00 01 00 01 61 04", "82 07 00 01 00 00 01 61 40",
                MALFORMED),
            bad("SUBSCRIBE with a reserved option bit in its second filter",
                "82 0a 00 01 00 01 61 00 00 01 62 80", "82 0b 00 01 00 00 01 61 00 00 01 62 80", MALFORMED),
            bad("SUBSCRIBE without topic filters", "82 02 00 01", "82 03 00 01 00", PROTOCOL_ERROR),
            // [MQTT-3-8.3-4] (5.0 §3.8.3.1: QoS 3 and Retain Handling 3 are Protocol Errors)
            bad("SUBSCRIBE with QoS 3", "82 06 00 01 00 01 61 03", "82 07 00 01 00 00 01 61 03",
                MALFORMED, PROTOCOL_ERROR),
            bad("SUBSCRIBE with Retain Handling 3", "82 06 00 01 00 01 61 30", "82 07 00 01 00 00 01 61 30",
                MALFORMED, PROTOCOL_ERROR),
            // [MQTT-3.10.3-2] at least one topic filter
            bad("UNSUBSCRIBE without topic filters", "a2 02 00 01", "a2 03 00 01 00", PROTOCOL_ERROR),
            // [MQTT-2.3.1-1] (5.0 [MQTT-2.2.1-3]) packet identifiers are non-zero
            bad("QoS 1 PUBLISH with packet id 0", "32 05 00 01 61 00 00", "32 06 00 01 61 00 00 00",
                MALFORMED, PROTOCOL_ERROR),
            bad("QoS 2 PUBLISH with packet id 0", "34 05 00 01 61 00 00", "34 06 00 01 61 00 00 00",
                MALFORMED, PROTOCOL_ERROR),
            bad("SUBSCRIBE with packet id 0", "82 06 00 00 00 01 61 00", "82 07 00 00 00 00 01 61 00",
                MALFORMED, PROTOCOL_ERROR),
            // 5.0 §3.12: a PINGREQ has no variable header and no payload
            bad("PINGREQ with Remaining Length 1", "c0 01 00", "c0 01 00", MALFORMED),
            // [MQTT-3.1.0-2] a second CONNECT is a protocol violation
            bad("second CONNECT", EmbeddedMqttChannel.CONNECT_311, EmbeddedMqttChannel.CONNECT_5, PROTOCOL_ERROR),
            // packets only a server sends; 3.1.1 has no AUTH, type 15 is reserved [MQTT-4.8.0-1]
            bad("CONNACK from a client", "20 02 00 00", "20 03 00 00 00", PROTOCOL_ERROR),
            bad("SUBACK from a client", "90 03 00 01 00", "90 04 00 01 00 00", PROTOCOL_ERROR),
            bad("UNSUBACK from a client", "b0 02 00 01", "b0 04 00 01 00 00", PROTOCOL_ERROR),
            bad("PINGRESP from a client", "d0 00", "d0 00", PROTOCOL_ERROR),
            // 5.0 §4.12: AUTH without an Authentication Method in the CONNECT
            bad("AUTH", "f0 00", "f0 00", PROTOCOL_ERROR),
            bad("packet type 0", "00 00", "00 00", MALFORMED));
    }

    private static Arguments bad(String name, String v311, String v5, int... codes) {
        return Arguments.of(name, v311, v5, codes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPackets")
    void closesA311ConnectionWithoutAnswerOnABadPacket(String name, String v311, String v5, int[] codes) throws Exception {
        // given
        client = EmbeddedMqttChannel.connected311();

        // when a bad packet arrives, with a valid PUBLISH right behind it in the same read
        client.send(v311 + PUBLISH_311);

        // then
        assertEquals("", client.readHex(), "3.1.1 has no way to tell the client why [MQTT-4.8.0-1]");
        assertFalse(client.isOpen());
        assertEquals(0, client.defaultTenant().metrics().messagesReceived.sum(), "the PUBLISH after it was processed");
        assertNoEscapedException();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPackets")
    void disconnectsA5ConnectionWithItsReasonCodeOnABadPacket(String name, String v311, String v5, int[] codes)
        throws Exception {
        // given
        client = EmbeddedMqttChannel.connected5();

        // when a bad packet arrives, with a valid PUBLISH right behind it in the same read
        client.send(v5 + PUBLISH_5);

        // then [MQTT-4.13.1-1]
        assertDisconnectedWith(codes);
        assertEquals(0, client.defaultTenant().metrics().messagesReceived.sum(), "the PUBLISH after it was processed");
    }

    @Test
    void refusesAnAnnouncedOversizedPacketFromItsHeaderAlone() throws Exception {
        // given a 5.0 client of a broker that takes packets of up to 1 KiB
        client = EmbeddedMqttChannel.open(l -> withMaxPacketSize(l, 1024));
        client.send(EmbeddedMqttChannel.CONNECT_5);
        client.readPackets();

        // when it announces a PUBLISH of 256 MiB and sends only the five header bytes
        client.send("30 ff ff ff 7f");

        // then the broker answers at once, without waiting for (or making room for) the body
        assertDisconnectedWith(PACKET_TOO_LARGE);
        assertTrue(client.largestAllocation() < 64 * 1024,
            "a buffer of " + client.largestAllocation() + " bytes was allocated");
    }

    @Test
    void closesA311ConnectionThatAnnouncesAnOversizedPacket() throws Exception {
        // given
        client = EmbeddedMqttChannel.connected311();

        // when a SUBSCRIBE announces 2 MiB (the default limit is 1 MiB) and only its header is sent
        client.send("82 80 80 80 01");

        // then
        assertEquals("", client.readHex());
        assertFalse(client.isOpen());
        assertTrue(client.largestAllocation() < 64 * 1024);
        assertNoEscapedException();
    }

    @Test
    void acceptsAPacketOfExactlyTheMaximumSize() throws Exception {
        // given a 5.0 client of a broker that takes packets of up to 1 KiB
        client = EmbeddedMqttChannel.open(l -> withMaxPacketSize(l, 1024));
        client.send(EmbeddedMqttChannel.CONNECT_5);
        client.readPackets();
        // a QoS 1 PUBLISH of 1024 bytes in all: 1 + 2 header bytes, 2 + 1 topic, 2 packet id, 1 properties
        byte[] publish = new byte[1024];
        System.arraycopy(new byte[] {0x32, (byte) 0xfd, 0x07, 0x00, 0x01, 0x61, 0x00, 0x07, 0x00}, 0, publish, 0, 9);

        // when
        client.send(publish);

        // then it is acknowledged, not refused (PUBACK 0x10: no matching subscribers)
        assertEquals("400400071000", client.readHex());
        assertTrue(client.isOpen());
        assertNoEscapedException();
    }

    @Test
    void releasesTheSessionWhenTheClientClosesInsideAPacket() throws Exception {
        // given
        client = EmbeddedMqttChannel.connected5();
        assertEquals(1, client.defaultTenant().metrics().clientsConnected.get());

        // when the client sends part of a PUBLISH, then goes away
        client.send("30 0a 00 03 61");
        client.send("2f");
        client.closeFromClient();

        // then the half packet is dropped and the connection cleaned up
        assertEquals("", client.readHex());
        assertEquals(0, client.defaultTenant().metrics().messagesReceived.sum());
        assertEquals(0, client.defaultTenant().metrics().clientsConnected.get());
        assertNoEscapedException();
    }

    @Test
    void waitsForTheRestOfAPacketThatArrivesInPieces() throws Exception {
        // given
        client = EmbeddedMqttChannel.connected311();

        // when a PINGREQ and a SUBSCRIBE arrive a byte or two at a time
        for (String piece : List.of("c0", "00 82", "06 00", "05 00 01", "61", "01")) {
            client.send(piece);
        }

        // then each is answered once whole: a truncated packet is waited for, not misread
        assertEquals("d000" + "9003000501", client.readHex());
        assertTrue(client.isOpen());
        assertNoEscapedException();
    }

    @Test
    void survivesRandomBytesAfterAValidConnect() throws Exception {
        // given a fixed seed, so that a failure names an input that can be replayed
        Random random = new Random(0x5742_7475L);
        int closedByBroker = 0;
        for (int i = 0; i < RANDOM_ITERATIONS; i++) {
            boolean v5 = i % 2 == 1;
            byte[] bytes = randomInput(random, i % 4 < 2);
            String input = "iteration " + i + (v5 ? ", 5.0: " : ", 3.1.1: ") + HexFormat.of().formatHex(bytes);
            try (EmbeddedMqttChannel c = v5 ? EmbeddedMqttChannel.connected5() : EmbeddedMqttChannel.connected311()) {

                // when (send rethrows an exception that reached the end of the pipeline)
                c.send(bytes);

                // then whatever came back is whole packets of kinds a server sends
                List<byte[]> replies = c.readPackets();
                for (byte[] reply : replies) {
                    assertTrue(SERVER_PACKET_TYPES.contains(reply[0] & 0xf0), () -> input + " -> " + hex(replies));
                }
                if (!c.isOpen()) {
                    closedByBroker++;
                }
                // and the connection, open or not, can be closed and leaves nothing behind
                c.closeFromClient();
                assertEquals(0, c.defaultTenant().metrics().clientsConnected.get(), input);
            }
            assertEquals(List.of(), log.exceptions(), input);
        }
        // the input reached both outcomes, or it tested little
        assertTrue(closedByBroker > RANDOM_ITERATIONS / 10 && closedByBroker < RANDOM_ITERATIONS,
            "closed by the broker: " + closedByBroker);
    }

    /**
     * Random bytes; when {@code framed}, behind a valid type, flags and Remaining Length, so that the
     * decoder gets past the fixed header and the broker's own checks get to see the packet.
     */
    private static byte[] randomInput(Random random, boolean framed) {
        byte[] body = new byte[random.nextInt(48)];
        random.nextBytes(body);
        if (!framed) {
            byte[] raw = new byte[body.length + 1];
            random.nextBytes(raw);
            return raw;
        }
        int type = CLIENT_FIXED_HEADERS[random.nextInt(CLIENT_FIXED_HEADERS.length)];
        byte[] packet = new byte[body.length + 2];
        packet[0] = (byte) type;
        packet[1] = (byte) body.length;
        System.arraycopy(body, 0, packet, 2, body.length);
        return packet;
    }

    private static LimitsConfig withMaxPacketSize(LimitsConfig l, int max) {
        return new LimitsConfig(max, l.maxTopicLength(), l.maxTopicLevels(),
            l.maxClientIdLength(), l.receiveMaximum(), l.maxInflightOutbound(), l.maxQueuedMessages(),
            l.maxQueuedBytes(), l.maxConnections(), l.maxKeepAliveSeconds(), l.topicAliasMaximum(),
            l.maxSessionExpirySeconds(), l.maxSubscriptionsPerClient(), l.connectTimeoutSeconds(),
            l.slowConsumerTimeoutSeconds());
    }

    private void assertDisconnectedWith(int... allowedCodes) {
        List<byte[]> packets = client.readPackets();
        assertEquals(1, packets.size(), () -> "expected one DISCONNECT, got " + hex(packets));
        byte[] disconnect = packets.get(0);
        assertEquals(0xe0, disconnect[0] & 0xff, () -> "not a DISCONNECT: " + hex(packets));
        int code = disconnect[bodyOffset(disconnect)] & 0xff;
        assertTrue(Arrays.stream(allowedCodes).anyMatch(c -> c == code),
            () -> "reason code 0x" + Integer.toHexString(code) + " not in " + Arrays.toString(allowedCodes));
        assertFalse(client.isOpen(), "the connection stays open after the DISCONNECT [MQTT-4.13.1-1]");
        assertNoEscapedException();
    }

    private void assertNoEscapedException() {
        client.channel().checkException();
        assertEquals(List.of(), log.exceptions());
    }
}
