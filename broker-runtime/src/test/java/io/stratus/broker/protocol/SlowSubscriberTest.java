package io.stratus.broker.protocol;

import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.session.Session;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.Flood;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A QoS 0 subscriber that falls behind: the broker queues for it up to the session limits while its
 * connection cannot take more and sends the queue in order when it drains. One that falls further
 * behind than its queue holds is a slow consumer: see {@code robustness.NeverReadingClientTest}.
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
        Flood.publishQos0(publisher, "numbers", count, PAYLOAD);
        int queuedAtPeak = queuedOnLane("slow");

        // then: part of it waited in the session's queue instead of being dropped, and all of it
        // arrives, in order, once the subscriber reads
        assertTrue(queuedAtPeak > 0, "the broker queued while the connection was full");
        for (int i = 0; i < count; i++) {
            assertEquals(i, Flood.number(subscriber.readPacket(), false), "message " + i);
        }
        assertEquals(0, fixture.broker().metrics().droppedSlowConsumer.sum());
    }

    @Test
    void gracefulShutdownSendsTheQos0BacklogThenDisconnects() throws Exception {
        // given: a 5.0 subscriber with a QoS 0 backlog, and a grace period far longer than the test
        BrokerConfig d = BrokerConfig.defaults();
        fixture.start(new BrokerConfig(d.listeners(), withQueue(d.limits(), 20_000, 256L * 1024 * 1024), true, 0, 60));
        RawClient subscriber = subscriber(V5, "draining");
        RawClient publisher = fixture.clients().raw(V311, "source");
        int count = 3000;
        Flood.publishQos0(publisher, "numbers", count, PAYLOAD);
        assertTrue(queuedOnLane("draining") > 0, "a backlog waits for the connection");

        // when: the broker shuts down while the subscriber reads
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> fixture.broker().close());
        for (int i = 0; i < count; i++) {
            assertEquals(i, Flood.number(subscriber.readPacket(), true), "message " + i);
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
            l.maxSubscriptionsPerClient(), l.connectTimeoutSeconds(), l.slowConsumerTimeoutSeconds());
    }
}
