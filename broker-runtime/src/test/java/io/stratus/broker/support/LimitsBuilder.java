package io.stratus.broker.support;

import io.stratus.broker.config.LimitsConfig;

import java.util.function.UnaryOperator;

/**
 * Changes a few limits of a {@link LimitsConfig} and keeps the rest, so that a test states only the
 * limits it is about: {@code TestBroker.start(LimitsBuilder.with(b -> b.maxConnections(1)))}.
 */
public final class LimitsBuilder {

    private int maxPacketSize;
    private int maxTopicLength;
    private int maxTopicLevels;
    private int maxClientIdLength;
    private int receiveMaximum;
    private int maxInflightOutbound;
    private int maxQueuedMessages;
    private long maxQueuedBytes;
    private int maxConnections;
    private int maxKeepAliveSeconds;
    private int topicAliasMaximum;
    private long maxSessionExpirySeconds;
    private int maxSubscriptionsPerClient;
    private int connectTimeoutSeconds;
    private int slowConsumerTimeoutSeconds;

    private LimitsBuilder(LimitsConfig l) {
        maxPacketSize = l.maxPacketSize();
        maxTopicLength = l.maxTopicLength();
        maxTopicLevels = l.maxTopicLevels();
        maxClientIdLength = l.maxClientIdLength();
        receiveMaximum = l.receiveMaximum();
        maxInflightOutbound = l.maxInflightOutbound();
        maxQueuedMessages = l.maxQueuedMessages();
        maxQueuedBytes = l.maxQueuedBytes();
        maxConnections = l.maxConnections();
        maxKeepAliveSeconds = l.maxKeepAliveSeconds();
        topicAliasMaximum = l.topicAliasMaximum();
        maxSessionExpirySeconds = l.maxSessionExpirySeconds();
        maxSubscriptionsPerClient = l.maxSubscriptionsPerClient();
        connectTimeoutSeconds = l.connectTimeoutSeconds();
        slowConsumerTimeoutSeconds = l.slowConsumerTimeoutSeconds();
    }

    /** @return an operator for {@link TestBroker#start(UnaryOperator)} that applies the changes */
    public static UnaryOperator<LimitsConfig> with(UnaryOperator<LimitsBuilder> changes) {
        return limits -> changes.apply(new LimitsBuilder(limits)).build();
    }

    public LimitsBuilder maxPacketSize(int value) {
        maxPacketSize = value;
        return this;
    }

    public LimitsBuilder maxTopicLength(int value) {
        maxTopicLength = value;
        return this;
    }

    public LimitsBuilder maxTopicLevels(int value) {
        maxTopicLevels = value;
        return this;
    }

    public LimitsBuilder maxClientIdLength(int value) {
        maxClientIdLength = value;
        return this;
    }

    public LimitsBuilder receiveMaximum(int value) {
        receiveMaximum = value;
        return this;
    }

    public LimitsBuilder maxInflightOutbound(int value) {
        maxInflightOutbound = value;
        return this;
    }

    public LimitsBuilder maxQueuedMessages(int value) {
        maxQueuedMessages = value;
        return this;
    }

    public LimitsBuilder maxQueuedBytes(long value) {
        maxQueuedBytes = value;
        return this;
    }

    public LimitsBuilder maxConnections(int value) {
        maxConnections = value;
        return this;
    }

    public LimitsBuilder maxKeepAliveSeconds(int value) {
        maxKeepAliveSeconds = value;
        return this;
    }

    public LimitsBuilder topicAliasMaximum(int value) {
        topicAliasMaximum = value;
        return this;
    }

    public LimitsBuilder maxSessionExpirySeconds(long value) {
        maxSessionExpirySeconds = value;
        return this;
    }

    public LimitsBuilder maxSubscriptionsPerClient(int value) {
        maxSubscriptionsPerClient = value;
        return this;
    }

    public LimitsBuilder connectTimeoutSeconds(int value) {
        connectTimeoutSeconds = value;
        return this;
    }

    public LimitsBuilder slowConsumerTimeoutSeconds(int value) {
        slowConsumerTimeoutSeconds = value;
        return this;
    }

    /** @throws io.stratus.broker.config.ConfigException if a limit is out of range */
    public LimitsConfig build() {
        return new LimitsConfig(maxPacketSize, maxTopicLength, maxTopicLevels, maxClientIdLength, receiveMaximum,
            maxInflightOutbound, maxQueuedMessages, maxQueuedBytes, maxConnections, maxKeepAliveSeconds,
            topicAliasMaximum, maxSessionExpirySeconds, maxSubscriptionsPerClient, connectTimeoutSeconds,
            slowConsumerTimeoutSeconds);
    }
}
