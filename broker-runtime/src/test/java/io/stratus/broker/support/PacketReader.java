package io.stratus.broker.support;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.stratus.broker.support.Packets.AUTH;
import static io.stratus.broker.support.Packets.CONNACK;
import static io.stratus.broker.support.Packets.DISCONNECT;
import static io.stratus.broker.support.Packets.PUBACK;
import static io.stratus.broker.support.Packets.PUBCOMP;
import static io.stratus.broker.support.Packets.PUBLISH;
import static io.stratus.broker.support.Packets.PUBREC;
import static io.stratus.broker.support.Packets.SUBACK;
import static io.stratus.broker.support.Packets.SUBSCRIPTION_IDENTIFIER;
import static io.stratus.broker.support.Packets.UNSUBACK;
import static io.stratus.broker.support.Packets.USER_PROPERTY;
import static io.stratus.broker.support.Packets.hex;

/**
 * Takes apart the packets the broker sends, as {@link RawClient} and {@link EmbeddedMqttChannel} read
 * them; {@link Packets} builds the ones a test sends. Version arguments are the protocol level: 4 for
 * 3.1.1, 5 for 5.0.
 */
public final class PacketReader {

    /** The identifiers a PUBLISH may carry (§3.3.2.3). */
    private static final Set<Integer> PUBLISH_PROPERTIES = Set.of(0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x23, 0x26);

    private PacketReader() {
    }

    // ---- framing -------------------------------------------------------------------------------

    /** Splits bytes into MQTT packets; throws if they are not a sequence of whole packets. */
    public static List<byte[]> split(byte[] bytes) {
        List<byte[]> packets = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int start = i++;
            int remaining = 0;
            int multiplier = 1;
            int digit;
            int digits = 0;
            do {
                if (i >= bytes.length || ++digits > 4) {
                    throw new AssertionError("not a whole packet: " + hex(Arrays.copyOfRange(bytes, start, bytes.length)));
                }
                digit = bytes[i++] & 0xFF;
                remaining += (digit & 0x7F) * multiplier;
                multiplier *= 128;
            } while ((digit & 0x80) != 0);
            if (i + remaining > bytes.length) {
                throw new AssertionError("not a whole packet: " + hex(Arrays.copyOfRange(bytes, start, bytes.length)));
            }
            i += remaining;
            packets.add(Arrays.copyOfRange(bytes, start, i));
        }
        return packets;
    }

    /** @return the index of the first byte after the fixed header */
    public static int bodyOffset(byte[] packet) {
        int i = 1;
        while ((packet[i] & 0x80) != 0) {
            i++;
        }
        return i + 1;
    }

    /** Reads a Variable Byte Integer (§1.5.5) at {@code pos[0]} and moves {@code pos[0]} past it. */
    public static int readVarInt(byte[] b, int[] pos) {
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

    /** @return the Two Byte Integer at {@code at} */
    public static int readU16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    // ---- single fields -------------------------------------------------------------------------

    /** @return the packet type (the high nibble of the first byte), as an unsigned value */
    public static int type(byte[] packet) {
        return packet[0] & 0xF0;
    }

    /** @return the CONNACK's reason code (5.0) or return code (3.1.1) */
    public static int connAckCode(byte[] packet) {
        expectType(packet, CONNACK);
        return packet[bodyOffset(packet) + 1] & 0xFF;
    }

    /** @return the reason code of a DISCONNECT (0x00 when the packet omits it) */
    public static int disconnectCode(byte[] packet) {
        expectType(packet, DISCONNECT);
        int start = bodyOffset(packet);
        return start < packet.length ? packet[start] & 0xFF : 0;
    }

    /** @return the reason code of a 5.0 PUBACK (0x00 when the packet omits it) */
    public static int pubAckCode(byte[] packet) {
        expectType(packet, PUBACK);
        int start = bodyOffset(packet);
        return start + 2 < packet.length ? packet[start + 2] & 0xFF : 0;
    }

    /** @return the return or reason codes of a SUBACK or 5.0 UNSUBACK, one per filter, in order */
    public static int[] ackCodes(int version, byte[] packet) {
        int type = type(packet);
        if (type != SUBACK && type != UNSUBACK) {
            throw new AssertionError("expected SUBACK or UNSUBACK, got " + hex(packet));
        }
        int[] pos = {bodyOffset(packet) + 2};
        if (version == 5) {
            int propertiesLength = readVarInt(packet, pos);
            pos[0] += propertiesLength;
        }
        int[] codes = new int[packet.length - pos[0]];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = packet[pos[0] + i] & 0xFF;
        }
        return codes;
    }

    /** @return the packet identifier of a SUBACK, UNSUBACK or PUBACK */
    public static int packetId(byte[] packet) {
        return readU16(packet, bodyOffset(packet));
    }

    private static void expectType(byte[] packet, int type) {
        if (type(packet) != type) {
            throw new AssertionError("expected packet type 0x" + Integer.toHexString(type) + ", got " + hex(packet));
        }
    }

    // ---- whole packets -------------------------------------------------------------------------

    /** A PUBLISH taken apart, its payload as text. */
    public record Publish(String topic, int qos, boolean retain, boolean dup, int packetId, String payload,
                          List<Integer> subscriptionIds) {
    }

    /** Parses a PUBLISH; fails if it is not one or carries a property a PUBLISH may not. */
    public static Publish parsePublish(int version, byte[] bytes) {
        expectType(bytes, PUBLISH);
        Packet p = Packet.parse(bytes, version == 5);
        List<Integer> ids = new ArrayList<>();
        for (Property property : p.properties()) {
            if (!PUBLISH_PROPERTIES.contains(property.id())) {
                throw new AssertionError("unexpected PUBLISH property " + property.id() + " in " + hex(bytes));
            }
            if (property.id() == SUBSCRIPTION_IDENTIFIER) {
                ids.add((int) property.number());
            }
        }
        return new Publish(p.topic(), p.qos(), p.retain(), p.dup(), p.packetId(), p.payloadText(), ids);
    }

    /** A CONNACK as read back: session present, return/reason code and (5.0) property values by identifier. */
    public record ConnAck(boolean sessionPresent, int code, Map<Integer, Object> properties) {

        /** @return the value of an integer property, or null if absent */
        public Long integer(int propertyId) {
            return (Long) properties.get(propertyId);
        }

        /** @return the value of a UTF-8 string property, or null if absent */
        public String string(int propertyId) {
            return (String) properties.get(propertyId);
        }
    }

    /**
     * Parses a CONNACK, its properties only if {@code v5}: integers as Long, strings as String, binary
     * data as byte[], User Properties as a list of key/value pairs. Fails if reserved flag bits are set
     * or a property other than User Property appears twice.
     */
    public static ConnAck parseConnAck(byte[] bytes, boolean v5) {
        if ((bytes[0] & 0xFF) != CONNACK) {
            throw new AssertionError("not a CONNACK: first byte 0x" + Integer.toHexString(bytes[0] & 0xFF));
        }
        Packet p = Packet.parse(bytes, v5);
        int flags = bytes[p.bodyStart()];
        if ((flags & 0xFE) != 0) {
            throw new AssertionError("reserved bits of the CONNACK flags are set: " + flags);
        }
        Map<Integer, Object> values = new HashMap<>();
        List<String[]> userProperties = new ArrayList<>();
        for (Property property : p.properties()) {
            if (property.id() == USER_PROPERTY) {
                userProperties.add(property.pair());
                values.put(USER_PROPERTY, userProperties);
            } else if (values.put(property.id(), property.typedValue()) != null) {
                // only User Property may appear more than once [MQTT-3.2.2.3]
                throw new AssertionError("property 0x" + Integer.toHexString(property.id()) + " appears twice");
            }
        }
        return new ConnAck((flags & 0x01) != 0, p.reasonCode(), values);
    }

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

        /** @return the value of a Binary Data property */
        public byte[] binary() {
            return Arrays.copyOfRange(value, 2, value.length);
        }

        /** @return the key and value of a User Property */
        public String[] pair() {
            int keyLength = readU16(value, 0);
            return new String[] {new String(value, 2, keyLength, StandardCharsets.UTF_8),
                new String(value, 4 + keyLength, value.length - 4 - keyLength, StandardCharsets.UTF_8)};
        }

        /** @return the value as Long, String or byte[], as its identifier says */
        Object typedValue() {
            return switch (kind(id)) {
                case STRING -> string();
                case BINARY -> binary();
                default -> number();
            };
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
                    int topicLength = readU16(bytes, pos[0]);
                    topic = new String(bytes, pos[0] + 2, topicLength, StandardCharsets.UTF_8);
                    pos[0] += 2 + topicLength;
                    if (((flags >> 1) & 0x03) > 0) {
                        packetId = readU16(bytes, pos[0]);
                        pos[0] += 2;
                    }
                    if (v5) {
                        propertyBlock = readPropertyBlock(bytes, pos);
                    }
                    payload = Arrays.copyOfRange(bytes, pos[0], bytes.length);
                }
                case PUBACK, PUBREC, 0x60, PUBCOMP -> {
                    packetId = readU16(bytes, pos[0]);
                    pos[0] += 2;
                    if (pos[0] < bytes.length) {
                        reasonCode = bytes[pos[0]++] & 0xFF;
                    }
                    if (pos[0] < bytes.length) {
                        propertyBlock = readPropertyBlock(bytes, pos);
                    }
                }
                case SUBACK -> packetId = readU16(bytes, pos[0]);
                case CONNACK -> {
                    reasonCode = bytes[pos[0] + 1] & 0xFF;
                    pos[0] += 2;
                    if (v5 && pos[0] < bytes.length) {
                        propertyBlock = readPropertyBlock(bytes, pos);
                    }
                }
                case DISCONNECT, AUTH -> {
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

    // ---- reading from a RawClient --------------------------------------------------------------

    /** @return the accepting CONNACK read from the client, taken apart */
    public static Packet expectConnAck(RawClient client, boolean v5) throws IOException {
        Packet connAck = Packet.parse(client.readPacket(), v5);
        connAck.expectType(CONNACK);
        if (connAck.reasonCode() != 0) {
            throw new AssertionError("connection refused: " + connAck);
        }
        return connAck;
    }

    /** Subscribes to one filter and checks the SUBACK grants the requested QoS. */
    public static void subscribeAndExpectGranted(RawClient client, boolean v5, int packetId, String filter, int qos)
            throws IOException {
        client.send(Packets.subscribe(v5, packetId, filter, qos));
        Packet subAck = Packet.parse(client.readPacket(), v5);
        subAck.expectType(SUBACK);
        byte[] body = subAck.body();
        int granted = body[body.length - 1] & 0xFF;
        if (subAck.packetId() != packetId || granted != qos) {
            throw new AssertionError("expected SUBACK " + packetId + " granting QoS " + qos + ", got " + subAck);
        }
    }

    /**
     * Checks that the broker closes (or resets) the connection without sending anything first, as it
     * does to a 3.1.1 client or before CONNECT, where there is no way to say why.
     */
    public static void expectClosedWithoutAnswer(RawClient client) {
        try {
            byte[] unexpected = client.readPacket();
            throw new AssertionError("expected the connection to be closed, got a packet: " + hex(unexpected));
        } catch (EOFException | SocketException closed) {
            // closed (or reset) without a packet: what was expected
        } catch (IOException e) {
            throw new AssertionError("expected the connection to be closed, got " + e, e);
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

    // ---- properties ----------------------------------------------------------------------------

    private enum Kind { BYTE, TWO, FOUR, VAR_INT, STRING, BINARY, PAIR }

    private static Kind kind(int id) {
        return switch (id) {
            case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> Kind.BYTE;
            case 0x13, 0x21, 0x22, 0x23 -> Kind.TWO;
            case 0x02, 0x11, 0x18, 0x27 -> Kind.FOUR;
            case 0x0B -> Kind.VAR_INT;
            case 0x03, 0x08, 0x12, 0x15, 0x1A, 0x1C, 0x1F -> Kind.STRING;
            case 0x09, 0x16 -> Kind.BINARY;
            case USER_PROPERTY -> Kind.PAIR;
            default -> null;
        };
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
            Kind kind = kind(id);
            if (kind == null) {
                throw new AssertionError("unknown property 0x" + Integer.toHexString(id) + " in " + hex(block));
            }
            switch (kind) {
                case BYTE -> pos[0] += 1;
                case TWO -> pos[0] += 2;
                case FOUR -> pos[0] += 4;
                case VAR_INT -> readVarInt(block, pos);
                case STRING, BINARY -> pos[0] += 2 + readU16(block, pos[0]);
                case PAIR -> {
                    pos[0] += 2 + readU16(block, pos[0]);
                    pos[0] += 2 + readU16(block, pos[0]);
                }
                default -> throw new IllegalStateException();
            }
            props.add(new Property(id, Arrays.copyOfRange(block, start, pos[0])));
        }
        return props;
    }
}
