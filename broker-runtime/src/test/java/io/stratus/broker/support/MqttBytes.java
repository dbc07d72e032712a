package io.stratus.broker.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds and takes apart the few packets the {@link RawClient} subscription tests exchange, so that a test can
 * send what no client library would (invalid filters, a Subscription Identifier of 0) and look at
 * every bit the broker answers with. Version is the protocol level: 4 for 3.1.1, 5 for 5.0.
 */
public final class MqttBytes {

    /** Subscription option bits of 5.0 (§3.8.3.1); the low two bits are the maximum QoS. */
    public static final int NO_LOCAL = 0x04;
    public static final int RETAIN_AS_PUBLISHED = 0x08;

    public static final int CONNACK = 0x20;
    public static final int PUBLISH = 0x30;
    public static final int PUBACK = 0x40;
    public static final int SUBACK = 0x90;
    public static final int UNSUBACK = 0xB0;
    public static final int DISCONNECT = 0xE0;

    private MqttBytes() {
    }

    /** @return a CONNECT with Clean Start, keep alive 60 s and no properties */
    public static byte[] connect(int version, String clientId) {
        Bytes body = new Bytes().string("MQTT").u8(version).u8(0x02).u16(60);
        if (version == 5) {
            body.u8(0); // no properties
        }
        body.string(clientId);
        return packet(0x10, body);
    }

    /**
     * @param packetId       the packet identifier
     * @param subscriptionId a Subscription Identifier to send (5.0), or -1 for none
     * @param filtersAndOptions pairs of topic filter (String) and subscription options byte (Integer)
     */
    public static byte[] subscribe(int version, int packetId, int subscriptionId, Object... filtersAndOptions) {
        Bytes body = new Bytes().u16(packetId);
        if (version == 5) {
            if (subscriptionId >= 0) {
                Bytes props = new Bytes().u8(0x0B).varInt(subscriptionId);
                body.varInt(props.size()).raw(props.toArray());
            } else {
                body.u8(0);
            }
        }
        for (int i = 0; i < filtersAndOptions.length; i += 2) {
            body.string((String) filtersAndOptions[i]).u8((Integer) filtersAndOptions[i + 1]);
        }
        return packet(0x82, body);
    }

    public static byte[] unsubscribe(int version, int packetId, String... filters) {
        Bytes body = new Bytes().u16(packetId);
        if (version == 5) {
            body.u8(0);
        }
        for (String f : filters) {
            body.string(f);
        }
        return packet(0xA2, body);
    }

    /** @param packetId ignored at QoS 0 */
    public static byte[] publish(int version, String topic, int qos, boolean retain, int packetId, String payload) {
        Bytes body = new Bytes().string(topic);
        if (qos > 0) {
            body.u16(packetId);
        }
        if (version == 5) {
            body.u8(0);
        }
        body.raw(payload.getBytes(StandardCharsets.UTF_8));
        return packet(0x30 | (qos << 1) | (retain ? 1 : 0), body);
    }

    public static byte[] pubAck(int packetId) {
        return packet(0x40, new Bytes().u16(packetId));
    }

    /** @return the packet type and flags byte, as an unsigned value */
    public static int type(byte[] packet) {
        return packet[0] & 0xF0;
    }

    /** @return the CONNACK's reason code (5.0) or return code (3.1.1) */
    public static int connAckCode(byte[] packet) {
        expectType(packet, CONNACK);
        return packet[bodyStart(packet) + 1] & 0xFF;
    }

    /** @return the reason code of a 5.0 DISCONNECT (0x00 when the packet omits it) */
    public static int disconnectCode(byte[] packet) {
        expectType(packet, DISCONNECT);
        int start = bodyStart(packet);
        return start < packet.length ? packet[start] & 0xFF : 0;
    }

    /** @return the reason code of a 5.0 PUBACK (0x00 when the packet omits it) */
    public static int pubAckCode(byte[] packet) {
        expectType(packet, PUBACK);
        int start = bodyStart(packet);
        return start + 2 < packet.length ? packet[start + 2] & 0xFF : 0;
    }

    /** @return the return or reason codes of a SUBACK or 5.0 UNSUBACK, one per filter, in order */
    public static int[] ackCodes(int version, byte[] packet) {
        int type = type(packet);
        if (type != SUBACK && type != UNSUBACK) {
            throw new AssertionError("expected SUBACK or UNSUBACK, got " + hex(packet));
        }
        int[] pos = {bodyStart(packet) + 2};
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
        int start = bodyStart(packet);
        return ((packet[start] & 0xFF) << 8) | (packet[start + 1] & 0xFF);
    }

    /** A PUBLISH taken apart. */
    public record Publish(String topic, int qos, boolean retain, boolean dup, int packetId, String payload,
                          List<Integer> subscriptionIds) {
    }

    public static Publish parsePublish(int version, byte[] packet) {
        expectType(packet, PUBLISH);
        int flags = packet[0] & 0x0F;
        int qos = (flags >> 1) & 0x03;
        int[] pos = {bodyStart(packet)};
        int topicLength = u16(packet, pos[0]);
        String topic = new String(packet, pos[0] + 2, topicLength, StandardCharsets.UTF_8);
        pos[0] += 2 + topicLength;
        int packetId = 0;
        if (qos > 0) {
            packetId = u16(packet, pos[0]);
            pos[0] += 2;
        }
        List<Integer> ids = new ArrayList<>();
        if (version == 5) {
            int propertiesLength = readVarInt(packet, pos);
            int end = pos[0] + propertiesLength;
            while (pos[0] < end) {
                int id = packet[pos[0]++] & 0xFF;
                switch (id) {
                    case 0x01 -> pos[0] += 1;                       // payload format indicator
                    case 0x02 -> pos[0] += 4;                       // message expiry interval
                    case 0x23 -> pos[0] += 2;                       // topic alias
                    case 0x0B -> ids.add(readVarInt(packet, pos));  // subscription identifier
                    case 0x03, 0x08, 0x09 -> pos[0] += 2 + u16(packet, pos[0]);
                    case 0x26 -> {
                        pos[0] += 2 + u16(packet, pos[0]);
                        pos[0] += 2 + u16(packet, pos[0]);
                    }
                    default -> throw new AssertionError("unexpected PUBLISH property " + id + " in " + hex(packet));
                }
            }
        }
        String payload = new String(packet, pos[0], packet.length - pos[0], StandardCharsets.UTF_8);
        return new Publish(topic, qos, (flags & 0x01) != 0, (flags & 0x08) != 0, packetId, payload, ids);
    }

    public static String hex(byte[] packet) {
        return java.util.HexFormat.ofDelimiter(" ").formatHex(packet);
    }

    private static void expectType(byte[] packet, int type) {
        if (type(packet) != type) {
            throw new AssertionError("expected packet type 0x" + Integer.toHexString(type) + ", got " + hex(packet));
        }
    }

    /** @return the index after the fixed header */
    private static int bodyStart(byte[] packet) {
        int i = 1;
        while ((packet[i] & 0x80) != 0) {
            i++;
        }
        return i + 1;
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

    private static byte[] packet(int firstByte, Bytes body) {
        byte[] b = body.toArray();
        return new Bytes().u8(firstByte).varInt(b.length).raw(b).toArray();
    }

    /** A tiny writer for MQTT's data representations (§1.5). */
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u16(int v) {
            out.write(v >> 8);
            out.write(v);
            return this;
        }

        Bytes string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u16(b.length).raw(b);
        }

        Bytes varInt(int v) {
            do {
                int digit = v & 0x7F;
                v >>>= 7;
                out.write(v > 0 ? digit | 0x80 : digit);
            } while (v > 0);
            return this;
        }

        Bytes raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] toArray() {
            return out.toByteArray();
        }
    }
}
