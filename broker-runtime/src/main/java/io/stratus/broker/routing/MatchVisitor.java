package io.stratus.broker.routing;

/**
 * Receives the subscriptions that match a topic name, from {@link TopicTree#match}. Called on the
 * thread that calls {@code match}, in no particular order.
 *
 * <p>A subscriber whose subscriptions overlap (say {@code a/+} and {@code a/#}) is visited once per
 * matching subscription. The caller merges them: a single delivery at the highest granted QoS
 * carrying every subscription identifier [MQTT-3.3.4-2] [MQTT-3.3.4-3] [MQTT-3.3.4-4], or one
 * delivery per subscription [MQTT-3.3.4-5].
 */
public interface MatchVisitor {

    /** A non-shared subscription whose filter matches. */
    void onSubscription(Subscription subscription);

    /**
     * A shared group with at least one member whose filter matches; called once per (share name,
     * filter) pair. The caller picks one member with {@link SharedGroup#pick()}.
     */
    void onSharedGroup(SharedGroup group);
}
