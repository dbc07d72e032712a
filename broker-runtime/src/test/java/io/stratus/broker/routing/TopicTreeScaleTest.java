package io.stratus.broker.routing;

import static io.stratus.broker.routing.Fixtures.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stratus.broker.routing.Fixtures.RecordingVisitor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Shows with counts, not timings, that matching walks the topic's path through the trie instead of
 * testing every subscription.
 */
class TopicTreeScaleTest {

    private static final int DEVICES = 100_000;

    @Test
    void matchAmongAHundredThousandSubscriptionsVisitsOnlyTheMatchingOnes() {
        // given 100,000 devices each subscribed to its own command topic, plus a few wildcard
        // subscriptions and a shared group
        TopicTree tree = new TopicTree();
        List<TestSubscriber> devices = new ArrayList<>(DEVICES);
        for (int i = 0; i < DEVICES; i++) {
            TestSubscriber device = new TestSubscriber("device-" + i);
            devices.add(device);
            tree.subscribe(subscription(device, "devices/" + i + "/commands"));
        }
        TestSubscriber monitor = new TestSubscriber("monitor");
        tree.subscribe(subscription(monitor, "devices/+/commands"));
        tree.subscribe(subscription(monitor, "devices/#"));
        tree.subscribe(subscription(monitor, "other/#"));
        tree.subscribe(subscription(monitor, "$share/audit/devices/+/commands"));
        tree.subscribe(subscription(new TestSubscriber("auditor-2"), "$share/audit/devices/+/commands"));
        assertEquals(DEVICES + 5, tree.subscriptionCount());
        int nodes = tree.nodeCount();
        assertTrue(nodes > DEVICES * 2, "nodes: " + nodes);

        // when one device's topic is published
        RecordingVisitor visits = new RecordingVisitor();
        int looked = tree.matchCountingNodes("devices/42/commands", visits);

        // then only its own subscription, the two matching wildcards and the group are visited
        Set<String> filters = new HashSet<>(visits.rawFilters());
        assertEquals(Set.of("devices/42/commands", "devices/+/commands", "devices/#"), filters);
        assertEquals(3, visits.subscriptions.size());
        assertEquals(1, visits.groups.size());
        assertEquals(2, visits.groups.get(0).members().size());
        // and the walk looked at a handful of nodes, not at the 200,000 in the trie:
        // root, devices, devices/#, devices/+, devices/+/commands, devices/42, devices/42/commands
        assertEquals(7, looked);
    }

    @Test
    void matchOfATopicNobodySubscribedToLooksAtAlmostNothing() {
        TopicTree tree = new TopicTree();
        for (int i = 0; i < DEVICES; i++) {
            tree.subscribe(subscription(new TestSubscriber("d" + i), "devices/" + i + "/commands"));
        }
        RecordingVisitor visits = new RecordingVisitor();
        int looked = tree.matchCountingNodes("devices/unknown/commands", visits);
        assertEquals(0, visits.visits());
        assertEquals(2, looked); // root and devices
    }

    @Test
    void removingAHundredThousandSubscriptionsEmptiesTheTrie() {
        TopicTree tree = new TopicTree();
        List<TestSubscriber> devices = new ArrayList<>(DEVICES);
        for (int i = 0; i < DEVICES; i++) {
            TestSubscriber device = new TestSubscriber("d" + i);
            devices.add(device);
            tree.subscribe(subscription(device, "devices/" + i + "/commands"));
            tree.subscribe(subscription(device, "broadcast/#"));
        }
        assertEquals(2 * DEVICES, tree.subscriptionCount());
        assertEquals(DEVICES, Fixtures.match(tree, "broadcast/x").visits());
        devices.forEach(tree::unsubscribeAll);
        assertEquals(0, tree.subscriptionCount());
        assertEquals(0, tree.nodeCount());
    }
}
