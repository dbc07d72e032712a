package io.stratus.broker.robustness;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.metrics.TenantMetrics;
import io.stratus.broker.session.Session;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.Flood;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.SubscriberInbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static io.stratus.broker.support.PacketReader.subscribeAndExpectGranted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber that reads but never acknowledges QoS 1, under a flood: its Receive Maximum fills,
 * then its session's queue up to its bound, and everything beyond is dropped and counted, while the
 * broker's memory stays flat and healthy subscribers of the same topic lose nothing. A client that
 * reads is no slow consumer: it stays connected.
 *
 * <p>The publisher is kept at most {@value #PACE} messages ahead of the healthy subscriber, as a
 * deployment whose subscribers keep up would be; the queue bound under test is the never-acking one's.
 */
class NeverAckingSubscriberTest {

    private static final int MESSAGES = 200_000;
    private static final int PAYLOAD = 1024;
    private static final int QUEUE = 1000;
    /** The broker's default limits.max-inflight-outbound, below the never-acking client's Receive Maximum. */
    private static final int WINDOW = 100;
    private static final int PACE = 200;
    private static final String TOPIC = "flood/q1";
    /** Far below what the flood carries (200 MB), and below what one message in 200 kept would take. */
    private static final long MEMORY_BOUND = 64L * 1024 * 1024;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @Test
    void holdsOnlyTheWindowAndABoundedQueueForASubscriberThatNeverAcknowledges() throws Exception {
        // given: queues of 1,000 messages, statistics every second, and on one topic a 5.0 subscriber
        // that never acknowledges and a 3.1.1 one that does
        BrokerConfig d = BrokerConfig.defaults();
        fixture.start(new BrokerConfig(d.listeners(), LimitsBuilder.with(l -> l.maxQueuedMessages(QUEUE))
            .apply(d.limits()), true, 1, d.shutdownGraceSeconds()));
        SubscriberInbox sys = new SubscriberInbox();
        fixture.clients().hivemq("sys-watcher", sys).subscribeWith().topicFilter("$SYS/broker/messages/dropped")
            .qos(MqttQos.AT_MOST_ONCE).send();
        RawClient neverAcks = fixture.clients().raw(5, "never-acks");
        subscribeAndExpectGranted(neverAcks, true, 1, TOPIC, 1);
        RawClient healthy = fixture.clients().raw(4, "healthy");
        subscribeAndExpectGranted(healthy, false, 1, TOPIC, 1);
        RawClient publisher = fixture.clients().raw(4, "publisher");
        Session stuck = fixture.broker().defaultTenant().sessions().get("never-acks");
        Semaphore pace = new Semaphore(PACE);
        CompletableFuture<int[]> healthyGot = Flood.receive(healthy, false, MESSAGES, pace);
        CompletableFuture<int[]> neverAcksGot = Flood.receiveWithoutAcknowledging(neverAcks, true, WINDOW);
        long memoryBefore = PeakSampler.allocatorBytes();

        try (PeakSampler memory = PeakSampler.of(PeakSampler::allocatorBytes);
             PeakSampler queued = PeakSampler.of(() -> onLane(stuck, stuck::queuedCount))) {
            // when: 200,000 messages of 1 KiB at QoS 1
            assertTimeoutPreemptively(Duration.ofSeconds(90),
                () -> Flood.publishQos1(publisher, TOPIC, MESSAGES, PAYLOAD, WINDOW, pace));

            // then: the healthy subscriber got every one, in order
            Flood.assertAllInOrder(healthyGot.get(Flood.STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            // the other got its window's worth and no more, and holds a full queue
            assertArrayEquals(numbers(WINDOW), neverAcksGot.get(Flood.STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals(WINDOW, onLane(stuck, stuck::inflightCount));
            assertEquals(QUEUE, onLane(stuck, stuck::queuedCount));
            assertEquals((long) QUEUE * PAYLOAD, onLane(stuck, stuck::queuedBytes));
            assertTrue(queued.peak() <= QUEUE, "the queue never held more than its bound: " + queued.peak());
            // and what the broker held in buffers stayed flat while 200 MB went through it
            long growth = memory.peak() - memoryBefore;
            assertTrue(growth < MEMORY_BOUND, "allocator grew by " + growth + " bytes");
        }

        // and every message beyond the window and the queue was counted as dropped, in $SYS too
        long dropped = MESSAGES - (WINDOW + QUEUE);
        TenantMetrics metrics = fixture.broker().metrics();
        assertEquals(dropped, metrics.droppedQueueFull.sum());
        assertEquals(dropped, metrics.droppedTotal());
        sys.awaitMatching("$SYS/broker/messages/dropped = " + dropped, r -> r.payload().equals(Long.toString(dropped)));

        // and it is still connected, with nothing more sent to it (the next packet answers its PINGREQ)
        neverAcks.send("c0 00");
        assertEquals("d000", neverAcks.readPacketHex());
        assertEquals(0, metrics.slowConsumerDisconnects.sum());
    }

    private static int[] numbers(int count) {
        int[] n = new int[count];
        for (int i = 0; i < count; i++) {
            n[i] = i;
        }
        return n;
    }

    /** Reads session state on its lane, after everything already handed to the lane has run. */
    private static <T> T onLane(Session session, Callable<T> read) {
        try {
            return session.lane().submit(read).get(Flood.STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
