package io.stratus.sdk.hook;

import io.stratus.sdk.internal.Checks;

import java.util.Objects;

/**
 * One subscription a client holds after a SUBSCRIBE was granted, for
 * {@link LifecycleListener#onSubscribed(io.stratus.sdk.client.ClientIdentity, java.util.List)}.
 *
 * <p>Immutable and thread-safe. Plugins normally receive these from the broker; the builder is public
 * so that a plugin's unit tests can make them.
 *
 * @since 1.0
 */
public final class SubscriptionInfo {

    private final String topicFilter;
    private final int qos;
    private final boolean noLocal;
    private final boolean retainAsPublished;
    private final int retainHandling;

    private SubscriptionInfo(Builder b) {
        this.topicFilter = Checks.topicFilter("topicFilter", b.topicFilter);
        this.qos = b.qos;
        this.noLocal = b.noLocal;
        this.retainAsPublished = b.retainAsPublished;
        this.retainHandling = b.retainHandling;
    }

    /**
     * Starts a subscription; the topic filter must be set, the options default to QoS 0 and MQTT 5's
     * defaults.
     *
     * @return a new builder
     * @since 1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the topic filter as the client sent it, including any {@code $share/<group>/} prefix
     * @since 1.0
     */
    public String topicFilter() {
        return topicFilter;
    }

    /**
     * @return the QoS granted: 0, 1 or 2
     * @since 1.0
     */
    public int qos() {
        return qos;
    }

    /**
     * @return the MQTT 5 No Local option: the client's own messages are not delivered to it
     * @since 1.0
     */
    public boolean noLocal() {
        return noLocal;
    }

    /**
     * @return the MQTT 5 Retain As Published option
     * @since 1.0
     */
    public boolean retainAsPublished() {
        return retainAsPublished;
    }

    /**
     * @return the MQTT 5 Retain Handling option: 0 send retained messages, 1 only for a new
     *     subscription, 2 never
     * @since 1.0
     */
    public int retainHandling() {
        return retainHandling;
    }

    /**
     * @param o another object
     * @return whether it is a subscription with the same filter and options
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SubscriptionInfo)) {
            return false;
        }
        SubscriptionInfo s = (SubscriptionInfo) o;
        return topicFilter.equals(s.topicFilter) && qos == s.qos && noLocal == s.noLocal
            && retainAsPublished == s.retainAsPublished && retainHandling == s.retainHandling;
    }

    /**
     * @return a hash consistent with {@link #equals(Object)}
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(topicFilter, qos, noLocal, retainAsPublished, retainHandling);
    }

    /**
     * @return the filter and options
     * @since 1.0
     */
    @Override
    public String toString() {
        return "SubscriptionInfo[filter=" + topicFilter + ", qos=" + qos + ", noLocal=" + noLocal
            + ", retainAsPublished=" + retainAsPublished + ", retainHandling=" + retainHandling + "]";
    }

    /**
     * Collects a {@link SubscriptionInfo}'s values.
     *
     * <p>Not thread-safe: use a builder from one thread at a time.
     *
     * @since 1.0
     */
    public static final class Builder {

        private String topicFilter;
        private int qos;
        private boolean noLocal;
        private boolean retainAsPublished;
        private int retainHandling;

        private Builder() {
        }

        /**
         * @param topicFilter the topic filter
         * @return this builder
         * @throws IllegalArgumentException naming {@code topicFilter} if it is not a valid topic filter
         * @since 1.0
         */
        public Builder topicFilter(String topicFilter) {
            this.topicFilter = Checks.topicFilter("topicFilter", topicFilter);
            return this;
        }

        /**
         * @param qos the granted QoS, 0, 1 or 2
         * @return this builder
         * @throws IllegalArgumentException naming {@code qos} if it is out of range
         * @since 1.0
         */
        public Builder qos(int qos) {
            this.qos = Checks.qos("qos", qos);
            return this;
        }

        /**
         * @param noLocal the No Local option
         * @return this builder
         * @since 1.0
         */
        public Builder noLocal(boolean noLocal) {
            this.noLocal = noLocal;
            return this;
        }

        /**
         * @param retainAsPublished the Retain As Published option
         * @return this builder
         * @since 1.0
         */
        public Builder retainAsPublished(boolean retainAsPublished) {
            this.retainAsPublished = retainAsPublished;
            return this;
        }

        /**
         * @param retainHandling the Retain Handling option, 0, 1 or 2
         * @return this builder
         * @throws IllegalArgumentException naming {@code retainHandling} if it is out of range
         * @since 1.0
         */
        public Builder retainHandling(int retainHandling) {
            // [MQTT-3.8.3-4] 3 is a protocol error
            this.retainHandling = (int) Checks.range("retainHandling", retainHandling, 0, 2);
            return this;
        }

        /**
         * @return the subscription
         * @throws IllegalArgumentException naming {@code topicFilter} if no filter was set
         * @since 1.0
         */
        public SubscriptionInfo build() {
            return new SubscriptionInfo(this);
        }
    }
}
