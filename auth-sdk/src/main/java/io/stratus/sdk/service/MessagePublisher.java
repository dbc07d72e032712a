package io.stratus.sdk.service;

import io.stratus.sdk.annotation.DoNotImplement;
import io.stratus.sdk.message.PublishPacket;

import java.util.concurrent.CompletionStage;

/**
 * Publishes messages into the plugin's tenant, as if a client of the tenant had published them: to
 * answer a request, forward an alert, or publish a device's state on its behalf.
 *
 * <p>Such messages are routed to the tenant's matching subscribers and retained if flagged. They are
 * not checked against ACLs and do not pass the tenant's {@link io.stratus.sdk.hook.InboundPublishHook}s
 * (so a hook that publishes cannot loop on its own messages), but do pass the
 * {@link io.stratus.sdk.hook.OutboundDeliveryHook}s on their way to each subscriber.
 *
 * <p>Thread-safe; never blocks.
 *
 * @since 1.0
 */
@DoNotImplement
public interface MessagePublisher {

    /**
     * Publishes a message to the tenant's subscribers.
     *
     * @param packet the message; its topic is relative to the tenant's namespace
     * @return a stage that completes when the broker has routed the message (queued for every matching
     *     subscriber, and retained if flagged), or completes exceptionally with an
     *     {@link IllegalStateException} after the plugin was stopped, or a
     *     {@link java.util.concurrent.RejectedExecutionException} if the tenant's message rate or queue
     *     limits refuse it
     * @throws NullPointerException if {@code packet} is null
     * @since 1.0
     */
    CompletionStage<Void> publish(PublishPacket packet);
}
