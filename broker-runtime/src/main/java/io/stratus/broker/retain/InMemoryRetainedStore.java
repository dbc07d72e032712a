package io.stratus.broker.retain;

import io.stratus.broker.message.Message;
import io.stratus.broker.routing.TopicFilter;
import io.stratus.broker.routing.Topics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Retained messages in memory, in a trie with one node per topic level, so that a filter such as
 * {@code sensors/+/temp} is answered by walking the filter's levels rather than by testing every
 * retained topic.
 *
 * <p>Threading: {@link #match} takes no lock (except to delete expired messages it came across);
 * changes serialise on one lock per store, which keeps pruning safe. Nodes are fully built before
 * they are linked, and a node's message is a volatile reference to an immutable {@link Message}.
 */
public final class InMemoryRetainedStore implements RetainedStore {

    private static final String SINGLE_LEVEL = "+";
    private static final String MULTI_LEVEL = "#";

    private final int maxMessages;
    private final Node root = new Node(null, null);
    private final ReentrantLock writeLock = new ReentrantLock();

    // Written under writeLock, read without it.
    private volatile int size;
    private volatile long payloadBytes;
    private volatile long refused;

    /**
     * @param maxMessages the most retained messages the store keeps; a put for a topic without a
     *                    retained message is refused once there are this many. 0 refuses them all.
     */
    public InMemoryRetainedStore(int maxMessages) {
        if (maxMessages < 0) {
            throw new IllegalArgumentException("maxMessages must not be negative: " + maxMessages);
        }
        this.maxMessages = maxMessages;
    }

    @Override
    public boolean put(Message message) {
        Objects.requireNonNull(message, "message");
        String[] levels = Topics.splitLevels(message.topic());
        boolean delete = message.payload() == null || message.payload().length == 0;
        writeLock.lock();
        try {
            Node existing = find(levels);
            if (delete) {
                // [MQTT-3.3.1-6] removes the retained message; [MQTT-3.3.1-7] and is not stored itself
                if (existing != null && existing.message != null) {
                    clear(existing);
                }
                return true;
            }
            boolean isNew = existing == null || existing.message == null;
            if (isNew && size >= maxMessages) {
                refused++;
                return false;
            }
            Node node = existing != null ? existing : create(levels);
            Message previous = node.message;
            // [MQTT-3.3.1-5] replaces any message retained for this topic
            node.message = message;
            payloadBytes += message.payload().length - payloadLength(previous);
            if (previous == null) {
                size++;
            }
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public List<Message> match(TopicFilter filter, long nowMillis) {
        Objects.requireNonNull(filter, "filter");
        Collector collector = new Collector(nowMillis);
        collect(root, filter.levels(), collector);
        if (collector.expired != null) {
            removeIfStillExpired(collector.expired, nowMillis);
        }
        return collector.found;
    }

    @Override
    public int removeExpired(long nowMillis) {
        writeLock.lock();
        try {
            List<Node> expired = new ArrayList<>();
            ArrayDeque<Node> pending = new ArrayDeque<>(root.children.values());
            while (!pending.isEmpty()) {
                Node node = pending.pop();
                Message message = node.message;
                if (message != null && message.isExpired(nowMillis)) {
                    expired.add(node);
                }
                pending.addAll(node.children.values());
            }
            // Cleared after the traversal: pruning while it runs would unlink nodes still queued.
            for (Node node : expired) {
                clear(node);
            }
            return expired.size();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long payloadBytes() {
        return payloadBytes;
    }

    @Override
    public long refusedCount() {
        return refused;
    }

    /** @return the number of trie nodes below the root; 0 once the store is empty */
    int nodeCount() {
        int count = 0;
        ArrayDeque<Node> pending = new ArrayDeque<>(root.children.values());
        while (!pending.isEmpty()) {
            count++;
            pending.addAll(pending.pop().children.values());
        }
        return count;
    }

    /** Walks the trie along the filter's levels; iterative, as filters can be deeper than a thread's stack. */
    private static void collect(Node root, List<String> levels, Collector collector) {
        ArrayDeque<Frame> pending = new ArrayDeque<>();
        pending.push(new Frame(root, 0));
        while (!pending.isEmpty()) {
            Frame frame = pending.pop();
            Node node = frame.node();
            int depth = frame.depth();
            if (depth == levels.size()) {
                collector.take(node);
                continue;
            }
            String level = levels.get(depth);
            if (level.equals(MULTI_LEVEL)) {
                // '#' includes the parent level: "sport/#" returns "sport" too [MQTT-4.7.1-1]
                collector.take(node);
                collectSubtrees(node, depth == 0, collector);
            } else if (level.equals(SINGLE_LEVEL)) {
                for (Node child : node.children.values()) {
                    if (depth == 0 && isDollar(child.level)) {
                        continue; // [MQTT-4.7.2-1]
                    }
                    pending.push(new Frame(child, depth + 1));
                }
            } else {
                Node child = node.children.get(level);
                if (child != null) {
                    pending.push(new Frame(child, depth + 1));
                }
            }
        }
    }

    /** Everything below {@code node}, iteratively because a subtree can be as deep as the longest topic. */
    private static void collectSubtrees(Node node, boolean atRoot, Collector collector) {
        ArrayDeque<Node> pending = new ArrayDeque<>();
        for (Node child : node.children.values()) {
            if (atRoot && isDollar(child.level)) {
                continue; // [MQTT-4.7.2-1] "#" does not return $SYS/... and other $ topics
            }
            pending.push(child);
        }
        while (!pending.isEmpty()) {
            Node next = pending.pop();
            collector.take(next);
            for (Node child : next.children.values()) {
                pending.push(child);
            }
        }
    }

    private static boolean isDollar(String level) {
        return !level.isEmpty() && level.charAt(0) == '$';
    }

    private void removeIfStillExpired(List<Node> nodes, long nowMillis) {
        writeLock.lock();
        try {
            for (Node node : nodes) {
                Message message = node.message;
                // A put may have replaced it since, or a concurrent match removed it already. A node
                // that has been unlinked always has a null message, as only empty nodes are pruned.
                if (message != null && message.isExpired(nowMillis)) {
                    clear(node);
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Caller holds the lock. */
    private Node find(String[] levels) {
        Node node = root;
        for (String level : levels) {
            node = node.children.get(level);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /** Caller holds the lock. */
    private Node create(String[] levels) {
        Node node = root;
        for (String level : levels) {
            Node child = node.children.get(level);
            if (child == null) {
                child = new Node(level, node);
                node.children.put(level, child);
            }
            node = child;
        }
        return node;
    }

    /** Deletes the node's message and unlinks the nodes left empty. Caller holds the lock. */
    private void clear(Node node) {
        Message previous = node.message;
        if (previous == null) {
            return;
        }
        node.message = null;
        size--;
        payloadBytes -= payloadLength(previous);
        while (node != root && node.message == null && node.children.isEmpty()) {
            node.parent.children.remove(node.level, node);
            node = node.parent;
        }
    }

    private static int payloadLength(Message message) {
        return message == null || message.payload() == null ? 0 : message.payload().length;
    }

    @Override
    public String toString() {
        return "InMemoryRetainedStore[size=" + size + ", max=" + maxMessages + "]";
    }

    /** One topic level; holds the message retained for the topic its path spells, if any. */
    private static final class Node {
        final String level;
        final Node parent;
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>();
        volatile Message message;

        Node(String level, Node parent) {
            this.level = level;
            this.parent = parent;
        }
    }

    private record Frame(Node node, int depth) {
    }

    /** The results of one match, and the expired messages it came across. */
    private static final class Collector {
        final long nowMillis;
        final List<Message> found = new ArrayList<>();
        List<Node> expired;

        Collector(long nowMillis) {
            this.nowMillis = nowMillis;
        }

        void take(Node node) {
            Message message = node.message;
            if (message == null) {
                return;
            }
            if (message.isExpired(nowMillis)) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(node);
            } else {
                found.add(message);
            }
        }
    }
}
