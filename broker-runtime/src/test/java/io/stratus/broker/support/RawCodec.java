package io.stratus.broker.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packets besides CONNECT ({@link ConnectPacket}) that connection-lifecycle tests send with a
 * {@link RawClient}, and parsers for what the broker answers.
 */
public final class RawCodec {

    /** PINGREQ. */
    public static final String PINGREQ = "c0 00";
    /** PINGRESP as {@link RawClient#readPacketHex()} returns it. */
    public static final String PINGRESP = "d000";
    /** DISCONNECT without reason code (3.1.1, or 5.0 Normal disconnection). */
    public static final String DISCONNECT = "e0 00";

    private RawCodec() {
    }

    /** A SUBSCRIBE for one filter; 5.0 adds an empty property section. */
    public static byte[] subscribe(int packetId, String filter, int qos, boolean v5) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeShort(body, packetId);
        if (v5) {
            body.write(0);
        }
        writeString(body, filter.getBytes(StandardCharsets.UTF_8));
        body.write(qos);
        return withFixedHeader(0x82, body.toByteArray());
    }

    /** A PUBLISH; 5.0 adds an empty property section. */
    public static byte[] publish(String topic, int qos, int packetId, String payload, boolean v5) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic.getBytes(StandardCharsets.UTF_8));
        if (qos > 0) {
            writeShort(body, packetId);
        }
        if (v5) {
            body.write(0);
        }
        body.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return withFixedHeader(0x30 | (qos << 1), body.toByteArray());
    }

    /** A 5.0 DISCONNECT with a reason code and, if not negative, a Session Expiry Interval. */
    public static byte[] disconnect5(int reasonCode, long sessionExpiry) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(reasonCode);
        if (sessionExpiry >= 0) {
            body.write(5);
            body.write(0x11);
            writeInt(body, sessionExpiry);
        } else {
            body.write(0);
        }
        return withFixedHeader(0xE0, body.toByteArray());
    }

    /** A CONNACK as read back: session present, return/reason code and (5.0) properties by identifier. */
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

    /** Parses a CONNACK, its properties only if {@code v5}; fails if reserved flag bits are set. */
    public static ConnAck connAck(byte[] packet, boolean v5) {
        if ((packet[0] & 0xFF) != 0x20) {
            throw new AssertionError("not a CONNACK: first byte 0x" + Integer.toHexString(packet[0] & 0xFF));
        }
        int[] pos = {1};
        int remaining = readVariableByteInteger(packet, pos);
        int start = pos[0];
        if ((packet[start] & 0xFE) != 0) {
            throw new AssertionError("reserved bits of the CONNACK flags are set: " + packet[start]);
        }
        boolean sessionPresent = (packet[start] & 0x01) != 0;
        int code = packet[start + 1] & 0xFF;
        Map<Integer, Object> props = new HashMap<>();
        if (v5 && remaining > 2) {
            pos[0] = start + 2;
            props = readProperties(packet, pos);
        }
        return new ConnAck(sessionPresent, code, props);
    }

    /** @return the reason code of a DISCONNECT (0 when it has none); fails if it is not a DISCONNECT */
    public static int disconnectReason(byte[] packet) {
        if ((packet[0] & 0xFF) != 0xE0) {
            throw new AssertionError("not a DISCONNECT: first byte 0x" + Integer.toHexString(packet[0] & 0xFF));
        }
        return packet.length > 2 ? packet[2] & 0xFF : 0;
    }

    /** A PUBLISH as read back (3.1.1 layout, or 5.0 with its properties skipped). */
    public record Publish(String topic, int qos, boolean dup, int packetId, String payload) {
    }

    /** Parses a PUBLISH; fails if it is not one. */
    public static Publish publish(byte[] packet, boolean v5) {
        if ((packet[0] & 0xF0) != 0x30) {
            throw new AssertionError("not a PUBLISH: first byte 0x" + Integer.toHexString(packet[0] & 0xFF));
        }
        int qos = (packet[0] >> 1) & 0x03;
        boolean dup = (packet[0] & 0x08) != 0;
        int[] pos = {1};
        readVariableByteInteger(packet, pos);
        String topic = readString(packet, pos);
        int packetId = qos > 0 ? readShort(packet, pos) : 0;
        if (v5) {
            int propertiesLength = readVariableByteInteger(packet, pos);
            pos[0] += propertiesLength;
        }
        String payload = new String(packet, pos[0], packet.length - pos[0], StandardCharsets.UTF_8);
        return new Publish(topic, qos, dup, packetId, payload);
    }

    /** A PUBACK for a packet identifier. */
    public static byte[] pubAck(int packetId) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeShort(body, packetId);
        return withFixedHeader(0x40, body.toByteArray());
    }

    // ---- encoding -----------------------------------------------------------------------------

    static byte[] withFixedHeader(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        writeVariableByteInteger(out, body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    static void writeVariableByteInteger(ByteArrayOutputStream out, int value) {
        do {
            int digit = value % 128;
            value /= 128;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }

    static void writeString(ByteArrayOutputStream out, byte[] bytes) {
        writeShort(out, bytes.length);
        out.writeBytes(bytes);
    }

    static void writeShort(ByteArrayOutputStream out, int value) {
        out.write((value >> 8) & 0xFF);
        out.write(value & 0xFF);
    }

    static void writeInt(ByteArrayOutputStream out, long value) {
        out.write((int) (value >> 24) & 0xFF);
        out.write((int) (value >> 16) & 0xFF);
        out.write((int) (value >> 8) & 0xFF);
        out.write((int) value & 0xFF);
    }

    // ---- decoding -----------------------------------------------------------------------------

    private static int readVariableByteInteger(byte[] b, int[] pos) {
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

    private static Map<Integer, Object> readProperties(byte[] b, int[] pos) {
        int length = readVariableByteInteger(b, pos);
        int end = pos[0] + length;
        Map<Integer, Object> props = new HashMap<>();
        List<String[]> userProperties = new ArrayList<>();
        while (pos[0] < end) {
            int id = readVariableByteInteger(b, pos);
            if (id == 0x26) {
                userProperties.add(new String[] {readString(b, pos), readString(b, pos)});
                props.put(id, userProperties);
                continue;
            }
            Object value = switch (id) {
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> (long) (b[pos[0]++] & 0xFF);
                case 0x13, 0x21, 0x22, 0x23 -> (long) readShort(b, pos);
                case 0x02, 0x11, 0x18, 0x27 -> ((long) readShort(b, pos) << 16) | readShort(b, pos);
                case 0x0B -> (long) readVariableByteInteger(b, pos);
                case 0x03, 0x08, 0x12, 0x15, 0x1A, 0x1C, 0x1F -> readString(b, pos);
                case 0x09, 0x16 -> readBinary(b, pos);
                default -> throw new AssertionError("unknown property identifier 0x" + Integer.toHexString(id));
            };
            if (props.put(id, value) != null) {
                // only User Property may appear more than once [MQTT-3.2.2.3]
                throw new AssertionError("property 0x" + Integer.toHexString(id) + " appears twice");
            }
        }
        return props;
    }

    private static int readShort(byte[] b, int[] pos) {
        int v = ((b[pos[0]] & 0xFF) << 8) | (b[pos[0] + 1] & 0xFF);
        pos[0] += 2;
        return v;
    }

    private static String readString(byte[] b, int[] pos) {
        return new String(readBinary(b, pos), StandardCharsets.UTF_8);
    }

    private static byte[] readBinary(byte[] b, int[] pos) {
        int length = readShort(b, pos);
        byte[] out = new byte[length];
        System.arraycopy(b, pos[0], out, 0, length);
        pos[0] += length;
        return out;
    }
}
