package io.stratus.broker.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one tenant. Written from many event loops at once, hence adders; read by the
 * {@code $SYS} publisher and by tests. Every message the broker drops is counted here, by reason.
 */
public final class TenantMetrics {

    public final AtomicLong clientsConnected = new AtomicLong();
    public final LongAdder connectsTotal = new LongAdder();
    public final LongAdder messagesReceived = new LongAdder();
    public final LongAdder messagesSent = new LongAdder();
    public final LongAdder bytesReceived = new LongAdder();
    public final LongAdder bytesSent = new LongAdder();
    /** A session's queue (count or bytes) was full. */
    public final LongAdder droppedQueueFull = new LongAdder();
    /** The Message Expiry Interval passed before delivery. */
    public final LongAdder droppedExpired = new LongAdder();
    /** Larger than the receiving client's Maximum Packet Size. [MQTT-3.1.2-25] */
    public final LongAdder droppedTooLarge = new LongAdder();
    /** QoS 0 to a client whose connection could not take more. */
    public final LongAdder droppedSlowConsumer = new LongAdder();
    /** QoS 0 to a session whose client is offline. */
    public final LongAdder droppedOffline = new LongAdder();
    /** Queued for a session that ended before delivery. */
    public final LongAdder droppedSessionEnded = new LongAdder();
    /** Dropped by a plugin's inbound publish hook, or by its outbound delivery hook for one subscriber. */
    public final LongAdder droppedByPlugin = new LongAdder();
    /** Publications refused (read-only topics, or the tenant's policy). */
    public final LongAdder publishDenied = new LongAdder();
    /** Subscriptions refused by the tenant's policy. */
    public final LongAdder subscribeDenied = new LongAdder();
    /** Messages not sent to a subscriber because the tenant's policy denies it receiving them. */
    public final LongAdder receiveDenied = new LongAdder();
    /** CONNECTs refused for credentials or policy (counted in the tenant they named, if any). */
    public final LongAdder authFailures = new LongAdder();
    public final LongAdder willsPublished = new LongAdder();
    /** Retained messages not stored because the tenant's retained store was full. */
    public final LongAdder retainedRefused = new LongAdder();
    /**
     * Connections closed because their client did not take what the broker sent: the connection stayed
     * above its high-water mark too long, or its session's queue overflowed meanwhile.
     */
    public final LongAdder slowConsumerDisconnects = new LongAdder();
    /** CONNECTs refused without a check while their client id or address backed off after failures. */
    public final LongAdder authBackoffRefusals = new LongAdder();
    /** Connections ended because a certificate of their chain was revoked while they were open. */
    public final LongAdder revokedDisconnects = new LongAdder();
    /** CONNECTs refused because the tenant had its max-connections open. */
    public final LongAdder connectionsOverQuota = new LongAdder();
    /** Connections closed for publishing faster than the client's or the tenant's rate allows. */
    public final LongAdder rateLimitDisconnects = new LongAdder();
    /** Connections closed for a packet larger than the tenant's (or the broker's) maximum packet size. */
    public final LongAdder packetTooLargeDisconnects = new LongAdder();
    /** Subscriptions refused because the session held max-subscriptions-per-client already. */
    public final LongAdder subscriptionsOverQuota = new LongAdder();

    /** @return every drop counted, whatever the reason */
    public long droppedTotal() {
        return droppedQueueFull.sum() + droppedExpired.sum() + droppedTooLarge.sum() + droppedSlowConsumer.sum()
            + droppedOffline.sum() + droppedSessionEnded.sum() + droppedByPlugin.sum();
    }
}
