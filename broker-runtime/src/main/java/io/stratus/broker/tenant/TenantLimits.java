package io.stratus.broker.tenant;

import io.stratus.broker.config.LimitsConfig;

/**
 * Limits of one tenant, on top of the broker's own ({@code limits.*}); 0 means "the broker's limit"
 * (for sizes and counts) or "no limit" (for rates).
 *
 * @param maxConnections               connections of the tenant at once
 * @param maxMessagesPerSecondPerClient PUBLISH packets a client may send per second
 * @param maxBytesPerSecondPerClient   PUBLISH bytes a client may send per second
 * @param maxMessagesPerSecond         PUBLISH packets all the tenant's clients may send per second together
 * @param maxBytesPerSecond            PUBLISH bytes all the tenant's clients may send per second together
 * @param maxPacketSize                the largest packet a client may send, at most the broker's
 * @param maxSubscriptionsPerClient    subscriptions of one session, at most the broker's
 * @param maxQueuedMessages            messages queued for one session, at most the broker's
 */
public record TenantLimits(int maxConnections, int maxMessagesPerSecondPerClient, long maxBytesPerSecondPerClient,
                           int maxMessagesPerSecond, long maxBytesPerSecond, int maxPacketSize,
                           int maxSubscriptionsPerClient, int maxQueuedMessages) {

    /** No limits beyond the broker's. */
    public static final TenantLimits NONE = new TenantLimits(0, 0, 0, 0, 0, 0, 0, 0);

    /** @throws IllegalArgumentException naming the limit that is negative */
    public TenantLimits {
        nonNegative("max-connections", maxConnections);
        nonNegative("max-messages-per-second-per-client", maxMessagesPerSecondPerClient);
        nonNegative("max-bytes-per-second-per-client", maxBytesPerSecondPerClient);
        nonNegative("max-messages-per-second", maxMessagesPerSecond);
        nonNegative("max-bytes-per-second", maxBytesPerSecond);
        nonNegative("max-packet-size", maxPacketSize);
        nonNegative("max-subscriptions-per-client", maxSubscriptionsPerClient);
        nonNegative("max-queued-messages", maxQueuedMessages);
    }

    private static void nonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be 0 (no limit of the tenant's own) or more: " + value);
        }
    }

    /**
     * @return the broker's limits with this tenant's lower packet size, subscriptions per client and
     *     queued messages per session in their place: what the tenant's connections and sessions get
     */
    public LimitsConfig applyTo(LimitsConfig broker) {
        if (maxPacketSize == 0 && maxSubscriptionsPerClient == 0 && maxQueuedMessages == 0) {
            return broker;
        }
        return new LimitsConfig(effective(maxPacketSize, broker.maxPacketSize()), broker.maxTopicLength(),
            broker.maxTopicLevels(), broker.maxClientIdLength(), broker.receiveMaximum(), broker.maxInflightOutbound(),
            effective(maxQueuedMessages, broker.maxQueuedMessages()), broker.maxQueuedBytes(), broker.maxConnections(),
            broker.maxKeepAliveSeconds(), broker.topicAliasMaximum(), broker.maxSessionExpirySeconds(),
            effective(maxSubscriptionsPerClient, broker.maxSubscriptionsPerClient()), broker.connectTimeoutSeconds(),
            broker.slowConsumerTimeoutSeconds());
    }

    /** @return whether the tenant limits what its clients publish per second */
    public boolean limitsRates() {
        return maxMessagesPerSecondPerClient > 0 || maxBytesPerSecondPerClient > 0 || maxMessagesPerSecond > 0
            || maxBytesPerSecond > 0;
    }

    /** @return the tenant's limit where it has one and it is lower, else the broker's */
    public static int effective(int tenantLimit, int brokerLimit) {
        return tenantLimit > 0 ? Math.min(tenantLimit, brokerLimit) : brokerLimit;
    }
}
