package io.stratus.broker.session;

import io.stratus.broker.message.Message;
import io.stratus.broker.routing.SharedGroup;

/**
 * A message on its way to one session: the shared message plus what this subscriber's matching
 * subscriptions decided for it.
 *
 * @param message         the message (shared, immutable)
 * @param qos             the QoS to deliver at: min(published QoS, granted QoS) [MQTT-3.8.4-8]
 * @param retain          the RETAIN flag to deliver with
 * @param subscriptionIds identifiers of every matching subscription that has one [MQTT-3.3.4-3]
 * @param sharedGroup     the shared subscription group it was routed through, or null
 */
public record Delivery(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup sharedGroup) {

    static final int[] NO_IDS = new int[0];

    /** @return the number of payload bytes this delivery holds while queued */
    long weight() {
        return message.payload().length;
    }
}
