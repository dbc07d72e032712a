package io.stratus.sdk.message;

import io.stratus.sdk.internal.Checks;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An application message as a plugin sees it: what a client published (for an
 * {@link io.stratus.sdk.hook.InboundPublishHook}), what is about to be delivered (for an
 * {@link io.stratus.sdk.hook.OutboundDeliveryHook}), or what a plugin publishes itself through
 * {@link io.stratus.sdk.service.MessagePublisher}.
 *
 * <p>Topics are always inside the plugin's tenant: a packet never names a tenant, and the broker
 * never lets one reach another tenant's namespace.
 *
 * <p>The payload and correlation data are copied in and never shared, so a packet is immutable and
 * thread-safe. To change one, copy it with {@link #toBuilder()}:
 * <pre>{@code
 * PublishPacket redacted = packet.toBuilder().topic("redacted/" + packet.topic()).payload(new byte[0]).build();
 * }</pre>
 *
 * <p>MQTT 5 properties a client sent to a 3.1.1 subscriber are dropped on delivery as MQTT requires;
 * a plugin may set them regardless of the client's protocol version.
 *
 * @since 1.0
 */
public final class PublishPacket {

    private final String topic;
    private final byte[] payload;
    private final int qos;
    private final boolean retain;
    private final List<UserProperty> userProperties;
    private final String contentType;
    private final String responseTopic;
    private final byte[] correlationData;
    private final long messageExpiryInterval;
    private final PayloadFormat payloadFormat;

    private PublishPacket(Builder b) {
        this.topic = Checks.topicName("topic", b.topic);
        this.payload = b.payload;
        this.qos = b.qos;
        this.retain = b.retain;
        this.userProperties = List.copyOf(b.userProperties);
        this.contentType = b.contentType;
        this.responseTopic = b.responseTopic;
        this.correlationData = b.correlationData;
        this.messageExpiryInterval = b.messageExpiryInterval;
        this.payloadFormat = b.payloadFormat;
        if (payloadFormat == PayloadFormat.UTF_8) {
            Checks.wellFormedUtf8("payload", payload); // [MQTT-3.3.2-4]
        }
    }

    /**
     * Starts a packet: QoS 0, not retained, an empty payload, no properties; a topic must be set.
     *
     * @return a new builder
     * @since 1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A shortcut for the common case of a topic and a payload, at QoS 0 and not retained.
     *
     * @param topic   the topic name
     * @param payload the payload; copied
     * @return the packet
     * @throws IllegalArgumentException if the topic is not a valid topic name or the payload is null
     * @since 1.0
     */
    public static PublishPacket of(String topic, byte[] payload) {
        return builder().topic(topic).payload(payload).build();
    }

    /**
     * @return a builder holding this packet's values, to build a changed copy
     * @since 1.0
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.topic = topic;
        b.payload = payload;
        b.qos = qos;
        b.retain = retain;
        b.userProperties.addAll(userProperties);
        b.contentType = contentType;
        b.responseTopic = responseTopic;
        b.correlationData = correlationData;
        b.messageExpiryInterval = messageExpiryInterval;
        b.payloadFormat = payloadFormat;
        return b;
    }

    /**
     * @return the topic name, relative to the tenant's namespace
     * @since 1.0
     */
    public String topic() {
        return topic;
    }

    /**
     * Gives the payload without copying it.
     *
     * @return a new read-only buffer over the payload, positioned at its start
     * @since 1.0
     */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /**
     * @return a copy of the payload, which the caller may change
     * @since 1.0
     */
    public byte[] payloadBytes() {
        return payload.clone();
    }

    /**
     * @return the payload's size in bytes
     * @since 1.0
     */
    public int payloadSize() {
        return payload.length;
    }

    /**
     * @return the QoS: 0, 1 or 2
     * @since 1.0
     */
    public int qos() {
        return qos;
    }

    /**
     * @return the RETAIN flag
     * @since 1.0
     */
    public boolean retain() {
        return retain;
    }

    /**
     * @return the MQTT 5 User Properties in their order, duplicates included; an unmodifiable list
     * @since 1.0
     */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    /**
     * @return the MQTT 5 Content Type, if any
     * @since 1.0
     */
    public Optional<String> contentType() {
        return Optional.ofNullable(contentType);
    }

    /**
     * @return the MQTT 5 Response Topic, if any
     * @since 1.0
     */
    public Optional<String> responseTopic() {
        return Optional.ofNullable(responseTopic);
    }

    /**
     * @return a read-only buffer over the MQTT 5 Correlation Data, if any
     * @since 1.0
     */
    public Optional<ByteBuffer> correlationData() {
        return correlationData == null ? Optional.empty() : Optional.of(ByteBuffer.wrap(correlationData).asReadOnlyBuffer());
    }

    /**
     * @return the MQTT 5 Message Expiry Interval in seconds, if the message expires
     * @since 1.0
     */
    public OptionalLong messageExpiryInterval() {
        return messageExpiryInterval < 0 ? OptionalLong.empty() : OptionalLong.of(messageExpiryInterval);
    }

    /**
     * @return the MQTT 5 Payload Format Indicator; {@link PayloadFormat#UNSPECIFIED} if none was set
     * @since 1.0
     */
    public PayloadFormat payloadFormat() {
        return payloadFormat;
    }

    /**
     * @param o another object
     * @return whether it is a packet with equal values, payload and correlation data compared by content
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PublishPacket)) {
            return false;
        }
        PublishPacket p = (PublishPacket) o;
        return qos == p.qos && retain == p.retain && messageExpiryInterval == p.messageExpiryInterval
            && topic.equals(p.topic) && Arrays.equals(payload, p.payload) && userProperties.equals(p.userProperties)
            && Objects.equals(contentType, p.contentType) && Objects.equals(responseTopic, p.responseTopic)
            && Arrays.equals(correlationData, p.correlationData) && payloadFormat == p.payloadFormat;
    }

    /**
     * @return a hash consistent with {@link #equals(Object)}
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, retain, userProperties, contentType, responseTopic,
            Arrays.hashCode(correlationData), messageExpiryInterval, payloadFormat);
    }

    /**
     * Describes the packet without its payload or correlation data, which may be confidential, so the
     * result is safe to log.
     *
     * @return the topic, QoS, RETAIN flag and payload size
     * @since 1.0
     */
    @Override
    public String toString() {
        return "PublishPacket[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", payload="
            + Checks.describe(payload) + "]";
    }

    /**
     * Collects a {@link PublishPacket}'s values; {@link #build()} checks them. Each setter checks its own
     * argument and throws {@link IllegalArgumentException} naming the field.
     *
     * <p>Not thread-safe: use a builder from one thread at a time.
     *
     * @since 1.0
     */
    public static final class Builder {

        private String topic;
        private byte[] payload = new byte[0];
        private int qos;
        private boolean retain;
        private final List<UserProperty> userProperties = new ArrayList<>();
        private String contentType;
        private String responseTopic;
        private byte[] correlationData;
        private long messageExpiryInterval = -1;
        private PayloadFormat payloadFormat = PayloadFormat.UNSPECIFIED;

        private Builder() {
        }

        /**
         * @param topic a topic name: not empty, no {@code +} or {@code #}, no U+0000, at most 65,535
         *     UTF-8 bytes
         * @return this builder
         * @throws IllegalArgumentException naming {@code topic} if it is not a valid topic name
         * @since 1.0
         */
        public Builder topic(String topic) {
            this.topic = Checks.topicName("topic", topic);
            return this;
        }

        /**
         * @param payload the payload; copied, so later changes to the array do not show
         * @return this builder
         * @throws IllegalArgumentException naming {@code payload} if it is null
         * @since 1.0
         */
        public Builder payload(byte[] payload) {
            this.payload = Checks.copy("payload", payload);
            return this;
        }

        /**
         * @param payload the payload: the buffer's remaining bytes, copied without moving its position
         * @return this builder
         * @throws IllegalArgumentException naming {@code payload} if it is null
         * @since 1.0
         */
        public Builder payload(ByteBuffer payload) {
            this.payload = Checks.copy("payload", payload);
            return this;
        }

        /**
         * @param qos 0, 1 or 2
         * @return this builder
         * @throws IllegalArgumentException naming {@code qos} if it is out of range
         * @since 1.0
         */
        public Builder qos(int qos) {
            this.qos = Checks.qos("qos", qos);
            return this;
        }

        /**
         * @param retain the RETAIN flag
         * @return this builder
         * @since 1.0
         */
        public Builder retain(boolean retain) {
            this.retain = retain;
            return this;
        }

        /**
         * Appends a User Property after those already set.
         *
         * @param name  its name
         * @param value its value
         * @return this builder
         * @throws IllegalArgumentException if either is not a valid MQTT string
         * @since 1.0
         */
        public Builder addUserProperty(String name, String value) {
            userProperties.add(UserProperty.of(name, value));
            return this;
        }

        /**
         * Replaces all User Properties.
         *
         * @param properties the properties in order; copied
         * @return this builder
         * @throws IllegalArgumentException naming {@code userProperties} if the list or an element is null
         * @since 1.0
         */
        public Builder userProperties(List<UserProperty> properties) {
            Checks.notNull("userProperties", properties);
            for (UserProperty p : properties) {
                Checks.notNull("userProperties element", p);
            }
            userProperties.clear();
            userProperties.addAll(properties);
            return this;
        }

        /**
         * @param contentType the MQTT 5 Content Type, or null for none
         * @return this builder
         * @throws IllegalArgumentException naming {@code contentType} if it is not a valid MQTT string
         * @since 1.0
         */
        public Builder contentType(String contentType) {
            this.contentType = contentType == null ? null : Checks.mqttString("contentType", contentType);
            return this;
        }

        /**
         * @param responseTopic the MQTT 5 Response Topic, a topic name without wildcards, or null for none
         * @return this builder
         * @throws IllegalArgumentException naming {@code responseTopic} if it is not a valid topic name
         * @since 1.0
         */
        public Builder responseTopic(String responseTopic) {
            // [MQTT-3.3.2-14] a Response Topic must not contain wildcards
            this.responseTopic = responseTopic == null ? null : Checks.topicName("responseTopic", responseTopic);
            return this;
        }

        /**
         * @param correlationData the MQTT 5 Correlation Data, copied, or null for none
         * @return this builder
         * @throws IllegalArgumentException naming {@code correlationData} if it is longer than 65,535 bytes
         * @since 1.0
         */
        public Builder correlationData(byte[] correlationData) {
            if (correlationData != null) {
                Checks.range("correlationData length", correlationData.length, 0, Checks.MAX_STRING_BYTES);
            }
            this.correlationData = correlationData == null ? null : correlationData.clone();
            return this;
        }

        /**
         * @param seconds the MQTT 5 Message Expiry Interval, 0 to 4,294,967,295 seconds
         * @return this builder
         * @throws IllegalArgumentException naming {@code messageExpiryInterval} if it is out of range
         * @since 1.0
         */
        public Builder messageExpiryInterval(long seconds) {
            this.messageExpiryInterval = Checks.range("messageExpiryInterval", seconds, 0, Checks.MAX_FOUR_BYTE_INTEGER);
            return this;
        }

        /**
         * Makes the message never expire, as when no Message Expiry Interval was sent.
         *
         * @return this builder
         * @since 1.0
         */
        public Builder noMessageExpiry() {
            this.messageExpiryInterval = -1;
            return this;
        }

        /**
         * @param payloadFormat the MQTT 5 Payload Format Indicator
         * @return this builder
         * @throws IllegalArgumentException naming {@code payloadFormat} if it is null
         * @since 1.0
         */
        public Builder payloadFormat(PayloadFormat payloadFormat) {
            this.payloadFormat = Checks.notNull("payloadFormat", payloadFormat);
            return this;
        }

        /**
         * @return the packet
         * @throws IllegalArgumentException naming {@code topic} if no topic was set, or {@code payload} if
         *     the payload format is {@link PayloadFormat#UTF_8} and the payload is not well-formed UTF-8
         * @since 1.0
         */
        public PublishPacket build() {
            return new PublishPacket(this);
        }
    }
}
