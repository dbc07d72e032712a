package io.stratus.sdk.auth;

import io.stratus.sdk.internal.Checks;

import java.util.Objects;

/**
 * What an {@link Authorizer} is asked about one topic filter of a SUBSCRIBE.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 1.0
 */
public final class SubscribeRequest {

    private final String topicFilter;
    private final int qos;

    private SubscribeRequest(String topicFilter, int qos) {
        this.topicFilter = Checks.topicFilter("topicFilter", topicFilter);
        this.qos = Checks.qos("qos", qos);
    }

    /**
     * @param topicFilter the topic filter as the client sent it, relative to the tenant's namespace,
     *     including any {@code $share/<group>/} prefix of a shared subscription
     * @param qos         the maximum QoS requested, 0, 1 or 2
     * @return the request
     * @throws IllegalArgumentException naming the field if the filter is not a valid topic filter or the
     *     QoS is out of range
     * @since 1.0
     */
    public static SubscribeRequest of(String topicFilter, int qos) {
        return new SubscribeRequest(topicFilter, qos);
    }

    /**
     * @return the topic filter as the client sent it
     * @since 1.0
     */
    public String topicFilter() {
        return topicFilter;
    }

    /**
     * @return the maximum QoS requested: 0, 1 or 2
     * @since 1.0
     */
    public int qos() {
        return qos;
    }

    /**
     * @param o another object
     * @return whether it is a request with the same filter and QoS
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof SubscribeRequest && ((SubscribeRequest) o).topicFilter.equals(topicFilter)
            && ((SubscribeRequest) o).qos == qos;
    }

    /**
     * @return a hash consistent with {@link #equals(Object)}
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(topicFilter, qos);
    }

    /**
     * @return the filter and QoS
     * @since 1.0
     */
    @Override
    public String toString() {
        return "SubscribeRequest[filter=" + topicFilter + ", qos=" + qos + "]";
    }
}
