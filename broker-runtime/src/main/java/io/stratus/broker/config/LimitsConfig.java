package io.stratus.broker.config;

/**
 * Limits the broker enforces on every client. All configurable; the defaults suit one node.
 *
 * @param maxPacketSize          largest packet accepted, in bytes (announced as Maximum Packet Size)
 * @param maxTopicLength         longest topic name or filter, in UTF-8 bytes
 * @param maxTopicLevels         most levels in a topic name or filter
 * @param maxClientIdLength      longest client identifier, in characters
 * @param receiveMaximum         QoS 1/2 PUBLISHes a client may have unacknowledged towards the broker
 * @param maxInflightOutbound    QoS 1/2 PUBLISHes the broker sends before waiting for acknowledgements
 *                               (the smaller of this and the client's Receive Maximum applies)
 * @param maxQueuedMessages      messages queued per session while its client is offline or its window full
 * @param maxQueuedBytes         payload bytes queued per session
 * @param maxConnections         simultaneous connections on this broker
 * @param maxKeepAliveSeconds    longest keep alive granted (announced to 5.0 clients as Server Keep Alive)
 * @param topicAliasMaximum      topic aliases a 5.0 client may use towards the broker
 * @param maxSessionExpirySeconds longest Session Expiry Interval granted
 * @param maxSubscriptionsPerClient subscriptions one session may hold
 * @param connectTimeoutSeconds  how long a new connection may take to send CONNECT
 * @param slowConsumerTimeoutSeconds how long a connection may stay unable to take more (its outbound
 *                               buffer above the high-water mark) before it is closed; 0 turns the timer
 *                               off (a connection is still closed when its session's queue overflows
 *                               while it cannot take more)
 */
public record LimitsConfig(int maxPacketSize, int maxTopicLength, int maxTopicLevels, int maxClientIdLength,
                           int receiveMaximum, int maxInflightOutbound, int maxQueuedMessages, long maxQueuedBytes,
                           int maxConnections, int maxKeepAliveSeconds, int topicAliasMaximum,
                           long maxSessionExpirySeconds, int maxSubscriptionsPerClient, int connectTimeoutSeconds,
                           int slowConsumerTimeoutSeconds) {

    private static final int MQTT_TWO_BYTE_MAX = 65_535;

    /** The largest Remaining Length MQTT can encode (four bytes of variable byte integer). */
    private static final int MQTT_MAX_PACKET_SIZE = 268_435_455;

    static final NumberSetting MAX_PACKET_SIZE = new NumberSetting("limits.max-packet-size", 1, MQTT_MAX_PACKET_SIZE);
    // Topic names and filters are UTF-8 strings with a two-byte length prefix. [MQTT-1.5.4]
    static final NumberSetting MAX_TOPIC_LENGTH = new NumberSetting("limits.max-topic-length", 1, MQTT_TWO_BYTE_MAX);
    static final NumberSetting MAX_TOPIC_LEVELS = new NumberSetting("limits.max-topic-levels", 1, MQTT_TWO_BYTE_MAX);
    static final NumberSetting MAX_CLIENT_ID_LENGTH =
        new NumberSetting("limits.max-client-id-length", 1, MQTT_TWO_BYTE_MAX);
    // Receive Maximum is a two-byte integer and 0 is a protocol error. [MQTT-3.1.2.11.3]
    static final NumberSetting RECEIVE_MAXIMUM = new NumberSetting("limits.receive-maximum", 1, MQTT_TWO_BYTE_MAX);
    static final NumberSetting MAX_INFLIGHT_OUTBOUND =
        new NumberSetting("limits.max-inflight-outbound", 1, MQTT_TWO_BYTE_MAX);
    static final NumberSetting MAX_QUEUED_MESSAGES =
        new NumberSetting("limits.max-queued-messages", 1, Integer.MAX_VALUE);
    static final NumberSetting MAX_QUEUED_BYTES = new NumberSetting("limits.max-queued-bytes", 1, Long.MAX_VALUE);
    static final NumberSetting MAX_CONNECTIONS = new NumberSetting("limits.max-connections", 1, Integer.MAX_VALUE);
    // Keep Alive and Server Keep Alive are two-byte integers. [MQTT-3.1.2.10], [MQTT-3.2.2.3.14]
    static final NumberSetting MAX_KEEP_ALIVE = new NumberSetting("limits.max-keep-alive", 0, MQTT_TWO_BYTE_MAX);
    static final NumberSetting TOPIC_ALIAS_MAXIMUM =
        new NumberSetting("limits.topic-alias-maximum", 0, MQTT_TWO_BYTE_MAX);
    // Session Expiry Interval is a four-byte integer; 0xFFFFFFFF means the session never expires.
    static final NumberSetting MAX_SESSION_EXPIRY = new NumberSetting("limits.max-session-expiry", 0, 0xFFFF_FFFFL);
    static final NumberSetting MAX_SUBSCRIPTIONS_PER_CLIENT =
        new NumberSetting("limits.max-subscriptions-per-client", 1, Integer.MAX_VALUE);
    static final NumberSetting CONNECT_TIMEOUT = new NumberSetting("limits.connect-timeout", 1, Integer.MAX_VALUE);
    static final NumberSetting SLOW_CONSUMER_TIMEOUT =
        new NumberSetting("limits.slow-consumer-timeout", 0, Integer.MAX_VALUE);

    /** @throws ConfigException if a limit is out of range; the message names its key */
    public LimitsConfig {
        MAX_PACKET_SIZE.check(maxPacketSize);
        MAX_TOPIC_LENGTH.check(maxTopicLength);
        MAX_TOPIC_LEVELS.check(maxTopicLevels);
        MAX_CLIENT_ID_LENGTH.check(maxClientIdLength);
        RECEIVE_MAXIMUM.check(receiveMaximum);
        MAX_INFLIGHT_OUTBOUND.check(maxInflightOutbound);
        MAX_QUEUED_MESSAGES.check(maxQueuedMessages);
        MAX_QUEUED_BYTES.check(maxQueuedBytes);
        MAX_CONNECTIONS.check(maxConnections);
        MAX_KEEP_ALIVE.check(maxKeepAliveSeconds);
        TOPIC_ALIAS_MAXIMUM.check(topicAliasMaximum);
        MAX_SESSION_EXPIRY.check(maxSessionExpirySeconds);
        MAX_SUBSCRIPTIONS_PER_CLIENT.check(maxSubscriptionsPerClient);
        CONNECT_TIMEOUT.check(connectTimeoutSeconds);
        SLOW_CONSUMER_TIMEOUT.check(slowConsumerTimeoutSeconds);
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(
            1024 * 1024,      // maxPacketSize
            1024,             // maxTopicLength
            32,               // maxTopicLevels
            128,              // maxClientIdLength
            100,              // receiveMaximum
            100,              // maxInflightOutbound
            1000,             // maxQueuedMessages
            16L * 1024 * 1024,// maxQueuedBytes
            100_000,          // maxConnections
            3600,             // maxKeepAliveSeconds
            16,               // topicAliasMaximum
            7L * 24 * 3600,   // maxSessionExpirySeconds
            1000,             // maxSubscriptionsPerClient
            10,               // connectTimeoutSeconds
            60);              // slowConsumerTimeoutSeconds
    }
}
