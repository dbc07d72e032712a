package io.stratus.broker.routing;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The subscriptions of one tenant, in a trie with one node per filter level, so that routing a
 * message costs time in proportion to the topic's depth and the number of matches, not to the
 * number of subscriptions.
 *
 * <p>Threading: {@link #match} runs on many threads at once and takes no lock; it reads
 * {@link ConcurrentHashMap}s and immutable arrays only. Changes are far rarer than matches, so
 * they take one lock per tree; that makes pruning safe, since no other change can add to a node
 * while it is being unlinked. Nodes are fully built before they are linked, so a concurrent match
 * sees a node either not at all or complete; it may or may not see a subscription that is being
 * added or removed at the same moment.
 */
public final class TopicTree {

    private final Node root = new Node(null, null);
    private final ReentrantLock writeLock = new ReentrantLock();

    /**
     * Every subscription by subscriber and raw filter: lets unsubscribeAll go straight to the
     * subscriber's nodes instead of searching the trie. Guarded by {@link #writeLock}.
     */
    private final Map<SubscriberKey, Map<String, Subscription>> bySubscriber = new HashMap<>();

    /** Written under {@link #writeLock}; read without it. */
    private volatile int subscriptionCount;

    /**
     * Adds a subscription, or replaces the subscriber's subscription to the identical filter
     * (the same raw string, share prefix included) with its new options and identifier.
     * [MQTT-3.8.4-3]
     *
     * @param subscription the subscription; its subscriber is compared by identity
     * @return whether it replaced an existing one
     */
    public SubscribeResult subscribe(Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(subscription.subscriber(), "subscription.subscriber");
        TopicFilter filter = Objects.requireNonNull(subscription.filter(), "subscription.filter");
        SubscriberKey key = new SubscriberKey(subscription.subscriber());
        writeLock.lock();
        try {
            Node node = root;
            for (String level : filter.levelArray()) {
                Node child = node.children.get(level);
                if (child == null) {
                    child = new Node(level, node);
                    node.children.put(level, child);
                }
                node = child;
            }
            if (filter.isShared()) {
                SharedGroup group = node.sharedGroupsForWrite()
                    .computeIfAbsent(filter.shareGroup(), name -> new SharedGroup(name, filter));
                group.addOrReplace(subscription);
            } else {
                node.subscriptions.put(key, subscription);
            }
            Subscription previous = bySubscriber.computeIfAbsent(key, k -> new LinkedHashMap<>())
                .put(filter.raw(), subscription);
            if (previous == null) {
                subscriptionCount++;
            }
            return new SubscribeResult(previous);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Removes the subscriber's subscription whose filter is exactly {@code rawFilter}, compared
     * character by character, wildcards included. [MQTT-3.10.4-1]
     *
     * @return true if a subscription was removed
     */
    public boolean unsubscribe(Subscriber subscriber, String rawFilter) {
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(rawFilter, "rawFilter");
        SubscriberKey key = new SubscriberKey(subscriber);
        writeLock.lock();
        try {
            Map<String, Subscription> own = bySubscriber.get(key);
            if (own == null) {
                return false;
            }
            Subscription removed = own.remove(rawFilter);
            if (removed == null) {
                return false;
            }
            if (own.isEmpty()) {
                bySubscriber.remove(key);
            }
            removeFromTrie(key, removed);
            subscriptionCount--;
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /** Removes every subscription of the subscriber, for when its session ends. */
    public void unsubscribeAll(Subscriber subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        SubscriberKey key = new SubscriberKey(subscriber);
        writeLock.lock();
        try {
            Map<String, Subscription> own = bySubscriber.remove(key);
            if (own == null) {
                return;
            }
            for (Subscription subscription : own.values()) {
                removeFromTrie(key, subscription);
            }
            subscriptionCount -= own.size();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Visits every subscription whose filter matches the topic name: each non-shared one, and
     * each shared group once. Lock-free.
     *
     * @param topicName a valid topic name (see {@link Topics#validateTopicName})
     * @param visitor   receives the matches
     */
    public void match(String topicName, MatchVisitor visitor) {
        matchCountingNodes(topicName, visitor);
    }

    /** {@link #match}, returning how many trie nodes it looked at, so tests can show it does not scan. */
    int matchCountingNodes(String topicName, MatchVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        // One split per publish, shared by every branch of the walk; the exact-child look-ups need
        // String keys anyway.
        String[] levels = Topics.splitLevels(topicName);
        return walk(root, levels, visitor);
    }

    /** @return the number of subscriptions, shared-group members included */
    public int subscriptionCount() {
        return subscriptionCount;
    }

    /** @return the subscriber's subscriptions, in the order first subscribed; a snapshot */
    public List<Subscription> subscriptionsOf(Subscriber subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        writeLock.lock();
        try {
            Map<String, Subscription> own = bySubscriber.get(new SubscriberKey(subscriber));
            return own == null ? List.of() : List.copyOf(own.values());
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Counts by walking the whole trie under no lock, so for tests and diagnostics, not for hot paths.
     *
     * @return the number of trie nodes below the root; 0 once every subscription is gone
     */
    public int nodeCount() {
        int count = 0;
        ArrayDeque<Node> pending = new ArrayDeque<>(root.children.values());
        while (!pending.isEmpty()) {
            count++;
            pending.addAll(pending.pop().children.values());
        }
        return count;
    }

    /** Caller holds the write lock. */
    private void removeFromTrie(SubscriberKey key, Subscription subscription) {
        TopicFilter filter = subscription.filter();
        Node node = root;
        for (String level : filter.levelArray()) {
            node = node.children.get(level);
            if (node == null) {
                throw new IllegalStateException("subscription index and trie disagree on " + filter.raw());
            }
        }
        if (filter.isShared()) {
            ConcurrentHashMap<String, SharedGroup> groups = node.sharedGroups;
            SharedGroup group = groups == null ? null : groups.get(filter.shareGroup());
            if (group != null) {
                group.remove(key.subscriber);
                if (group.isEmpty()) {
                    groups.remove(filter.shareGroup(), group);
                }
            }
        } else {
            node.subscriptions.remove(key);
        }
        prune(node);
    }

    /**
     * Unlinks empty nodes from the bottom up, so that a tree with churning subscriptions does not
     * keep every filter it ever saw. Caller holds the write lock.
     */
    private void prune(Node node) {
        while (node != root && node.isEmpty()) {
            node.parent.children.remove(node.level, node);
            node = node.parent;
        }
    }

    /**
     * Depth-first over the trie along the topic's levels: at each node the exact child, the
     * {@code +} child and the {@code #} child. Iterative with an explicit stack, because the depth
     * is as large as the configured level limit allows, which can exceed a thread's stack.
     *
     * @return the number of nodes looked at
     */
    private static int walk(Node root, String[] levels, MatchVisitor visitor) {
        // Each expanded node leaves at most one sibling behind per level, so levels + 2 slots suffice.
        Node[] stackNodes = new Node[levels.length + 2];
        int[] stackDepths = new int[levels.length + 2];
        int top = 0;
        stackNodes[top++] = root;
        int looked = 0;
        while (top > 0) {
            top--;
            Node node = stackNodes[top];
            int depth = stackDepths[top];
            looked++;
            if (depth == levels.length) {
                visit(node, visitor);
                // "sport/#" matches "sport": '#' includes the parent level [MQTT-4.7.1-1]
                Node multi = node.children.get(Topics.MULTI_LEVEL);
                if (multi != null) {
                    looked++;
                    visit(multi, visitor);
                }
                continue;
            }
            String level = levels[depth];
            // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with '$'
            boolean wildcardsApply = depth > 0 || level.isEmpty() || level.charAt(0) != '$';
            if (wildcardsApply) {
                Node multi = node.children.get(Topics.MULTI_LEVEL);
                if (multi != null) {
                    looked++;
                    visit(multi, visitor);
                }
                Node single = node.children.get(Topics.SINGLE_LEVEL);
                if (single != null) {
                    stackNodes[top] = single;
                    stackDepths[top++] = depth + 1;
                }
            }
            // A topic name never has a wildcard level; if an unvalidated one does, do not visit the
            // wildcard nodes a second time as if they were exact matches.
            if (!isWildcard(level)) {
                Node exact = node.children.get(level);
                if (exact != null) {
                    stackNodes[top] = exact;
                    stackDepths[top++] = depth + 1;
                }
            }
        }
        return looked;
    }

    private static boolean isWildcard(String level) {
        return level.equals(Topics.MULTI_LEVEL) || level.equals(Topics.SINGLE_LEVEL);
    }

    private static void visit(Node node, MatchVisitor visitor) {
        if (!node.subscriptions.isEmpty()) {
            for (Subscription subscription : node.subscriptions.values()) {
                visitor.onSubscription(subscription);
            }
        }
        ConcurrentHashMap<String, SharedGroup> groups = node.sharedGroups;
        if (groups != null && !groups.isEmpty()) {
            for (SharedGroup group : groups.values()) {
                // A group can be momentarily empty between losing its last member and being unlinked.
                if (!group.isEmpty()) {
                    visitor.onSharedGroup(group);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "TopicTree[subscriptions=" + subscriptionCount + "]";
    }

    /** One filter level. Its path from the root spells exactly one filter, so it holds that filter's subscriptions. */
    private static final class Node {
        final String level;
        final Node parent;
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>();
        final ConcurrentHashMap<SubscriberKey, Subscription> subscriptions = new ConcurrentHashMap<>();
        /** Null until the first shared subscription: most nodes never have one. */
        volatile ConcurrentHashMap<String, SharedGroup> sharedGroups;

        Node(String level, Node parent) {
            this.level = level;
            this.parent = parent;
        }

        /** Caller holds the write lock. */
        ConcurrentHashMap<String, SharedGroup> sharedGroupsForWrite() {
            ConcurrentHashMap<String, SharedGroup> groups = sharedGroups;
            if (groups == null) {
                groups = new ConcurrentHashMap<>();
                sharedGroups = groups;
            }
            return groups;
        }

        boolean isEmpty() {
            ConcurrentHashMap<String, SharedGroup> groups = sharedGroups;
            return children.isEmpty() && subscriptions.isEmpty() && (groups == null || groups.isEmpty());
        }
    }

    /** A subscriber compared by identity, whatever its own equals says: two sessions may share a client id. */
    private static final class SubscriberKey {
        final Subscriber subscriber;
        private final int hash;

        SubscriberKey(Subscriber subscriber) {
            this.subscriber = subscriber;
            this.hash = System.identityHashCode(subscriber);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SubscriberKey other && other.subscriber == subscriber;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
