package io.stratus.broker.routing;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The members of one shared subscription: one share name with one topic filter
 * ({@code $share/{name}/{filter}}). Each matching message goes to one member only (MQTT 5.0 §4.8.2).
 *
 * <p>Reads are lock-free: the member array is replaced, never modified, and only the owning
 * {@link TopicTree} replaces it, under its write lock.
 */
public final class SharedGroup {

    private static final Subscription[] NONE = new Subscription[0];

    private final String name;
    private final TopicFilter filter;
    private final AtomicInteger cursor = new AtomicInteger();
    private volatile Subscription[] members = NONE;

    SharedGroup(String name, TopicFilter filter) {
        this.name = name;
        this.filter = filter;
    }

    /** @return the share name */
    public String name() {
        return name;
    }

    /** @return the filter, including its {@code $share/{name}/} prefix */
    public TopicFilter filter() {
        return filter;
    }

    /** @return the members at the time of the call, in the order they joined */
    public List<Subscription> members() {
        return List.of(members);
    }

    /**
     * Chooses the member to deliver the next message to: round robin, skipping members whose
     * subscriber is offline so that messages do not pile up in a disconnected session while
     * others could take them. If every member is offline, one is still chosen, round robin,
     * because the message must go to some session of the group.
     *
     * @return a member, or null if the group has none (its last member left after the match)
     */
    public Subscription pick() {
        Subscription[] snapshot = members;
        int n = snapshot.length;
        if (n == 0) {
            return null;
        }
        int base = cursor.getAndIncrement();
        for (int i = 0; i < n; i++) {
            Subscription candidate = snapshot[Math.floorMod(base + i, n)];
            if (candidate.subscriber().isOnline()) {
                if (i > 0) {
                    // Skip past the offline members too, so that the next pick starts after this one
                    // instead of landing on the same online member again. Losing the race is harmless.
                    cursor.compareAndSet(base + 1, base + i + 1);
                }
                return candidate;
            }
        }
        return snapshot[Math.floorMod(base, n)];
    }

    /** @return the number of members */
    int size() {
        return members.length;
    }

    boolean isEmpty() {
        return members.length == 0;
    }

    /** Adds a member, or replaces the same subscriber's one in place. Caller holds the tree's write lock. */
    Subscription addOrReplace(Subscription subscription) {
        Subscription[] current = members;
        for (int i = 0; i < current.length; i++) {
            if (current[i].subscriber() == subscription.subscriber()) {
                Subscription[] next = current.clone();
                next[i] = subscription;
                members = next;
                return current[i];
            }
        }
        Subscription[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = subscription;
        members = next;
        return null;
    }

    /** Removes the subscriber's membership. Caller holds the tree's write lock. */
    boolean remove(Subscriber subscriber) {
        Subscription[] current = members;
        for (int i = 0; i < current.length; i++) {
            if (current[i].subscriber() == subscriber) {
                Subscription[] next = new Subscription[current.length - 1];
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                members = current.length == 1 ? NONE : next;
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "SharedGroup[" + filter.raw() + ", members=" + members.length + "]";
    }
}
