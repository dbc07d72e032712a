package io.stratus.broker.routing;

/**
 * The outcome of {@link TopicTree#subscribe}. The session needs it for Retain Handling 1, which
 * sends retained messages only when the subscription did not exist before. [MQTT-3.3.1-10]
 *
 * @param previous the subscription that was replaced, or null if the subscription is new
 */
public record SubscribeResult(Subscription previous) {

    /** @return true if a subscription of the same subscriber to the same filter was replaced */
    public boolean existed() {
        return previous != null;
    }
}
