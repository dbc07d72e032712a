package io.stratus.broker.retain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stratus.broker.message.Message;
import io.stratus.broker.message.PublishProperties;
import io.stratus.broker.routing.InvalidTopicException;
import io.stratus.broker.routing.TopicFilter;
import io.stratus.broker.tenant.TenantId;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class InMemoryRetainedStoreTest {

    private static final long NOW = 1_000_000L;

    private final InMemoryRetainedStore store = new InMemoryRetainedStore(1_000);

    static Message retained(String topic, String payload) {
        return retained(topic, payload, 0);
    }

    static Message retained(String topic, String payload, long expiryAtMillis) {
        return new Message(TenantId.DEFAULT, topic, payload.getBytes(StandardCharsets.UTF_8), 1, true,
            PublishProperties.NONE, "publisher", expiryAtMillis);
    }

    static TopicFilter filter(String raw) {
        try {
            return TopicFilter.parse(raw, 65_535, 128);
        } catch (InvalidTopicException e) {
            throw new AssertionError(raw, e);
        }
    }

    private Set<String> topicsMatching(String rawFilter) {
        List<Message> found = store.match(filter(rawFilter), NOW);
        Set<String> topics = new HashSet<>();
        found.forEach(m -> topics.add(m.topic()));
        assertEquals(found.size(), topics.size(), "one message per topic");
        return topics;
    }

    private void putAll(String... topics) {
        for (String topic : topics) {
            assertTrue(store.put(retained(topic, "v:" + topic)));
        }
    }

    // ---- put, replace, clear ----------------------------------------------------------------------

    @Test
    void putStoresTheMessageForItsTopic() {
        Message m = retained("a/b", "hello");
        assertTrue(store.put(m));
        assertEquals(List.of(m), store.match(filter("a/b"), NOW));
        assertEquals(1, store.size());
        assertEquals(5, store.payloadBytes());
    }

    @Test
    void putReplacesTheMessageRetainedForTheSameTopic() {
        // [MQTT-3.3.1-5]
        store.put(retained("a/b", "first"));
        Message second = retained("a/b", "2nd");
        assertTrue(store.put(second));
        assertEquals(List.of(second), store.match(filter("a/b"), NOW));
        assertEquals(1, store.size());
        assertEquals(3, store.payloadBytes());
    }

    @Test
    void emptyPayloadDeletesTheRetainedMessageAndIsNotStored() {
        // [MQTT-3.3.1-6] [MQTT-3.3.1-7]
        store.put(retained("a/b", "hello"));
        assertTrue(store.put(retained("a/b", "")));
        assertEquals(List.of(), store.match(filter("a/b"), NOW));
        assertEquals(List.of(), store.match(filter("#"), NOW));
        assertEquals(0, store.size());
        assertEquals(0, store.payloadBytes());
    }

    @Test
    void emptyPayloadForATopicWithoutRetainedMessageStoresNothing() {
        assertTrue(store.put(retained("a/b", "")));
        assertEquals(0, store.size());
        assertEquals(0, store.nodeCount());
    }

    @Test
    void deletingPrunesTheTopicsNodesButKeepsThoseOthersNeed() {
        store.put(retained("a/b/c", "1"));
        store.put(retained("a/x", "2"));
        assertEquals(4, store.nodeCount()); // a, a/b, a/b/c, a/x
        store.put(retained("a/b/c", ""));
        assertEquals(2, store.nodeCount()); // a, a/x
        store.put(retained("a/x", ""));
        assertEquals(0, store.nodeCount());
    }

    @Test
    void parentAndChildTopicsAreIndependent() {
        store.put(retained("a", "parent"));
        store.put(retained("a/b", "child"));
        store.put(retained("a", ""));
        assertEquals(Set.of("a/b"), topicsMatching("#"));
        assertEquals(2, store.nodeCount());
    }

    @Test
    void topicsDifferingOnlyBySlashesAreDistinct() {
        putAll("finance", "/finance", "finance/", "a//b", "a/b", "/");
        assertEquals(6, store.size());
        assertEquals(Set.of("/finance"), topicsMatching("/finance"));
        assertEquals(Set.of("finance/"), topicsMatching("finance/"));
        assertEquals(Set.of("a//b"), topicsMatching("a//b"));
        assertEquals(Set.of("/"), topicsMatching("/"));
    }

    // ---- match with wildcards ----------------------------------------------------------------------

    @Test
    void singleLevelWildcardReturnsOneLevelOnly() {
        putAll("sensors/1/temp", "sensors/2/temp", "sensors/2/humidity", "sensors/3/temp/raw", "sensors/temp",
            "other/1/temp");
        assertEquals(Set.of("sensors/1/temp", "sensors/2/temp"), topicsMatching("sensors/+/temp"));
        assertEquals(Set.of("sensors/temp"), topicsMatching("sensors/+"));
        assertEquals(Set.of("sensors/1/temp", "sensors/2/temp", "other/1/temp"), topicsMatching("+/+/temp"));
    }

    @Test
    void multiLevelWildcardReturnsTheParentAndEverythingBelow() {
        putAll("sport", "sport/tennis", "sport/tennis/player1/score", "sports", "other");
        assertEquals(Set.of("sport", "sport/tennis", "sport/tennis/player1/score"), topicsMatching("sport/#"));
        assertEquals(Set.of("sport/tennis/player1/score"), topicsMatching("sport/tennis/player1/#"));
        assertEquals(Set.of("sport", "sport/tennis", "sport/tennis/player1/score", "sports", "other"),
            topicsMatching("#"));
    }

    @Test
    void wildcardsMatchEmptyLevels() {
        putAll("/finance", "/", "a//c");
        assertEquals(Set.of("/finance", "/"), topicsMatching("+/+"));
        assertEquals(Set.of("/finance", "/"), topicsMatching("/+"));
        assertEquals(Set.of(), topicsMatching("+"));
        assertEquals(Set.of("a//c"), topicsMatching("a/+/c"));
    }

    @Test
    void leadingWildcardsDoNotReturnDollarTopics() {
        // [MQTT-4.7.2-1]
        putAll("$SYS/monitor/Clients", "$SYS", "monitor/Clients", "a/$SYS");
        assertEquals(Set.of("monitor/Clients", "a/$SYS"), topicsMatching("#"));
        assertEquals(Set.of(), topicsMatching("+/monitor/Clients"));
        assertEquals(Set.of(), topicsMatching("+"));
        assertEquals(Set.of("monitor/Clients", "a/$SYS"), topicsMatching("+/+"));
    }

    @Test
    void filtersNamingTheDollarLevelReturnDollarTopics() {
        putAll("$SYS/monitor/Clients", "$SYS", "monitor/Clients");
        assertEquals(Set.of("$SYS/monitor/Clients", "$SYS"), topicsMatching("$SYS/#"));
        assertEquals(Set.of("$SYS/monitor/Clients"), topicsMatching("$SYS/monitor/+"));
    }

    @Test
    void sharedFilterMatchesWithItsFilterPart() {
        putAll("jobs/1", "jobs/2", "$share/g/jobs/1");
        assertEquals(Set.of("jobs/1", "jobs/2"), topicsMatching("$share/g/jobs/+"));
    }

    @Test
    void matchOnAnEmptyStoreReturnsAnEmptyList() {
        assertEquals(List.of(), store.match(filter("#"), NOW));
        assertEquals(List.of(), store.match(filter("a/+/c"), NOW));
    }

    @Test
    void matchReturnsAListTheCallerOwns() {
        putAll("a");
        List<Message> found = store.match(filter("a"), NOW);
        found.clear();
        assertEquals(1, store.match(filter("a"), NOW).size());
    }

    @Test
    void matchAgreesWithTopicFilterMatches() {
        String[] topics = {"a", "a/b", "a/b/c", "/a", "a/", "//", "$x/a", "b/a/c", "a/c/b", "$x"};
        putAll(topics);
        String[] filters = {"#", "+", "+/+", "+/#", "a/#", "a/+", "+/a/+", "/+", "+/", "$x/#", "+/+/+", "a/+/#",
            "//#", "+/+/#"};
        for (String raw : filters) {
            TopicFilter f = filter(raw);
            Set<String> expected = new HashSet<>();
            for (String t : topics) {
                if (f.matches(t)) {
                    expected.add(t);
                }
            }
            assertEquals(expected, topicsMatching(raw), raw);
        }
    }

    @Test
    void matchHandlesFiltersAsDeepAsTheLengthLimitAllows() throws InvalidTopicException {
        // given a retained message 32,768 levels deep, and a filter of as many '+' levels
        String deepTopic = String.join("/", Collections.nCopies(32_768, "x"));
        String deepFilter = String.join("/", Collections.nCopies(32_768, "+"));
        store.put(retained(deepTopic, "deep"));
        store.put(retained("x", "shallow"));
        // then neither walk exhausts the thread's stack
        assertEquals(1, store.match(TopicFilter.parse(deepFilter, 65_535, 65_535), NOW).size());
        assertEquals(2, store.match(filter("#"), NOW).size());
        store.put(retained(deepTopic, ""));
        assertEquals(1, store.nodeCount());
    }

    // ---- expiry ------------------------------------------------------------------------------------

    @Test
    void expiredMessageIsNotReturnedAndIsDeleted() {
        // given one message that expired at NOW and one that expires later
        store.put(retained("a/old", "x", NOW));
        Message fresh = retained("a/new", "y", NOW + 1);
        store.put(fresh);
        // when a subscription matches both
        List<Message> found = store.match(filter("a/+"), NOW);
        // then only the live one is returned, and the expired one is gone for good
        assertEquals(List.of(fresh), found);
        assertEquals(1, store.size());
        assertEquals(1, store.payloadBytes());
        assertEquals(2, store.nodeCount()); // a, a/new
    }

    @Test
    void messageWithoutExpiryNeverExpires() {
        store.put(retained("a", "x", 0));
        assertEquals(1, store.match(filter("a"), Long.MAX_VALUE).size());
    }

    @Test
    void replacingAnExpiredMessageBeforeItIsMatchedKeepsTheReplacement() {
        store.put(retained("a", "old", NOW - 1));
        Message replacement = retained("a", "new", 0);
        store.put(replacement);
        assertEquals(List.of(replacement), store.match(filter("a"), NOW));
        assertEquals(1, store.size());
    }

    @Test
    void removeExpiredSweepsExpiredMessagesNobodyMatched() {
        store.put(retained("a/1", "x", NOW - 10));
        store.put(retained("a/1/deeper", "x", NOW - 10));
        store.put(retained("b/2", "x", NOW + 10));
        store.put(retained("c", "x", 0));
        assertEquals(2, store.removeExpired(NOW));
        assertEquals(2, store.size());
        assertEquals(Set.of("b/2", "c"), topicsMatching("#"));
        assertEquals(3, store.nodeCount()); // b, b/2, c
        assertEquals(0, store.removeExpired(NOW));
    }

    // ---- limits ------------------------------------------------------------------------------------

    @Test
    void putForANewTopicIsRefusedAndCountedWhenTheStoreIsFull() {
        // given a store limited to two messages, full
        InMemoryRetainedStore small = new InMemoryRetainedStore(2);
        assertTrue(small.put(retained("a", "1")));
        assertTrue(small.put(retained("b", "2")));
        // when a third topic is retained
        boolean accepted = small.put(retained("c", "3"));
        // then it is refused and counted, and nothing else changes
        assertFalse(accepted);
        assertEquals(1, small.refusedCount());
        assertEquals(2, small.size());
        assertEquals(2, small.payloadBytes());
        assertEquals(List.of(), small.match(filter("c"), NOW));
        assertEquals(2, small.nodeCount());
    }

    @Test
    void replacingOrDeletingIsAllowedWhenTheStoreIsFull() {
        InMemoryRetainedStore small = new InMemoryRetainedStore(2);
        small.put(retained("a", "1"));
        small.put(retained("b", "2"));
        Message replacement = retained("a", "one");
        assertTrue(small.put(replacement));
        assertEquals(List.of(replacement), small.match(filter("a"), NOW));
        assertTrue(small.put(retained("b", "")));
        assertTrue(small.put(retained("c", "3")));
        assertEquals(0, small.refusedCount());
        assertEquals(2, small.size());
    }

    @Test
    void storeWithALimitOfZeroRefusesEveryMessage() {
        InMemoryRetainedStore none = new InMemoryRetainedStore(0);
        assertFalse(none.put(retained("a", "1")));
        assertTrue(none.put(retained("a", "")));
        assertEquals(1, none.refusedCount());
        assertEquals(0, none.size());
        assertEquals(0, none.nodeCount());
    }

    @Test
    void negativeLimitIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new InMemoryRetainedStore(-1));
    }

    @Test
    void payloadBytesFollowsPutsReplacementsAndDeletions() {
        store.put(retained("a", "12345"));
        store.put(retained("b", "123"));
        assertEquals(8, store.payloadBytes());
        store.put(retained("a", "1"));
        assertEquals(4, store.payloadBytes());
        store.put(retained("b", ""));
        assertEquals(1, store.payloadBytes());
    }

    @Test
    void storedMessageIsReturnedAsTheSameInstance() {
        Message m = retained("x/y", "payload");
        store.put(m);
        List<Message> found = new ArrayList<>(store.match(filter("x/#"), NOW));
        assertSame(m, found.get(0));
    }
}
