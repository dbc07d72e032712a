package io.stratus.broker.protocol;

import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.session.Session;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A QoS 0 subscriber that falls behind: the broker queues for it up to the session limits while its
 * connection cannot take more, sends the queue in order when it drains, and beyond the limits drops
 * and counts, so a flood can never grow the broker's memory without bound.
 */
class SlowSubscriberTest {

    private static final int V311 = 4;
    private static final int V5 = 5;
    private static final int PAYLOAD = 4096;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @Test
    void queuesQos0ForASubscriberThatFallsBehindAndSendsItAllInOrder() throws Exception {
        // given: room for every message the test sends
        fixture.start(l -> withQueue(l, 20_000, 256L * 1024 * 1024));
        RawClient subscriber = subscriber("slow");
        RawClient publisher = fixture.clients().raw(V311, "fast");

        // when: 12 MiB arrive while the subscriber reads nothing (more than the socket buffers and
        // the connection's 1 MiB high-water mark hold), then a QoS 1 marker the publisher sees acknowledged
        int count = 3000;
        publishNumbered(publisher, count);
        int queuedAtPeak = queuedOnLane("slow");

        // then: part of it waited in the session's queue instead of being dropped, and all of it
        // arrives, in order, once the subscriber reads
        assertTrue(queuedAtPeak > 0, "the broker queued while the connection was full");
        for (int i = 0; i < count; i++) {
            assertEquals(i, sequence(subscriber.readPacket()), "message " + i);
        }
        assertEquals(0, fixture.broker().metrics().droppedSlowConsumer.sum());
    }

    @Test
    void dropsAndCountsQos0BeyondTheSessionQueueForASubscriberThatNeverReads() throws Exception {
        // given: 1 MiB of queue per session
        long budget = 1024 * 1024;
        fixture.start(l -> withQueue(l, 100, budget));
        RawClient subscriber = subscriber("stuck");
        RawClient publisher = fixture.clients().raw(V311, "flood");

        // when: 5,000 messages of 4 KiB (20 MiB) for a subscriber that reads nothing
        publishNumbered(publisher, 5000);

        // then: what waits for the subscriber stays within the limits, and the rest is counted
        assertTrue(queuedOnLane("stuck") * (long) PAYLOAD <= budget, "session queue bounded by its bytes");
        assertTrue(session("stuck").qos0InTransitBytes() <= budget, "hand-over to the subscriber's lane bounded");
        long dropped = fixture.broker().metrics().droppedSlowConsumer.sum();
        assertTrue(dropped > 0, "drops are counted");

        // and what was kept still arrives in order when the subscriber reads again
        int previous = -1;
        int received = 0;
        while (received < 5000 - dropped) {
            int seq = sequence(subscriber.readPacket());
            assertTrue(seq > previous, "in order: " + seq + " after " + previous);
            previous = seq;
            received++;
        }
        assertEquals(5000, received + dropped, "every message either delivered or counted as dropped");
    }

    @Test
    void gracefulShutdownSendsTheQos0BacklogThenDisconnects() throws Exception {
        // given: a 5.0 subscriber with a QoS 0 backlog, and a grace period far longer than the test
        BrokerConfig d = BrokerConfig.defaults();
        fixture.start(new BrokerConfig(d.listeners(), withQueue(d.limits(), 20_000, 256L * 1024 * 1024), true, 0, 60));
        RawClient subscriber = subscriber(V5, "draining");
        RawClient publisher = fixture.clients().raw(V311, "source");
        int count = 3000;
        publishNumbered(publisher, count);
        assertTrue(queuedOnLane("draining") > 0, "a backlog waits for the connection");

        // when: the broker shuts down while the subscriber reads
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> fixture.broker().close());
        for (int i = 0; i < count; i++) {
            assertEquals(i, sequence(subscriber.readPacket(), true), "message " + i);
        }

        // then: once the backlog is out the client is told why (0x8B), long before the grace period ends
        assertEquals(0x8B, PacketReader.disconnectCode(subscriber.readPacket()));
        closed.get(20, TimeUnit.SECONDS);
    }

    private RawClient subscriber(String clientId) throws Exception {
        return subscriber(V311, clientId);
    }

    private RawClient subscriber(int version, String clientId) throws Exception {
        RawClient subscriber = fixture.clients().raw(version, clientId);
        subscriber.send(Packets.subscribe(version == V5, 1, "numbers", 0));
        assertEquals(Packets.SUBACK, PacketReader.type(subscriber.readPacket()));
        return subscriber;
    }

    /** Publishes QoS 0 messages numbered from 0, then waits for a QoS 1 marker's PUBACK. */
    private static void publishNumbered(RawClient publisher, int count) throws Exception {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            byte[] payload = ByteBuffer.allocate(PAYLOAD).putInt(i).array();
            batch.writeBytes(Packets.publish(0, false, false, 0, "numbers", null, payload));
            if (batch.size() > 256 * 1024) {
                publisher.send(batch.toByteArray());
                batch.reset();
            }
        }
        batch.writeBytes(Packets.publish311(1, 7, "marker", "done"));
        publisher.send(batch.toByteArray());
        // the publisher's lane routed everything before it acknowledges the marker
        assertEquals(Packets.PUBACK, PacketReader.type(publisher.readPacket()));
    }

    private static int sequence(byte[] publish) {
        return sequence(publish, false);
    }

    /** QoS 0 PUBLISH: topic, then (5.0) the properties, then the payload whose first int is the number. */
    private static int sequence(byte[] publish, boolean v5) {
        int[] pos = {PacketReader.bodyOffset(publish)};
        pos[0] += 2 + PacketReader.readU16(publish, pos[0]);
        if (v5) {
            int propertiesLength = PacketReader.readVarInt(publish, pos); // moves pos past the length
            pos[0] += propertiesLength;
        }
        return ByteBuffer.wrap(publish, pos[0], 4).getInt();
    }

    private Session session(String clientId) {
        return fixture.broker().defaultTenant().sessions().get(clientId);
    }

    /** Reads the queue length on the session's own lane, after everything handed to it has run. */
    private int queuedOnLane(String clientId) throws Exception {
        Session s = session(clientId);
        // the hand-over tasks queued before this one run first: the lane is a FIFO executor
        return s.lane().submit(s::queuedCount).get(5, TimeUnit.SECONDS);
    }

    private static LimitsConfig withQueue(LimitsConfig l, int messages, long bytes) {
        return new LimitsConfig(l.maxPacketSize(), l.maxTopicLength(), l.maxTopicLevels(), l.maxClientIdLength(),
            l.receiveMaximum(), l.maxInflightOutbound(), messages, bytes, l.maxConnections(),
            l.maxKeepAliveSeconds(), l.topicAliasMaximum(), l.maxSessionExpirySeconds(),
            l.maxSubscriptionsPerClient(), l.connectTimeoutSeconds());
    }
}
