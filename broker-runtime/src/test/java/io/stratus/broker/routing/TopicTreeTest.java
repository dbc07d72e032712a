package io.stratus.broker.routing;

import static io.stratus.broker.routing.Fixtures.filter;
import static io.stratus.broker.routing.Fixtures.match;
import static io.stratus.broker.routing.Fixtures.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stratus.broker.routing.Fixtures.RecordingVisitor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class TopicTreeTest {

    private final TopicTree tree = new TopicTree();
    private final TestSubscriber alice = new TestSubscriber("alice");
    private final TestSubscriber bob = new TestSubscriber("bob");

    /** A subscriber with value equality, to show the tree compares subscribers by identity. */
    private record ValueSubscriber(String clientId, boolean isOnline) implements Subscriber {
    }

    // ---- subscribe ------------------------------------------------------------------------------

    @Test
    void firstSubscriptionToAFilterIsNew() {
        SubscribeResult result = tree.subscribe(subscription(alice, "a/b"));
        assertFalse(result.existed());
        assertNull(result.previous());
        assertEquals(1, tree.subscriptionCount());
    }

    @Test
    void resubscribingToTheSameFilterReplacesOptionsAndIdentifier() {
        // given alice subscribed to a/+ at QoS 0 with id 1
        Subscription first = subscription(alice, "a/+", 0, 1);
        tree.subscribe(first);
        // when she subscribes to a/+ again at QoS 2 with id 7
        Subscription second = subscription(alice, "a/+", 2, 7);
        SubscribeResult result = tree.subscribe(second);
        // then the old one is replaced, not added to [MQTT-3.8.4-3]
        assertTrue(result.existed());
        assertSame(first, result.previous());
        assertEquals(1, tree.subscriptionCount());
        assertEquals(List.of(second), match(tree, "a/x").subscriptions);
        assertEquals(List.of(second), tree.subscriptionsOf(alice));
    }

    @Test
    void resubscribingToASharedFilterReplacesTheMembership() {
        tree.subscribe(subscription(alice, "$share/g/a", 0, 1));
        Subscription replacement = subscription(alice, "$share/g/a", 1, 2);
        assertTrue(tree.subscribe(replacement).existed());
        assertEquals(1, tree.subscriptionCount());
        SharedGroup group = match(tree, "a").groups.get(0);
        assertEquals(List.of(replacement), group.members());
    }

    @Test
    void differentSubscribersToTheSameFilterAreKeptApart() {
        tree.subscribe(subscription(alice, "a/b"));
        assertFalse(tree.subscribe(subscription(bob, "a/b")).existed());
        assertEquals(2, tree.subscriptionCount());
        assertEquals(2, match(tree, "a/b").subscriptions.size());
    }

    @Test
    void subscribersAreComparedByIdentityNotEquality() {
        // given two distinct subscriber objects that are equal()
        Subscriber one = new ValueSubscriber("same", true);
        Subscriber two = new ValueSubscriber("same", true);
        tree.subscribe(subscription(one, "a"));
        // when the second subscribes to the same filter
        SubscribeResult result = tree.subscribe(subscription(two, "a"));
        // then both subscriptions exist
        assertFalse(result.existed());
        assertEquals(2, tree.subscriptionCount());
        assertTrue(tree.unsubscribe(one, "a"));
        List<Subscription> left = match(tree, "a").subscriptions;
        assertEquals(1, left.size());
        assertSame(two, left.get(0).subscriber());
    }

    @Test
    void sharedAndNonSharedSubscriptionsToTheSameFilterAreDistinct() {
        tree.subscribe(subscription(alice, "a"));
        assertFalse(tree.subscribe(subscription(alice, "$share/g/a")).existed());
        assertEquals(2, tree.subscriptionCount());
        RecordingVisitor visits = match(tree, "a");
        assertEquals(List.of("a"), visits.rawFilters());
        assertEquals(List.of("$share/g/a"), visits.groupFilters());
    }

    @Test
    void subscriptionsOfListsOneSubscriberInSubscriptionOrder() {
        Subscription one = subscription(alice, "x/#");
        Subscription two = subscription(alice, "$share/g/y");
        Subscription three = subscription(alice, "a");
        tree.subscribe(one);
        tree.subscribe(subscription(bob, "b"));
        tree.subscribe(two);
        tree.subscribe(three);
        assertEquals(List.of(one, two, three), tree.subscriptionsOf(alice));
        assertEquals(List.of(), tree.subscriptionsOf(new TestSubscriber("nobody")));
    }

    // ---- unsubscribe ------------------------------------------------------------------------------

    @Test
    void unsubscribeRemovesTheSubscriptionAndPrunesEveryNode() {
        // given one subscription four levels deep
        tree.subscribe(subscription(alice, "a/b/c/d"));
        assertEquals(4, tree.nodeCount());
        // when it is removed
        assertTrue(tree.unsubscribe(alice, "a/b/c/d"));
        // then nothing is left behind
        assertEquals(0, tree.subscriptionCount());
        assertEquals(0, tree.nodeCount());
        assertEquals(0, match(tree, "a/b/c/d").visits());
        assertEquals(List.of(), tree.subscriptionsOf(alice));
    }

    @Test
    void unsubscribeKeepsNodesOtherSubscriptionsStillNeed() {
        tree.subscribe(subscription(alice, "a/b/c"));
        tree.subscribe(subscription(bob, "a/b"));
        tree.subscribe(subscription(bob, "a/x"));
        tree.unsubscribe(alice, "a/b/c");
        // a, a/b, a/x remain
        assertEquals(3, tree.nodeCount());
        assertEquals(1, match(tree, "a/b").visits());
        assertEquals(1, match(tree, "a/x").visits());
    }

    @Test
    void unsubscribeOfAnUnknownFilterRemovesNothing() {
        tree.subscribe(subscription(alice, "a/+"));
        assertFalse(tree.unsubscribe(alice, "a/b"));
        assertFalse(tree.unsubscribe(bob, "a/+"));
        assertFalse(tree.unsubscribe(new TestSubscriber("alice"), "a/+"));
        assertEquals(1, tree.subscriptionCount());
    }

    @Test
    void unsubscribeComparesFiltersCharacterByCharacter() {
        // [MQTT-3.10.4-1] "a/#" does not remove "a/+", nor "$share/g/a" remove "a"
        tree.subscribe(subscription(alice, "a/+"));
        tree.subscribe(subscription(alice, "a"));
        assertFalse(tree.unsubscribe(alice, "a/#"));
        assertFalse(tree.unsubscribe(alice, "$share/g/a"));
        assertTrue(tree.unsubscribe(alice, "a/+"));
        assertEquals(List.of("a"), tree.subscriptionsOf(alice).stream().map(s -> s.filter().raw()).toList());
    }

    @Test
    void unsubscribeFromASharedGroupRemovesTheMemberAndTheEmptyGroup() {
        tree.subscribe(subscription(alice, "$share/g/a/b"));
        tree.subscribe(subscription(bob, "$share/g/a/b"));
        assertTrue(tree.unsubscribe(alice, "$share/g/a/b"));
        SharedGroup group = match(tree, "a/b").groups.get(0);
        assertEquals(List.of(bob), group.members().stream().map(Subscription::subscriber).toList());
        assertTrue(tree.unsubscribe(bob, "$share/g/a/b"));
        assertEquals(0, match(tree, "a/b").visits());
        assertEquals(0, tree.nodeCount());
        assertEquals(0, tree.subscriptionCount());
    }

    @Test
    void unsubscribeAllRemovesEverySubscriptionOfOneSubscriberOnly() {
        // given alice with plain, wildcard and shared subscriptions, and bob sharing some filters
        tree.subscribe(subscription(alice, "a/b"));
        tree.subscribe(subscription(alice, "a/#"));
        tree.subscribe(subscription(alice, "$share/g/a/b"));
        tree.subscribe(subscription(alice, "x/y/z"));
        tree.subscribe(subscription(bob, "a/b"));
        tree.subscribe(subscription(bob, "$share/g/a/b"));
        // when alice's session ends
        tree.unsubscribeAll(alice);
        // then only bob's remain, and alice's private branches are pruned
        assertEquals(2, tree.subscriptionCount());
        assertEquals(List.of(), tree.subscriptionsOf(alice));
        RecordingVisitor visits = match(tree, "a/b");
        assertEquals(List.of(bob), visits.subscriptions.stream().map(Subscription::subscriber).toList());
        assertEquals(List.of(bob), visits.groups.get(0).members().stream().map(Subscription::subscriber).toList());
        assertEquals(0, match(tree, "x/y/z").visits());
        assertEquals(2, tree.nodeCount()); // a, a/b
    }

    @Test
    void unsubscribeAllOfAnUnknownSubscriberChangesNothing() {
        tree.subscribe(subscription(alice, "a"));
        tree.unsubscribeAll(bob);
        assertEquals(1, tree.subscriptionCount());
    }

    @Test
    void churnLeavesNoNodesBehind() {
        for (int round = 0; round < 50; round++) {
            tree.subscribe(subscription(alice, "devices/" + round + "/+/temp"));
            tree.subscribe(subscription(bob, "$share/g" + round + "/devices/" + round + "/#"));
            tree.subscribe(subscription(bob, "/" + round + "//"));
        }
        assertEquals(150, tree.subscriptionCount());
        tree.unsubscribeAll(alice);
        tree.unsubscribeAll(bob);
        assertEquals(0, tree.subscriptionCount());
        assertEquals(0, tree.nodeCount());
    }

    // ---- match ----------------------------------------------------------------------------------

    @Test
    void matchVisitsExactAndWildcardSubscriptions() {
        tree.subscribe(subscription(alice, "sport/tennis/player1"));
        tree.subscribe(subscription(alice, "sport/tennis/+"));
        tree.subscribe(subscription(alice, "sport/#"));
        tree.subscribe(subscription(alice, "#"));
        tree.subscribe(subscription(alice, "+/+/+"));
        tree.subscribe(subscription(alice, "sport/tennis/player2"));
        tree.subscribe(subscription(alice, "sport/+"));
        tree.subscribe(subscription(alice, "sport/tennis/player1/#"));
        Set<String> matched = new HashSet<>(match(tree, "sport/tennis/player1").rawFilters());
        assertEquals(Set.of("sport/tennis/player1", "sport/tennis/+", "sport/#", "#", "+/+/+",
            "sport/tennis/player1/#"), matched);
    }

    @Test
    void multiLevelWildcardSubscriptionReceivesItsParentLevel() {
        tree.subscribe(subscription(alice, "sport/#"));
        tree.subscribe(subscription(bob, "sport/+"));
        assertEquals(List.of("sport/#"), match(tree, "sport").rawFilters());
        assertEquals(Set.of("sport/#", "sport/+"), new HashSet<>(match(tree, "sport/").rawFilters()));
    }

    @Test
    void singleLevelWildcardSubscriptionMatchesEmptyLevels() {
        tree.subscribe(subscription(alice, "+/+"));
        tree.subscribe(subscription(bob, "/+"));
        tree.subscribe(subscription(bob, "+"));
        assertEquals(Set.of("+/+", "/+"), new HashSet<>(match(tree, "/finance").rawFilters()));
        assertEquals(Set.of("+/+", "/+"), new HashSet<>(match(tree, "/").rawFilters()));
        assertEquals(List.of("+"), match(tree, "finance").rawFilters());
    }

    @Test
    void wildcardSubscriptionsDoNotReceiveDollarTopics() {
        // [MQTT-4.7.2-1]
        tree.subscribe(subscription(alice, "#"));
        tree.subscribe(subscription(alice, "+/monitor/Clients"));
        tree.subscribe(subscription(alice, "+/#"));
        tree.subscribe(subscription(alice, "$share/g/#"));
        assertEquals(0, match(tree, "$SYS/monitor/Clients").visits());
        assertEquals(0, match(tree, "$SYS").visits());
    }

    @Test
    void subscriptionsNamingTheDollarLevelReceiveDollarTopics() {
        tree.subscribe(subscription(alice, "#"));
        tree.subscribe(subscription(alice, "$SYS/#"));
        tree.subscribe(subscription(alice, "$SYS/monitor/+"));
        assertEquals(Set.of("$SYS/#", "$SYS/monitor/+"),
            new HashSet<>(match(tree, "$SYS/monitor/Clients").rawFilters()));
        assertEquals(List.of("$SYS/#"), match(tree, "$SYS").rawFilters());
        // a client wanting both has to subscribe to both
        assertEquals(List.of("#"), match(tree, "monitor/Clients").rawFilters());
    }

    @Test
    void overlappingSubscriptionsOfOneSubscriberAreVisitedSeparately() {
        // given alice's subscriptions overlap, each with its own QoS and identifier
        tree.subscribe(subscription(alice, "a/+", 0, 1));
        tree.subscribe(subscription(alice, "a/#", 2, 2));
        tree.subscribe(subscription(alice, "a/b", 1, 0));
        // when a/b is published
        RecordingVisitor visits = match(tree, "a/b");
        // then each is visited once, for the caller to merge [MQTT-3.3.4-2] [MQTT-3.3.4-3]
        assertEquals(3, visits.subscriptions.size());
        assertEquals(Set.of(0, 1, 2), new HashSet<>(visits.subscriptions.stream()
            .map(Subscription::subscriptionId).toList()));
        assertTrue(visits.subscriptions.stream().allMatch(s -> s.subscriber() == alice));
    }

    @Test
    void sharedGroupIsVisitedOncePerMatchWhateverItsSize() {
        for (int i = 0; i < 5; i++) {
            tree.subscribe(subscription(new TestSubscriber("m" + i), "$share/workers/jobs/+"));
        }
        RecordingVisitor visits = match(tree, "jobs/1");
        assertEquals(0, visits.subscriptions.size());
        assertEquals(1, visits.groups.size());
        SharedGroup group = visits.groups.get(0);
        assertEquals("workers", group.name());
        assertEquals(filter("$share/workers/jobs/+"), group.filter());
        assertEquals(5, group.members().size());
        assertEquals(5, tree.subscriptionCount());
    }

    @Test
    void eachGroupAndFilterPairIsVisitedOnce() {
        // given two groups on one filter, and one group name on two matching filters
        tree.subscribe(subscription(alice, "$share/g1/a/b"));
        tree.subscribe(subscription(bob, "$share/g2/a/b"));
        tree.subscribe(subscription(alice, "$share/g1/a/+"));
        tree.subscribe(subscription(bob, "$share/g1/a/+"));
        // then a/b visits three distinct groups, each once
        RecordingVisitor visits = match(tree, "a/b");
        assertEquals(3, visits.groups.size());
        assertEquals(Set.of("$share/g1/a/b", "$share/g2/a/b", "$share/g1/a/+"),
            new HashSet<>(visits.groupFilters()));
    }

    @Test
    void groupMembersAreASnapshot() {
        tree.subscribe(subscription(alice, "$share/g/a"));
        SharedGroup group = match(tree, "a").groups.get(0);
        List<Subscription> before = group.members();
        tree.subscribe(subscription(bob, "$share/g/a"));
        assertEquals(1, before.size());
        assertEquals(2, group.members().size());
    }

    @Test
    void matchOnAnEmptyTreeVisitsNothing() {
        assertEquals(0, match(tree, "a/b").visits());
        assertEquals(0, match(tree, "$SYS/x").visits());
    }

    @Test
    void matchHandlesFiltersAsDeepAsTheLengthLimitAllows() throws InvalidTopicException {
        // given the deepest filter 65,535 bytes can spell: 32,768 '+' levels, and a topic as deep
        String deepFilter = String.join("/", Collections.nCopies(32_768, "+"));
        String deepTopic = String.join("/", Collections.nCopies(32_768, "x"));
        tree.subscribe(new Subscription(alice, TopicFilter.parse(deepFilter, 65_535, 65_535),
            SubscriptionOptions.ofQos(0), 0));
        tree.subscribe(subscription(bob, "x/#"));
        // when the deep topic is matched, then the walk does not exhaust the thread's stack
        assertEquals(2, match(tree, deepTopic).visits());
        tree.unsubscribeAll(alice);
        assertEquals(2, tree.nodeCount());
    }

    @Test
    void matchAgreesWithTopicFilterMatchesForRandomFiltersAndTopics() {
        // given many random filters and topics over a tiny alphabet, so that they collide often
        Random random = new Random(42);
        String[] words = {"a", "b", "", "$x"};
        List<TopicFilter> filters = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            TopicFilter f = filter(randomFilter(random, words));
            if (filters.contains(f)) {
                continue;
            }
            filters.add(f);
            tree.subscribe(new Subscription(alice, f, SubscriptionOptions.ofQos(0), 0));
        }
        for (int i = 0; i < 500; i++) {
            String topic = randomTopic(random, words);
            // then the trie walk finds exactly what testing every filter finds
            Set<String> expected = new HashSet<>();
            filters.stream().filter(f -> f.matches(topic)).forEach(f -> expected.add(f.raw()));
            List<String> actual = match(tree, topic).rawFilters();
            assertEquals(expected, new HashSet<>(actual), topic);
            assertEquals(expected.size(), actual.size(), "no duplicates for " + topic);
        }
    }

    private static String randomFilter(Random random, String[] words) {
        int levels = 1 + random.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                sb.append('/');
            }
            int pick = random.nextInt(words.length + 2);
            if (pick == words.length + 1 && i == levels - 1) {
                sb.append('#');
            } else if (pick >= words.length) {
                sb.append('+');
            } else {
                sb.append(words[pick]);
            }
        }
        return sb.length() == 0 ? "+" : sb.toString();
    }

    private static String randomTopic(Random random, String[] words) {
        int levels = 1 + random.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(words[random.nextInt(words.length)]);
        }
        return sb.length() == 0 ? "a" : sb.toString();
    }
}
