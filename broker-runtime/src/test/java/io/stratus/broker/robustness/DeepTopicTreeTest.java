package io.stratus.broker.robustness;

import io.stratus.broker.routing.TopicTree;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.Flood;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.LogCapture;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.PacketReader.Packet;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.RawClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Topic trees that are deep and wide: names and filters as deep as the level limit allows (and one
 * level more, refused with the right reason code), and ten thousand distinct deep topics matched
 * through exact filters and through {@code #} and {@code +/+/.../#} patterns. Matching stays correct,
 * nothing recurses per level (the deepest tree 64 KiB topics allow would overflow a thread's stack),
 * and unsubscribing prunes the tree to nothing. {@code routing.TopicTreeTest} covers the tree alone.
 */
class DeepTopicTreeTest {

    private static final int V311 = 4;
    private static final int V5 = 5;
    private static final int TOPIC_NAME_INVALID = 0x90;
    private static final int TOPIC_FILTER_INVALID = 0x8F;
    private static final int V3_SUBACK_FAILURE = 0x80;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    private final LogCapture log = new LogCapture();

    @AfterEach
    void closeLog() {
        log.close();
    }

    // ---- as deep as the limits allow ----------------------------------------------------------------

    @Test
    void routesTopicsAtALevelLimitOfThirtyThousandAndRefusesOneLevelMore() throws Exception {
        // given: 30,000 levels allowed, within the 65,535 bytes a topic can have
        int limit = 30_000;
        fixture.start(LimitsBuilder.with(l -> l.maxTopicLevels(limit).maxTopicLength(65_535)));
        String deepest = levels("a", limit);
        String allPlus = levels("+", limit - 1) + "/#";
        RawClient subscriber = fixture.clients().raw(V5, "deep-sub");
        subscriber.send(Packets.subscribe(V5, 1, -1, deepest, 1, allPlus, 1, "#", 1));
        assertArrayEquals(new int[] {1, 1, 1}, PacketReader.ackCodes(V5, subscriber.readPacket()));
        RawClient publisher = fixture.clients().raw(V5, "deep-pub");

        // when: a retained message to a topic of 30,000 levels
        publisher.send(Packets.publish(1, false, true, 1, deepest, Packets.noProperties(), Packets.utf8("bottom")));
        PacketReader.expectSuccessAck(publisher, true, Packets.PUBACK, 1);

        // then: one copy for the three matching filters [MQTT-3.3.4-2]
        Packet delivered = PacketReader.expectPublish(subscriber, true);
        assertEquals(deepest, delivered.topic());
        assertEquals("bottom", delivered.payloadText());
        // and a later subscriber whose filter is all wildcards finds it among the retained messages
        RawClient late = fixture.clients().raw(V5, "late-sub");
        PacketReader.subscribeAndExpectGranted(late, true, 1, allPlus, 1);
        Packet retained = PacketReader.expectPublish(late, true);
        assertEquals(deepest, retained.topic());
        assertTrue(retained.retain());

        // and one level more is refused: as a filter with 0x8F (3.1.1: 0x80), as a topic with DISCONNECT 0x90
        String tooDeep = levels("a", limit + 1);
        subscriber.send(Packets.subscribe(V5, 2, -1, tooDeep, 1, levels("+", limit) + "/#", 1));
        assertArrayEquals(new int[] {TOPIC_FILTER_INVALID, TOPIC_FILTER_INVALID},
            PacketReader.ackCodes(V5, subscriber.readPacket()));
        RawClient v311 = fixture.clients().raw(V311, "deep-311");
        v311.send(Packets.subscribe(false, 1, tooDeep, 1));
        assertArrayEquals(new int[] {V3_SUBACK_FAILURE}, PacketReader.ackCodes(V311, v311.readPacket()));
        publisher.send(Packets.publish(1, false, false, 2, tooDeep, Packets.noProperties(), Packets.utf8("x")));
        assertEquals(TOPIC_NAME_INVALID, PacketReader.disconnectCode(publisher.readPacket()));

        // and unsubscribing leaves no node behind
        subscriber.send(Packets.unsubscribe(V5, 3, deepest, allPlus, "#"));
        assertArrayEquals(new int[] {0, 0, 0}, PacketReader.ackCodes(V5, subscriber.readPacket()));
        late.send(Packets.unsubscribe(V5, 2, allPlus));
        assertArrayEquals(new int[] {0}, PacketReader.ackCodes(V5, late.readPacket()));
        assertEquals(0, tree().nodeCount());
        assertEquals(List.of(), log.exceptions(), "nothing escaped on the way, a StackOverflowError least of all");
    }

    // ---- ten thousand deep topics -------------------------------------------------------------------

    /** Distinct topics, each {@value #DEPTH} levels deep. */
    private static final int TOPICS = 10_000;
    /** The default limits.max-topic-levels. */
    private static final int DEPTH = 32;
    private static final int FILTERS_PER_PACKET = 100;

    /**
     * Topic {@code i}: {@code deep/l1/.../l26/d0/d1/d2/d3/ti}, where d0..d3 are the decimal digits of
     * {@code i}: a chain shared by all, then a fan-out of ten per level, then a leaf of its own.
     */
    private static String topic(int i) {
        StringBuilder t = new StringBuilder("deep");
        for (int level = 1; level <= DEPTH - 6; level++) {
            t.append("/l").append(level);
        }
        String digits = String.format("%04d", i);
        for (char d : digits.toCharArray()) {
            t.append('/').append(d);
        }
        return t.append("/t").append(i).toString();
    }

    @Test
    void routesTenThousandDistinctDeepTopicsThroughExactAndWildcardFiltersAndPrunesOnUnsubscribe()
            throws Exception {
        // given: one subscriber to each of 10,000 topics of 32 levels by its exact name, and others to patterns
        fixture.start(LimitsBuilder.with(l -> l.maxSubscriptionsPerClient(TOPICS)));
        assertEquals(DEPTH, topic(TOPICS - 1).split("/").length);
        RawClient exact = fixture.clients().raw(V5, "exact");
        List<String> allTopics = IntStream.range(0, TOPICS).mapToObj(DeepTopicTreeTest::topic).toList();
        subscribeInPackets(exact, allTopics);
        String threeThousands = "deep/" + levels("+", DEPTH - 6) + "/3/#";
        String[] patterns = {"#", levels("+", DEPTH - 1) + "/#", levels("+", DEPTH), threeThousands,
            levels("+", DEPTH - 1)};
        List<RawClient> patternSubscribers = new ArrayList<>();
        for (int p = 0; p < patterns.length; p++) {
            RawClient s = fixture.clients().raw(V5, "pattern-" + p);
            PacketReader.subscribeAndExpectGranted(s, true, 1, patterns[p], 0);
            patternSubscribers.add(s);
        }
        int[] expected = {TOPICS, TOPICS, TOPICS, TOPICS / 10, 0};
        List<CompletableFuture<int[]>> received = new ArrayList<>();
        received.add(receive(exact, TOPICS, allTopics));
        for (int p = 0; p < patterns.length; p++) {
            received.add(receive(patternSubscribers.get(p), expected[p], allTopics));
        }

        // when: one message to each topic, its number as payload
        RawClient publisher = fixture.clients().raw(V5, "publisher");
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < TOPICS; i++) {
            batch.writeBytes(Packets.publish(0, false, false, 0, allTopics.get(i), Packets.noProperties(),
                Flood.payload(i, 4)));
        }
        publisher.send(batch.toByteArray());

        // then: the exact subscriber, '#', '+/.../#' (31 + and #) and 32 '+' each get all 10,000 once;
        // 'deep/+.../3/#' the thousand whose first digit is 3; 31 '+' alone none (verified below)
        int[] all = IntStream.range(0, TOPICS).toArray();
        assertArrayEquals(all, sorted(received.get(0)), "exact");
        for (int p = 0; p < 3; p++) {
            assertArrayEquals(all, sorted(received.get(p + 1)), patterns[p]);
        }
        assertArrayEquals(IntStream.range(3000, 4000).toArray(), sorted(received.get(4)), threeThousands);
        // a topic of 31 levels reaches the last pattern (and '#' and '+/.../#', whose '#' takes the
        // parent level too), and is the first thing it receives: it had matched no 32-level topic
        publisher.send(Packets.publish(0, false, false, 0, levels("x", DEPTH - 1), Packets.noProperties(),
            Flood.payload(-1, 4)));
        for (int p : new int[] {4, 0, 1}) {
            assertEquals(-1, Flood.number(patternSubscribers.get(p).readPacket(), true), patterns[p]);
        }

        // and when every subscription is withdrawn, the tree is empty
        TopicTree tree = tree();
        assertTrue(tree.nodeCount() > TOPICS, "one leaf per topic at least: " + tree.nodeCount());
        unsubscribeInPackets(exact, allTopics);
        for (int p = 0; p < patterns.length; p++) {
            patternSubscribers.get(p).send(Packets.unsubscribe(V5, 2, patterns[p]));
            assertArrayEquals(new int[] {0}, PacketReader.ackCodes(V5, patternSubscribers.get(p).readPacket()));
        }
        assertEquals(0, tree.subscriptionCount());
        assertEquals(0, tree.nodeCount());
        assertEquals(List.of(), log.exceptions());
    }

    private static void subscribeInPackets(RawClient client, List<String> filters) throws Exception {
        for (int from = 0, id = 1; from < filters.size(); from += FILTERS_PER_PACKET, id++) {
            List<String> part = filters.subList(from, Math.min(filters.size(), from + FILTERS_PER_PACKET));
            Object[] filtersAndOptions = part.stream().flatMap(f -> Stream.of(f, 0)).toArray();
            client.send(Packets.subscribe(V5, id, -1, filtersAndOptions));
            int[] codes = PacketReader.ackCodes(V5, client.readPacket());
            assertArrayEquals(new int[part.size()], codes, "SUBACK " + id + " grants QoS 0 to every filter");
        }
    }

    private static void unsubscribeInPackets(RawClient client, List<String> filters) throws Exception {
        for (int from = 0, id = 1; from < filters.size(); from += FILTERS_PER_PACKET, id++) {
            List<String> part = filters.subList(from, Math.min(filters.size(), from + FILTERS_PER_PACKET));
            client.send(Packets.unsubscribe(V5, id, part.toArray(String[]::new)));
            int[] codes = PacketReader.ackCodes(V5, client.readPacket());
            assertArrayEquals(new int[part.size()], codes, "UNSUBACK " + id + " removed every filter");
        }
    }

    /**
     * Reads {@code count} QoS 0 PUBLISHes on another thread, checking each arrived on the topic its
     * number names.
     *
     * @return the numbers, in arrival order
     */
    private static CompletableFuture<int[]> receive(RawClient subscriber, int count, List<String> topics) {
        CompletableFuture<int[]> result = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                int[] numbers = new int[count];
                for (int i = 0; i < count; i++) {
                    byte[] publish = subscriber.readPacket();
                    numbers[i] = Flood.number(publish, true);
                    int topicAt = PacketReader.bodyOffset(publish);
                    String topic = new String(publish, topicAt + 2, PacketReader.readU16(publish, topicAt),
                        StandardCharsets.UTF_8);
                    assertEquals(topics.get(numbers[i]), topic);
                }
                result.complete(numbers);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "deep-reader");
        reader.setDaemon(true);
        reader.start();
        return result;
    }

    private static int[] sorted(CompletableFuture<int[]> numbers) throws Exception {
        int[] n = numbers.get(Flood.STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS).clone();
        Arrays.sort(n);
        return n;
    }

    /** @return {@code level/level/.../level}, {@code count} levels */
    private static String levels(String level, int count) {
        return String.join("/", Collections.nCopies(count, level));
    }

    private TopicTree tree() {
        return fixture.broker().defaultTenant().topics();
    }
}
