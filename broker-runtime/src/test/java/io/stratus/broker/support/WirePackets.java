package io.stratus.broker.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Packets as they are on the wire, for the PUBLISH tests that drive a {@link RawClient}: builders that
 * take any property block (so a test can send what a client library refuses to, such as Topic Alias 0
 * or a payload that contradicts its Payload Format Indicator), and a parser that keeps every property
 * of a received packet, in order, with its raw value.
 */
public final class WirePackets {

    public static final int CONNACK = 0x20;
    public static final int PUBLISH = 0x30;
    public static final int PUBACK = 0x40;
    public static final int PUBREC = 0x50;
    public static final int PUBREL = 0x62;
    public static final int PUBCOMP = 0x70;
    public static final int SUBACK = 0x90;
    public static final int DISCONNECT = 0xE0;

    /** MQTT 5.0 property identifiers (§2.2.2.2). */
    public static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
    public static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
    public static final int CONTENT_TYPE = 0x03;
    public static final int RESPONSE_TOPIC = 0x08;
    public static final int CORRELATION_DATA = 0x09;
    public static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
    public static final int SESSION_EXPIRY_INTERVAL = 0x11;
    public static final int RECEIVE_MAXIMUM = 0x21;
    public static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    public static final int TOPIC_ALIAS = 0x23;
    public static final int USER_PROPERTY = 0x26;
    public static final int MAXIMUM_PACKET_SIZE = 0x27;

    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    private WirePackets() {
    }

    // ---- building -----------------------------------------------------------------------------

    /** @return a whole packet: the first byte, the Remaining Length, then the parts */
    public static byte[] packet(int firstByte, byte[]... parts) {
        byte[] body = concat(parts);
        return concat(new byte[] {(byte) firstByte}, varInt(body.length), body);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** @return a UTF-8 Encoded String: two-byte length, then the bytes */
    public static byte[] string(String s) {
        return binary(s.getBytes(StandardCharsets.UTF_8));
    }

    /** @return Binary Data: two-byte length, then the bytes */
    public static byte[] binary(byte[] b) {
        return concat(u16(b.length), b);
    }

    public static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    public static byte[] u32(long v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    public static byte[] varInt(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
        return out.toByteArray();
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** @return a 5.0 property block: its Property Length, then the properties in the order given */
    public static byte[] properties(byte[]... props) {
        byte[] all = concat(props);
        return concat(varInt(all.length), all);
    }

    /** @return an empty 5.0 property block */
    public static byte[] noProperties() {
        return new byte[] {0};
    }

    public static byte[] byteProperty(int id, int value) {
        return new byte[] {(byte) id, (byte) value};
    }

    public static byte[] twoByteProperty(int id, int value) {
        return concat(new byte[] {(byte) id}, u16(value));
    }

    public static byte[] fourByteProperty(int id, long value) {
        return concat(new byte[] {(byte) id}, u32(value));
    }

    public static byte[] stringProperty(int id, String value) {
        return concat(new byte[] {(byte) id}, string(value));
    }

    public static byte[] binaryProperty(int id, byte[] value) {
        return concat(new byte[] {(byte) id}, binary(value));
    }

    public static byte[] userProperty(String key, String value) {
        return concat(new byte[] {USER_PROPERTY}, string(key), string(value));
    }

    /** @return a 3.1.1 CONNECT, keep alive 60 s */
    public static byte[] connect311(String clientId, boolean cleanSession) {
        return packet(0x10, string("MQTT"), new byte[] {4, (byte) (cleanSession ? 0x02 : 0x00)}, u16(60),
            string(clientId));
    }

    /** @return a 5.0 CONNECT, keep alive 60 s, with the given CONNECT properties */
    public static byte[] connect5(String clientId, boolean cleanStart, byte[]... props) {
        return packet(0x10, string("MQTT"), new byte[] {5, (byte) (cleanStart ? 0x02 : 0x00)}, u16(60),
            properties(props), string(clientId));
    }

    /** @return a SUBSCRIBE for one filter; {@code options} is the QoS on 3.1.1, the options byte on 5.0 */
    public static byte[] subscribe(boolean v5, int packetId, String filter, int options) {
        return packet(0x82, u16(packetId), v5 ? noProperties() : new byte[0], string(filter),
            new byte[] {(byte) options});
    }

    /**
     * @param properties the whole 5.0 property block (see {@link #properties}), or null for 3.1.1
     * @param packetId   ignored at QoS 0
     */
    public static byte[] publish(int qos, boolean dup, boolean retain, int packetId, String topic, byte[] properties,
                                 byte[] payload) {
        int first = PUBLISH | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 0x01 : 0);
        return packet(first, string(topic), qos > 0 ? u16(packetId) : new byte[0],
            properties == null ? new byte[0] : properties, payload);
    }

    /** @return a 3.1.1 PUBLISH */
    public static byte[] publish311(int qos, int packetId, String topic, String payload) {
        return publish(qos, false, false, packetId, topic, null, utf8(payload));
    }

    /** @return a 5.0 PUBLISH without properties */
    public static byte[] publish5(int qos, int packetId, String topic, String payload) {
        return publish(qos, false, false, packetId, topic, noProperties(), utf8(payload));
    }

    /** @return PUBACK, PUBREC, PUBREL or PUBCOMP (pass the first byte) with success and no properties */
    public static byte[] ack(int firstByte, int packetId) {
        return packet(firstByte, u16(packetId));
    }

    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    // ---- connecting ---------------------------------------------------------------------------

    /** Opens a 3.1.1 connection and checks the CONNACK accepts it. */
    public static RawClient open311(TestBroker broker, String clientId, boolean cleanSession) throws IOException {
        RawClient client = new RawClient(broker.host(), broker.port());
        client.send(connect311(clientId, cleanSession));
        expectConnAck(client, false);
        return client;
    }

    /** Opens a 5.0 connection with the given CONNECT properties and checks the CONNACK accepts it. */
    public static RawClient open5(TestBroker broker, String clientId, boolean cleanStart, byte[]... props)
            throws IOException {
        RawClient client = new RawClient(broker.host(), broker.port());
        client.send(connect5(clientId, cleanStart, props));
        expectConnAck(client, true);
        return client;
    }

    /** @return the accepting CONNACK read from the client, taken apart */
    public static Packet expectConnAck(RawClient client, boolean v5) throws IOException {
        Packet connAck = Packet.parse(client.readPacket(), v5);
        connAck.expectType(CONNACK);
        if (connAck.reasonCode() != 0) {
            throw new AssertionError("connection refused: " + connAck);
        }
        return connAck;
    }

    /** Subscribes and checks the SUBACK grants the requested QoS. */
    public static void subscribeAndExpectGranted(RawClient client, boolean v5, int packetId, String filter, int qos)
            throws IOException {
        client.send(subscribe(v5, packetId, filter, qos));
        Packet subAck = Packet.parse(client.readPacket(), v5);
        subAck.expectType(SUBACK);
        byte[] body = subAck.body();
        int granted = body[body.length - 1] & 0xFF;
        if (subAck.packetId() != packetId || granted != qos) {
            throw new AssertionError("expected SUBACK " + packetId + " granting QoS " + qos + ", got " + subAck);
        }
    }

    /** Reads the next packet and checks it is a PUBLISH. */
    public static Packet expectPublish(RawClient client, boolean v5) throws IOException {
        Packet p = Packet.parse(client.readPacket(), v5);
        p.expectType(PUBLISH);
        return p;
    }

    /**
     * Reads the next packet and checks it is the acknowledgement {@code firstByte} (PUBACK, PUBREC,
     * PUBREL, PUBCOMP) for {@code packetId} with a success reason code (below 0x80).
     */
    public static Packet expectSuccessAck(RawClient client, boolean v5, int firstByte, int packetId)
            throws IOException {
        Packet p = Packet.parse(client.readPacket(), v5);
        p.expectType(firstByte);
        if (p.packetId() != packetId || p.reasonCode() >= 0x80) {
            throw new AssertionError(String.format("expected a successful 0x%02x for %d, got %s", firstByte,
                packetId, p));
        }
        return p;
    }

    // ---- reading ------------------------------------------------------------------------------

    /** One 5.0 property as received: its identifier and the raw bytes of its value. */
    public record Property(int id, byte[] value) {

        /** @return the value of a Byte, Two Byte Integer, Four Byte Integer or Variable Byte Integer property */
        public long number() {
            if (id == SUBSCRIPTION_IDENTIFIER) {
                int[] pos = {0};
                return readVarInt(value, pos);
            }
            long v = 0;
            for (byte b : value) {
                v = (v << 8) | (b & 0xFF);
            }
            return v;
        }

        /** @return the value of a UTF-8 Encoded String property */
        public String string() {
            return new String(value, 2, value.length - 2, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return String.format("0x%02x=[%s]", id, hex(value));
        }
    }

    /**
     * A packet taken apart. For PUBLISH: topic, packet identifier (0 at QoS 0), properties and payload.
     * For CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP and DISCONNECT: packet identifier where there is
     * one, reason code (0 when omitted) and properties.
     */
    public record Packet(byte[] bytes, int type, int flags, String topic, int packetId, int reasonCode,
                         byte[] propertyBlock, List<Property> properties, byte[] payload, int bodyStart) {

        public static Packet parse(byte[] bytes, boolean v5) {
            int type = bytes[0] & 0xF0;
            int flags = bytes[0] & 0x0F;
            int[] pos = {1};
            readVarInt(bytes, pos);
            int bodyStart = pos[0];
            String topic = null;
            int packetId = 0;
            int reasonCode = 0;
            byte[] propertyBlock = new byte[0];
            byte[] payload = new byte[0];
            switch (type) {
                case PUBLISH -> {
                    int topicLength = u16(bytes, pos[0]);
                    topic = new String(bytes, pos[0] + 2, topicLength, StandardCharsets.UTF_8);
                    pos[0] += 2 + topicLength;
                    if (((flags >> 1) & 0x03) > 0) {
                        packetId = u16(bytes, pos[0]);
                        pos[0] += 2;
                    }
                    if (v5) {
                        propertyBlock = readPropertyBlock(bytes, pos);
                    }
                    payload = Arrays.copyOfRange(bytes, pos[0], bytes.length);
                }
                case PUBACK, PUBREC, 0x60, PUBCOMP -> {
                    packetId = u16(bytes, pos[0]);
                    pos[0] += 2;
                    if (pos[0] < bytes.length) {
                        reasonCode = bytes[pos[0]++] & 0xFF;
                    }
                    if (pos[0] < bytes.length) {
                        propertyBlock = readPropertyBlock(bytes, pos);
                    }
                }
                case SUBACK -> packetId = u16(bytes, pos[0]);
                case CONNACK -> {
                    reasonCode = bytes[pos[0] + 1] & 0xFF;
                    pos[0] += 2;
                    if (v5 && pos[0] < bytes.length) {
                        propertyBlock = readPropertyBlock(bytes, pos);
                    }
                }
                case DISCONNECT -> {
                    if (pos[0] < bytes.length) {
                        reasonCode = bytes[pos[0]++] & 0xFF;
                    }
                    if (pos[0] < bytes.length) {
                        propertyBlock = readPropertyBlock(bytes, pos);
                    }
                }
                default -> {
                }
            }
            return new Packet(bytes, type, flags, topic, packetId, reasonCode, propertyBlock,
                parseProperties(propertyBlock), payload, bodyStart);
        }

        public int qos() {
            return (flags >> 1) & 0x03;
        }

        public boolean dup() {
            return (flags & 0x08) != 0;
        }

        public boolean retain() {
            return (flags & 0x01) != 0;
        }

        public String payloadText() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** @return everything after the fixed header */
        public byte[] body() {
            return Arrays.copyOfRange(bytes, bodyStart, bytes.length);
        }

        /** @return every property with this identifier, in the order received */
        public List<Property> all(int id) {
            return properties.stream().filter(p -> p.id() == id).toList();
        }

        /** @return the only property with this identifier, or null; fails if there are several */
        public Property property(int id) {
            List<Property> found = all(id);
            if (found.size() > 1) {
                throw new AssertionError("property 0x" + Integer.toHexString(id) + " more than once in " + this);
            }
            return found.isEmpty() ? null : found.get(0);
        }

        public void expectType(int expected) {
            if (type != (expected & 0xF0)) {
                throw new AssertionError(String.format("expected packet type 0x%02x, got %s", expected, this));
            }
        }

        @Override
        public String toString() {
            return hex(bytes);
        }
    }

    private static byte[] readPropertyBlock(byte[] bytes, int[] pos) {
        int length = readVarInt(bytes, pos);
        byte[] block = Arrays.copyOfRange(bytes, pos[0], pos[0] + length);
        pos[0] += length;
        return block;
    }

    private static List<Property> parseProperties(byte[] block) {
        List<Property> props = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < block.length) {
            int id = block[pos[0]++] & 0xFF;
            int start = pos[0];
            switch (id) {
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> pos[0] += 1;
                case 0x13, 0x21, 0x22, 0x23 -> pos[0] += 2;
                case 0x02, 0x11, 0x18, 0x27 -> pos[0] += 4;
                case 0x0B -> readVarInt(block, pos);
                case 0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C, 0x1F -> pos[0] += 2 + u16(block, pos[0]);
                case USER_PROPERTY -> {
                    pos[0] += 2 + u16(block, pos[0]);
                    pos[0] += 2 + u16(block, pos[0]);
                }
                default -> throw new AssertionError("unknown property 0x" + Integer.toHexString(id) + " in "
                    + hex(block));
            }
            props.add(new Property(id, Arrays.copyOfRange(block, start, pos[0])));
        }
        return props;
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
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
