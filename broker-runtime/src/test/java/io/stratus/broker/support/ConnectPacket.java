package io.stratus.broker.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Builds the bytes of a CONNECT packet for {@link RawClient}, including the ones client libraries
 * refuse to send (reserved flag set, will QoS without a will, unknown protocol levels).
 */
public final class ConnectPacket {

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

    private ConnectPacket(String protocolName, int protocolLevel, String clientId) {
        this.protocolName = protocolName;
        this.protocolLevel = protocolLevel;
        this.clientId = clientId;
    }

    public static ConnectPacket v31(String clientId) {
        return new ConnectPacket("MQIsdp", 3, clientId);
    }

    public static ConnectPacket v311(String clientId) {
        return new ConnectPacket("MQTT", 4, clientId);
    }

    public static ConnectPacket v5(String clientId) {
        return new ConnectPacket("MQTT", 5, clientId);
    }

    /** Overrides the protocol name and level (for unsupported or wrong ones). */
    public ConnectPacket protocol(String name, int level) {
        this.protocolName = name;
        this.protocolLevel = level;
        return this;
    }

    public ConnectPacket cleanStart(boolean clean) {
        this.cleanStart = clean;
        return this;
    }

    public ConnectPacket keepAlive(int seconds) {
        this.keepAlive = seconds;
        return this;
    }

    /** ORs raw bits into the connect flags byte, whatever the other settings say. */
    public ConnectPacket extraFlags(int bits) {
        this.extraFlags |= bits;
        return this;
    }

    public ConnectPacket will(String topic, String payload, int qos, boolean retain) {
        return will(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain);
    }

    public ConnectPacket will(String topic, byte[] payload, int qos, boolean retain) {
        this.willTopic = topic;
        this.willPayload = payload.clone();
        this.willQos = qos;
        this.willRetain = retain;
        return this;
    }

    public ConnectPacket userName(String name) {
        this.userName = name;
        return this;
    }

    public ConnectPacket password(String pw) {
        this.password = pw.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** 5.0 Session Expiry Interval (0x11). */
    public ConnectPacket sessionExpiry(long seconds) {
        properties.write(0x11);
        RawCodec.writeInt(properties, seconds);
        return this;
    }

    /** 5.0 Receive Maximum (0x21). */
    public ConnectPacket receiveMaximum(int value) {
        properties.write(0x21);
        RawCodec.writeShort(properties, value);
        return this;
    }

    /** 5.0 Authentication Method (0x15). */
    public ConnectPacket authenticationMethod(String method) {
        properties.write(0x15);
        RawCodec.writeString(properties, method.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** 5.0 Will Delay Interval (0x18), a will property. */
    public ConnectPacket willDelay(long seconds) {
        willProperties.write(0x18);
        RawCodec.writeInt(willProperties, seconds);
        return this;
    }

    /** @return true for protocol level 5 (the broker then answers in the 5.0 format) */
    public boolean isV5() {
        return protocolLevel == 5;
    }

    /** 5.0 Payload Format Indicator (0x01) of the will, a will property: 1 declares UTF-8. */
    public ConnectPacket willPayloadFormat(int indicator) {
        willProperties.write(0x01);
        willProperties.write(indicator);
        return this;
    }

    /** 5.0 Message Expiry Interval (0x02) of the will, a will property. */
    public ConnectPacket willMessageExpiry(long seconds) {
        willProperties.write(0x02);
        RawCodec.writeInt(willProperties, seconds);
        return this;
    }

    public byte[] bytes() {
        boolean v5 = protocolLevel == 5;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        RawCodec.writeString(body, protocolName.getBytes(StandardCharsets.UTF_8));
        body.write(protocolLevel);
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
        body.write(flags);
        RawCodec.writeShort(body, keepAlive);
        if (v5) {
            writeProperties(body, properties.toByteArray());
        }
        RawCodec.writeString(body, clientId.getBytes(StandardCharsets.UTF_8));
        if (willTopic != null) {
            if (v5) {
                writeProperties(body, willProperties.toByteArray());
            }
            RawCodec.writeString(body, willTopic.getBytes(StandardCharsets.UTF_8));
            RawCodec.writeString(body, willPayload);
        }
        if (userName != null) {
            RawCodec.writeString(body, userName.getBytes(StandardCharsets.UTF_8));
        }
        if (password != null) {
            RawCodec.writeString(body, password);
        }
        return RawCodec.withFixedHeader(0x10, body.toByteArray());
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes());
    }

    private static void writeProperties(ByteArrayOutputStream out, byte[] props) {
        RawCodec.writeVariableByteInteger(out, props.length);
        out.writeBytes(props);
    }
}
