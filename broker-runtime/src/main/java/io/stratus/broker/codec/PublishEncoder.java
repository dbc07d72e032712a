package io.stratus.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.stratus.broker.message.PublishProperties;

import java.nio.charset.StandardCharsets;

/**
 * Encodes outbound PUBLISH packets. The broker encodes PUBLISH itself, rather than through
 * netty-codec-mqtt's encoder, so that the exact packet size is known before anything is written
 * (Maximum Packet Size, [MQTT-3.1.2-24]) and so that the payload is wrapped, not copied, for each
 * subscriber: the header goes into a small pooled buffer and the shared payload follows it.
 */
public final class PublishEncoder {

    private static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
    private static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
    private static final int CONTENT_TYPE = 0x03;
    private static final int RESPONSE_TOPIC = 0x08;
    private static final int CORRELATION_DATA = 0x09;
    private static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
    private static final int TOPIC_ALIAS = 0x23;
    private static final int USER_PROPERTY = 0x26;

    private PublishEncoder() {
    }

    /**
     * One outbound PUBLISH, described before it is encoded.
     *
     * @param topic          the topic name, or "" when a known topic alias stands for it
     * @param packetId       the packet identifier (ignored at QoS 0)
     * @param qos            0, 1 or 2
     * @param dup            the DUP flag
     * @param retain         the RETAIN flag
     * @param payload        the payload, shared and never modified
     * @param properties     pass-through properties (5.0 only)
     * @param expirySeconds  the remaining Message Expiry Interval, or -1 for none (5.0 only)
     * @param subscriptionIds subscription identifiers (5.0 only), may be empty
     * @param topicAlias     a topic alias to send, or 0 for none (5.0 only)
     */
    public record Publish(String topic, int packetId, int qos, boolean dup, boolean retain, byte[] payload,
                          PublishProperties properties, long expirySeconds, int[] subscriptionIds,
                          int topicAlias) {
    }

    /**
     * Encodes the packet. The returned buffer owns a reference to a new header buffer and wraps the
     * payload array without copying it; its readable bytes are the exact size of the whole packet.
     * The caller writes it to a channel, which releases it, or releases it itself.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, Publish p, boolean mqtt5) {
        int propertiesLength = mqtt5 ? propertiesLength(p) : 0;
        int variableHeaderLength = variableHeaderLength(p, mqtt5, propertiesLength);
        int remaining = variableHeaderLength + p.payload().length;
        int headerSize = 1 + varIntSize(remaining) + variableHeaderLength;
        ByteBuf header = alloc.buffer(headerSize);
        header.writeByte(0x30 | (p.dup() ? 0x08 : 0) | (p.qos() << 1) | (p.retain() ? 0x01 : 0));
        writeVarInt(header, remaining);
        writeString(header, p.topic());
        if (p.qos() > 0) {
            header.writeShort(p.packetId());
        }
        if (mqtt5) {
            writeVarInt(header, propertiesLength);
            writeProperties(header, p);
        }
        if (p.payload().length == 0) {
            return header;
        }
        return Unpooled.wrappedUnmodifiableBuffer(header, Unpooled.wrappedBuffer(p.payload()));
    }

    private static int variableHeaderLength(Publish p, boolean mqtt5, int propertiesLength) {
        int length = 2 + ByteBufUtil.utf8Bytes(p.topic()) + (p.qos() > 0 ? 2 : 0);
        if (mqtt5) {
            length += varIntSize(propertiesLength) + propertiesLength;
        }
        return length;
    }

    private static int propertiesLength(Publish p) {
        PublishProperties props = p.properties();
        int length = 0;
        if (props.payloadFormatIndicator() != null) {
            length += 2;
        }
        if (p.expirySeconds() >= 0) {
            length += 5;
        }
        if (props.contentType() != null) {
            length += 1 + 2 + ByteBufUtil.utf8Bytes(props.contentType());
        }
        if (props.responseTopic() != null) {
            length += 1 + 2 + ByteBufUtil.utf8Bytes(props.responseTopic());
        }
        if (props.correlationData() != null) {
            length += 1 + 2 + props.correlationData().length;
        }
        for (int id : p.subscriptionIds()) {
            length += 1 + varIntSize(id);
        }
        if (p.topicAlias() > 0) {
            length += 3;
        }
        for (PublishProperties.UserProperty up : props.userProperties()) {
            length += 1 + 2 + ByteBufUtil.utf8Bytes(up.key()) + 2 + ByteBufUtil.utf8Bytes(up.value());
        }
        return length;
    }

    private static void writeProperties(ByteBuf buf, Publish p) {
        PublishProperties props = p.properties();
        if (props.payloadFormatIndicator() != null) {
            buf.writeByte(PAYLOAD_FORMAT_INDICATOR).writeByte(props.payloadFormatIndicator());
        }
        if (p.expirySeconds() >= 0) {
            buf.writeByte(MESSAGE_EXPIRY_INTERVAL).writeInt((int) Math.min(p.expirySeconds(), 0xFFFFFFFFL));
        }
        if (props.contentType() != null) {
            buf.writeByte(CONTENT_TYPE);
            writeString(buf, props.contentType());
        }
        if (props.responseTopic() != null) {
            buf.writeByte(RESPONSE_TOPIC);
            writeString(buf, props.responseTopic());
        }
        if (props.correlationData() != null) {
            buf.writeByte(CORRELATION_DATA).writeShort(props.correlationData().length)
                .writeBytes(props.correlationData());
        }
        for (int id : p.subscriptionIds()) {
            buf.writeByte(SUBSCRIPTION_IDENTIFIER);
            writeVarInt(buf, id);
        }
        if (p.topicAlias() > 0) {
            buf.writeByte(TOPIC_ALIAS).writeShort(p.topicAlias());
        }
        for (PublishProperties.UserProperty up : props.userProperties()) {
            buf.writeByte(USER_PROPERTY);
            writeString(buf, up.key());
            writeString(buf, up.value());
        }
    }

    private static void writeString(ByteBuf buf, String s) {
        int lengthIndex = buf.writerIndex();
        buf.writeShort(0);
        int written = buf.writeCharSequence(s, StandardCharsets.UTF_8);
        buf.setShort(lengthIndex, written);
    }

    static int varIntSize(int value) {
        int size = 1;
        while (value > 127) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    static void writeVarInt(ByteBuf buf, int value) {
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            if (value > 0) {
                digit |= 0x80;
            }
            buf.writeByte(digit);
        } while (value > 0);
    }
}
