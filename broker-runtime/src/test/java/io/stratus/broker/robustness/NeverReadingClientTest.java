package io.stratus.broker.robustness;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.metrics.TenantMetrics;
import io.stratus.broker.session.Session;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.Flood;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.PacketReader.Packet;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.Packets.Connect;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.SubscriberInbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static io.stratus.broker.support.PacketReader.subscribeAndExpectGranted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Subscribers whose sockets never read (a small receive buffer, never a read call) while a publisher
 * floods them. The broker bounds what it holds for each (netty's outbound buffer up to its high-water
 * mark, then the session's queue, whose overflow is counted) and then disconnects it as a slow
 * consumer, publishes its will and counts it, while the publisher and the other subscribers go on
 * as if nothing happened. {@code protocol.SlowConsumerTest} times the rule on a virtual clock.
 */
class NeverReadingClientTest {

    private static final int V311 = 4;
    private static final int V5 = 5;
    /** The stuck client's socket receive buffer: a few kilobytes, so the broker's side fills up early. */
    private static final int SMALL_RECEIVE_BUFFER = 4096;
    private static final int QUOTA_EXCEEDED = 0x97;
    private static final int REASON_STRING = 0x1F;
    /** What one QoS 0 message of 4 KiB weighs in a session's hand-over: its payload and 128 bytes. */
    private static final long ONE_MESSAGE = 4096 + 128;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @Test
    void disconnectsASubscriberThatNeverReadsOnceItsQueueOverflowsWhileOthersReceiveEverything() throws Exception {
        // given: the default queues (16 MiB), no timer (the overflow alone decides), statistics every
        // second; a watcher of wills and of the slow-consumer count, and on one topic a subscriber that
        // never reads (with a will) and one that reads and acknowledges
        start(l -> l.slowConsumerTimeoutSeconds(0), 1);
        SubscriberInbox watcher = new SubscriberInbox();
        fixture.clients().hivemq("watcher", watcher).subscribeWith()
            .addSubscription().topicFilter("will/#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
            .addSubscription().topicFilter("$SYS/broker/clients/slow consumer disconnects")
            .qos(MqttQos.AT_MOST_ONCE).applySubscription()
            .send();
        RawClient stuck = neverReading(Connect.v311("stuck").will("will/stuck", "stuck is gone", 1, false).bytes());
        subscribeAndExpectGranted(stuck, false, 1, "flood", 1);
        RawClient healthy = fixture.clients().raw(V311, "healthy");
        subscribeAndExpectGranted(healthy, false, 1, "flood", 1);
        RawClient publisher = fixture.clients().raw(V311, "publisher");
        int count = 600;
        // the publisher stays at most 100 messages ahead of the healthy subscriber, well within its queue
        Semaphore pace = new Semaphore(100);
        CompletableFuture<int[]> healthyGot = Flood.receive(healthy, false, count, pace);

        // when: 600 QoS 1 messages of 64 KiB (39 MB): the stuck one's connection takes what its socket
        // buffers and its 1 MiB high-water mark hold, its queue fills with 256 (16 MiB), and the next overflows
        Flood.publishQos1(publisher, "flood", count, 64 * 1024, 100, pace);

        // then: the publisher had every message acknowledged, and the healthy subscriber got them all in order
        Flood.assertAllInOrder(healthyGot.get(Flood.STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        // the stuck one's will is published, and its connection closed
        assertEquals("stuck is gone", watcher.awaitMatching("the will", r -> r.topic().equals("will/stuck")).payload());
        assertTrue(stuck.closedByBroker(), "the stuck subscriber's connection is closed");
        TenantMetrics metrics = fixture.broker().metrics();
        assertEquals(1, metrics.slowConsumerDisconnects.sum());
        assertTrue(metrics.droppedQueueFull.sum() >= 1, "the overflow was counted");
        // and counted in $SYS too
        watcher.awaitMatching("$SYS slow consumer disconnects = 1", r -> r.payload().equals("1"));
        Eventually.await(Duration.ofSeconds(5), "watcher, healthy and publisher still connected",
            () -> metrics.clientsConnected.get() == 3);
    }

    @Test
    void disconnectsAnMqtt5SubscriberThatStaysUnwritablePastTheTimeoutAndTellsItWhy() throws Exception {
        // given: a timeout of 1 s and a queue large enough for the whole flood, so only the timer can act
        start(l -> l.slowConsumerTimeoutSeconds(1).maxQueuedBytes(64L * 1024 * 1024), 0);
        RawClient stuck = neverReading(Packets.connect5("stuck", true));
        subscribeAndExpectGranted(stuck, true, 1, "flood", 0);
        RawClient publisher = fixture.clients().raw(V311, "publisher");
        long floodStarted = System.nanoTime();

        // when: 16 MB of QoS 0 that it does not read: more than the socket buffers and the 1 MiB high-water mark
        Flood.publishQos0(publisher, "flood", 4000, 4096);

        // then: disconnected no sooner than the timeout after it became unwritable (which was after
        // the flood began), with nothing dropped before: the timer decided, not an overflow
        TenantMetrics metrics = fixture.broker().metrics();
        Eventually.await(Duration.ofSeconds(10), "a slow consumer disconnect",
            () -> metrics.slowConsumerDisconnects.sum() == 1);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - floodStarted);
        assertTrue(elapsedMillis >= 1000, "disconnected after " + elapsedMillis + " ms");
        assertEquals(0, metrics.droppedSlowConsumer.sum());
        // and when it reads at last, it finds, after what was already on its way, DISCONNECT 0x97
        // "slow consumer" [MQTT-4.13.2-1], then the end of the connection
        Packet last;
        int publishes = 0;
        while ((last = Packet.parse(stuck.readPacket(), true)).type() == Packets.PUBLISH) {
            assertEquals(publishes++, Flood.number(last.bytes(), true), "in order before the DISCONNECT");
        }
        last.expectType(Packets.DISCONNECT);
        assertEquals(QUOTA_EXCEEDED, last.reasonCode());
        assertEquals("slow consumer", last.property(REASON_STRING).string());
        assertTrue(stuck.closedByBroker());
    }

    @Test
    void sendsOrCountsAsDroppedEveryQos0MessageForASubscriberThatNeverReads() throws Exception {
        // given: 1 MiB of queue per session, the default timer (60 s, longer than the test), and a
        // subscriber whose session outlives its connection, so that every message matches it
        long budget = 1024 * 1024;
        start(l -> l.maxQueuedBytes(budget), 0);
        RawClient stuck = neverReading(Packets.connect311("stuck", false));
        subscribeAndExpectGranted(stuck, false, 1, "flood", 0);
        RawClient publisher = fixture.clients().raw(V311, "publisher");
        Session session = fixture.broker().defaultTenant().sessions().get("stuck");
        int count = 5000;

        try (PeakSampler inTransit = PeakSampler.of(session::qos0InTransitBytes)) {
            // when: 5,000 messages of 4 KiB (20 MiB)
            Flood.publishQos0(publisher, "flood", count, 4096);

            // then: what was handed to the subscriber's lane stayed within its budget (a message is
            // counted before it is checked, so for an instant the count may exceed it by one)
            session.lane().submit(() -> { }).get(Flood.STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(inTransit.peak() <= budget + ONE_MESSAGE, "hand-over bounded: " + inTransit.peak());
        }
        // and the subscriber was cut off once its queue overflowed, long before the timer
        TenantMetrics metrics = fixture.broker().metrics();
        assertEquals(1, metrics.slowConsumerDisconnects.sum());
        assertTrue(metrics.droppedSlowConsumer.sum() > 0, "the overflow was counted");
        assertTrue(!session.isOnline() && !session.isEnded(), "offline, its session kept");
        // and no message went unaccounted for: each was written to its connection or counted as
        // dropped (too many for the queue, or for a client no longer connected)
        assertEquals(count, metrics.messagesSent.sum() + metrics.droppedTotal());
        assertTrue(stuck.closedByBroker());
    }

    private void start(UnaryOperator<LimitsBuilder> limits, int sysIntervalSeconds) throws Exception {
        BrokerConfig d = BrokerConfig.defaults();
        LimitsConfig l = LimitsBuilder.with(limits).apply(d.limits());
        fixture.start(new BrokerConfig(d.listeners(), l, true, sysIntervalSeconds, d.shutdownGraceSeconds()));
    }

    /** @return a connected client with a small receive buffer, which the test never reads until it says so */
    private RawClient neverReading(byte[] connect) throws Exception {
        RawClient client = fixture.clients().rawWithReceiveBuffer(SMALL_RECEIVE_BUFFER);
        client.send(connect);
        assertEquals(0, PacketReader.connAckCode(client.readPacket()));
        return client;
    }
}
