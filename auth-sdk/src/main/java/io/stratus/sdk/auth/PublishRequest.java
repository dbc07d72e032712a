package io.stratus.sdk.auth;

import io.stratus.sdk.internal.Checks;

import java.util.Objects;

/**
 * What an {@link Authorizer} is asked about a publish: the topic, QoS and RETAIN flag, and whether it
 * is a Will message (checked when the client connects, since that is when it names the topic).
 *
 * <p>Immutable and thread-safe.
 *
 * @since 1.0
 */
public final class PublishRequest {

    private final String topic;
    private final int qos;
    private final boolean retain;
    private final boolean will;

    private PublishRequest(String topic, int qos, boolean retain, boolean will) {
        this.topic = Checks.topicName("topic", topic);
        this.qos = Checks.qos("qos", qos);
        this.retain = retain;
        this.will = will;
    }

    /**
     * @param topic  the topic name, relative to the tenant's namespace
     * @param qos    0, 1 or 2
     * @param retain the RETAIN flag
     * @return a request for an ordinary PUBLISH
     * @throws IllegalArgumentException naming the field if the topic is not a valid topic name or the
     *     QoS is out of range
     * @since 1.0
     */
    public static PublishRequest of(String topic, int qos, boolean retain) {
        return new PublishRequest(topic, qos, retain, false);
    }

    /**
     * @param topic  the Will Topic, relative to the tenant's namespace
     * @param qos    the Will QoS, 0, 1 or 2
     * @param retain the Will Retain flag
     * @return a request for a Will message
     * @throws IllegalArgumentException naming the field if the topic is not a valid topic name or the
     *     QoS is out of range
     * @since 1.0
     */
    public static PublishRequest will(String topic, int qos, boolean retain) {
        return new PublishRequest(topic, qos, retain, true);
    }

    /**
     * @return the topic name, relative to the tenant's namespace
     * @since 1.0
     */
    public String topic() {
        return topic;
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
     * @return whether this is the client's Will message rather than a PUBLISH
     * @since 1.0
     */
    public boolean will() {
        return will;
    }

    /**
     * @param o another object
     * @return whether it is a request with equal values
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PublishRequest)) {
            return false;
        }
        PublishRequest r = (PublishRequest) o;
        return topic.equals(r.topic) && qos == r.qos && retain == r.retain && will == r.will;
    }

    /**
     * @return a hash consistent with {@link #equals(Object)}
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(topic, qos, retain, will);
    }

    /**
     * @return the values
     * @since 1.0
     */
    @Override
    public String toString() {
        return "PublishRequest[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", will=" + will + "]";
    }
}
