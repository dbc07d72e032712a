package io.stratus.broker.routing;

/**
 * One subscription of one subscriber to one filter.
 *
 * @param subscriber     who receives
 * @param filter         the parsed filter, including its share group if any
 * @param options        the subscription options
 * @param subscriptionId the MQTT 5 Subscription Identifier, or 0 for none
 */
public record Subscription(Subscriber subscriber, TopicFilter filter, SubscriptionOptions options,
                           int subscriptionId) {
}
