package io.stratus.broker.routing;

/**
 * The options of one subscription. [MQTT-3.8.3.1]
 *
 * @param qos               the maximum QoS granted (0, 1, 2)
 * @param noLocal           do not deliver the subscriber's own publications
 * @param retainAsPublished keep the RETAIN flag as published when forwarding
 * @param retainHandling    0: send retained on subscribe; 1: only if the subscription is new; 2: never
 */
public record SubscriptionOptions(int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {

    public static SubscriptionOptions ofQos(int qos) {
        return new SubscriptionOptions(qos, false, false, 0);
    }
}
