package io.stratus.broker.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds MQTT packets byte by byte for {@link RawClient} and {@link EmbeddedMqttChannel}, including the
 * ones client libraries refuse to send (Topic Alias 0, invalid filters, reserved CONNECT flags, a
 * Subscription Identifier of 0). Version arguments are the protocol level: 4 for 3.1.1, 5 for 5.0.
 * {@link PacketReader} takes apart what the broker answers.
 */
public final class Packets {

    /** Packet types, as the high nibble of the first byte (PUBREL with its fixed flags). */
    public static final int CONNACK = 0x20;
    public static final int PUBLISH = 0x30;
    public static final int PUBACK = 0x40;
    public static final int PUBREC = 0x50;
    public static final int PUBREL = 0x62;
    public static final int PUBCOMP = 0x70;
    public static final int SUBACK = 0x90;
    public static final int UNSUBACK = 0xB0;
    public static final int DISCONNECT = 0xE0;
    public static final int AUTH = 0xF0;

    /** DISCONNECT without reason code (3.1.1, or 5.0 Normal disconnection), as hex. */
    public static final String DISCONNECT_HEX = "e0 00";

    /** Subscription option bits of 5.0 (§3.8.3.1); the low two bits are the maximum QoS. */
    public static final int NO_LOCAL = 0x04;
    public static final int RETAIN_AS_PUBLISHED = 0x08;

    /** MQTT 5.0 property identifiers (§2.2.2.2). */
    public static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
    public static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
    public static final int CONTENT_TYPE = 0x03;
    public static final int RESPONSE_TOPIC = 0x08;
    public static final int CORRELATION_DATA = 0x09;
    public static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
    public static final int SESSION_EXPIRY_INTERVAL = 0x11;
    public static final int AUTHENTICATION_METHOD = 0x15;
    public static final int AUTHENTICATION_DATA = 0x16;
    public static final int WILL_DELAY_INTERVAL = 0x18;
    public static final int RECEIVE_MAXIMUM = 0x21;
    public static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    public static final int TOPIC_ALIAS = 0x23;
    public static final int USER_PROPERTY = 0x26;
    public static final int MAXIMUM_PACKET_SIZE = 0x27;

    private static final byte[] NOTHING = new byte[0];
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    private Packets() {
    }

    // ---- data representations (§1.5) ----------------------------------------------------------

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
        return binary(utf8(s));
    }

    /** @return Binary Data: two-byte length, then the bytes */
    public static byte[] binary(byte[] b) {
        return concat(u16(b.length), b);
    }

    public static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    public static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    public static byte[] u32(long v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    /** @return a Variable Byte Integer (§1.5.5) */
    public static byte[] varInt(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4);
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

    /** @return the bytes of a hex string, spaces allowed */
    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** @return the bytes as lower-case hex, a space between bytes */
    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** @return the packets one after another as lower-case hex without spaces */
    public static String hex(List<byte[]> packets) {
        StringBuilder s = new StringBuilder();
        for (byte[] p : packets) {
            s.append(HexFormat.of().formatHex(p));
        }
        return s.toString();
    }

    // ---- properties ----------------------------------------------------------------------------

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
        return concat(u8(id), u16(value));
    }

    public static byte[] fourByteProperty(int id, long value) {
        return concat(u8(id), u32(value));
    }

    public static byte[] varIntProperty(int id, int value) {
        return concat(u8(id), varInt(value));
    }

    public static byte[] stringProperty(int id, String value) {
        return concat(u8(id), string(value));
    }

    public static byte[] binaryProperty(int id, byte[] value) {
        return concat(u8(id), binary(value));
    }

    public static byte[] userProperty(String key, String value) {
        return concat(u8(USER_PROPERTY), string(key), string(value));
    }

    // ---- packets -------------------------------------------------------------------------------

    /** @return a CONNECT with Clean Start, keep alive 60 s and no properties */
    public static byte[] connect(int version, String clientId) {
        return version == 5 ? connect5(clientId, true) : connect311(clientId, true);
    }

    /** @return a 3.1.1 CONNECT, keep alive 60 s */
    public static byte[] connect311(String clientId, boolean cleanSession) {
        return Connect.v311(clientId).cleanStart(cleanSession).bytes();
    }

    /** @return a 5.0 CONNECT, keep alive 60 s, with the given CONNECT properties */
    public static byte[] connect5(String clientId, boolean cleanStart, byte[]... props) {
        Connect connect = Connect.v5(clientId).cleanStart(cleanStart);
        for (byte[] p : props) {
            connect.property(p);
        }
        return connect.bytes();
    }

    /** @return a SUBSCRIBE for one filter; {@code options} is the QoS on 3.1.1, the options byte on 5.0 */
    public static byte[] subscribe(boolean v5, int packetId, String filter, int options) {
        return subscribe(v5 ? 5 : 4, packetId, -1, filter, options);
    }

    /**
     * @param packetId          the packet identifier
     * @param subscriptionId    a Subscription Identifier to send (5.0), or -1 for none
     * @param filtersAndOptions pairs of topic filter (String) and subscription options byte (Integer)
     */
    public static byte[] subscribe(int version, int packetId, int subscriptionId, Object... filtersAndOptions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(u16(packetId));
        if (version == 5) {
            body.writeBytes(subscriptionId >= 0
                ? properties(varIntProperty(SUBSCRIPTION_IDENTIFIER, subscriptionId)) : noProperties());
        }
        for (int i = 0; i < filtersAndOptions.length; i += 2) {
            body.writeBytes(string((String) filtersAndOptions[i]));
            body.write((Integer) filtersAndOptions[i + 1]);
        }
        return packet(0x82, body.toByteArray());
    }

    public static byte[] unsubscribe(int version, int packetId, String... filters) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(u16(packetId));
        if (version == 5) {
            body.writeBytes(noProperties());
        }
        for (String f : filters) {
            body.writeBytes(string(f));
        }
        return packet(0xA2, body.toByteArray());
    }

    /**
     * @param properties the whole 5.0 property block (see {@link #properties}), or null for 3.1.1
     * @param packetId   ignored at QoS 0
     */
    public static byte[] publish(int qos, boolean dup, boolean retain, int packetId, String topic, byte[] properties,
                                 byte[] payload) {
        int first = PUBLISH | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 0x01 : 0);
        return packet(first, string(topic), qos > 0 ? u16(packetId) : NOTHING,
            properties == null ? NOTHING : properties, payload);
    }

    /** @param packetId ignored at QoS 0 */
    public static byte[] publish(int version, String topic, int qos, boolean retain, int packetId, String payload) {
        return publish(qos, false, retain, packetId, topic, version == 5 ? noProperties() : null, utf8(payload));
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

    public static byte[] pubAck(int packetId) {
        return ack(PUBACK, packetId);
    }

    /** A 5.0 DISCONNECT with a reason code and, if not negative, a Session Expiry Interval. */
    public static byte[] disconnect5(int reasonCode, long sessionExpiry) {
        return packet(DISCONNECT, u8(reasonCode), sessionExpiry >= 0
            ? properties(fourByteProperty(SESSION_EXPIRY_INTERVAL, sessionExpiry)) : noProperties());
    }

    /** A 5.0 AUTH with a reason code (0x19 Re-authenticate, say), Authentication Method and Data. */
    public static byte[] auth(int reasonCode, String method, byte[] data) {
        return packet(AUTH, u8(reasonCode), properties(stringProperty(AUTHENTICATION_METHOD, method),
            binaryProperty(AUTHENTICATION_DATA, data)));
    }

    /**
     * Builds the bytes of a CONNECT, including the ones client libraries refuse to send (reserved flag
     * set, will QoS without a will, unknown protocol levels). Clean start and keep alive 60 s unless set.
     */
    public static final class Connect {

        private String protocolName;
        private int protocolLevel;
        private final String clientId;
        private boolean cleanStart = true;
        private int keepAlive = 60;
        private int extraFlags;
        private String willTopic;
        private byte[] willPayload;
        private int willQos;
        private boolean willRetain;
        private String userName;
        private byte[] password;
        private final ByteArrayOutputStream properties = new ByteArrayOutputStream();
        private final ByteArrayOutputStream willProperties = new ByteArrayOutputStream();

        private Connect(String protocolName, int protocolLevel, String clientId) {
            this.protocolName = protocolName;
            this.protocolLevel = protocolLevel;
            this.clientId = clientId;
        }

        public static Connect v31(String clientId) {
            return new Connect("MQIsdp", 3, clientId);
        }

        public static Connect v311(String clientId) {
            return new Connect("MQTT", 4, clientId);
        }

        public static Connect v5(String clientId) {
            return new Connect("MQTT", 5, clientId);
        }

        /** Overrides the protocol name and level (for unsupported or wrong ones). */
        public Connect protocol(String name, int level) {
            this.protocolName = name;
            this.protocolLevel = level;
            return this;
        }

        public Connect cleanStart(boolean clean) {
            this.cleanStart = clean;
            return this;
        }

        public Connect keepAlive(int seconds) {
            this.keepAlive = seconds;
            return this;
        }

        /** ORs raw bits into the connect flags byte, whatever the other settings say. */
        public Connect extraFlags(int bits) {
            this.extraFlags |= bits;
            return this;
        }

        public Connect will(String topic, String payload, int qos, boolean retain) {
            return will(topic, utf8(payload), qos, retain);
        }

        public Connect will(String topic, byte[] payload, int qos, boolean retain) {
            this.willTopic = topic;
            this.willPayload = payload.clone();
            this.willQos = qos;
            this.willRetain = retain;
            return this;
        }

        public Connect userName(String name) {
            this.userName = name;
            return this;
        }

        public Connect password(String pw) {
            this.password = utf8(pw);
            return this;
        }

        /** Appends a 5.0 CONNECT property, built with one of the property methods of {@link Packets}. */
        public Connect property(byte[] property) {
            properties.writeBytes(property);
            return this;
        }

        /** 5.0 Session Expiry Interval (0x11). */
        public Connect sessionExpiry(long seconds) {
            return property(fourByteProperty(SESSION_EXPIRY_INTERVAL, seconds));
        }

        /** 5.0 Receive Maximum (0x21). */
        public Connect receiveMaximum(int value) {
            return property(twoByteProperty(RECEIVE_MAXIMUM, value));
        }

        /** 5.0 Authentication Method (0x15). */
        public Connect authenticationMethod(String method) {
            return property(stringProperty(AUTHENTICATION_METHOD, method));
        }

        /** 5.0 Authentication Data (0x16). */
        public Connect authenticationData(byte[] data) {
            return property(binaryProperty(AUTHENTICATION_DATA, data));
        }

        /** 5.0 Will Delay Interval (0x18), a will property. */
        public Connect willDelay(long seconds) {
            willProperties.writeBytes(fourByteProperty(WILL_DELAY_INTERVAL, seconds));
            return this;
        }

        /** 5.0 Payload Format Indicator (0x01) of the will, a will property: 1 declares UTF-8. */
        public Connect willPayloadFormat(int indicator) {
            willProperties.writeBytes(byteProperty(PAYLOAD_FORMAT_INDICATOR, indicator));
            return this;
        }

        /** 5.0 Message Expiry Interval (0x02) of the will, a will property. */
        public Connect willMessageExpiry(long seconds) {
            willProperties.writeBytes(fourByteProperty(MESSAGE_EXPIRY_INTERVAL, seconds));
            return this;
        }

        /** @return true for protocol level 5 (the broker then answers in the 5.0 format) */
        public boolean isV5() {
            return protocolLevel == 5;
        }

        public byte[] bytes() {
            boolean v5 = isV5();
            int flags = extraFlags;
            if (cleanStart) {
                flags |= 0x02;
            }
            if (willTopic != null) {
                flags |= 0x04 | (willQos << 3) | (willRetain ? 0x20 : 0);
            }
            if (password != null) {
                flags |= 0x40;
            }
            if (userName != null) {
                flags |= 0x80;
            }
            byte[] will = willTopic == null ? NOTHING
                : concat(v5 ? properties(willProperties.toByteArray()) : NOTHING, string(willTopic),
                    binary(willPayload));
            return packet(0x10, string(protocolName), u8(protocolLevel), u8(flags), u16(keepAlive),
                v5 ? properties(properties.toByteArray()) : NOTHING, string(clientId), will,
                userName == null ? NOTHING : string(userName), password == null ? NOTHING : binary(password));
        }

        public String hex() {
            return HexFormat.of().formatHex(bytes());
        }
    }
}
