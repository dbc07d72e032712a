package io.stratus.sdk.hook;

import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.message.PublishPacket;

import java.util.concurrent.CompletionStage;

/**
 * Sees every message just before it is delivered to one subscriber of the tenant, and may change or
 * drop it for that subscriber alone: redact fields a subscriber may not see, translate a payload for
 * an old device, or drop it. Register one with
 * {@link io.stratus.sdk.PluginContext#registerOutboundDeliveryHook(OutboundDeliveryHook)}.
 *
 * <p>The packet is what the subscriber would receive: the QoS is already the lower of the published
 * and the granted QoS, and the RETAIN flag follows the subscription's options. A replacement's QoS
 * cannot exceed the granted QoS (the broker lowers it). Messages a plugin publishes through
 * {@link io.stratus.sdk.service.MessagePublisher} pass through this hook too.
 *
 * <p><b>Timeout and fallback.</b> The broker waits for the returned stage for the tenant's hook timeout
 * (1 second unless the tenant configures another). If it does not complete in time, completes
 * exceptionally, is null, or the method throws, the message is delivered
 * {@linkplain MessageDecision#pass() unchanged}, and the failure is counted and logged with the
 * tenant and plugin. Deliveries to one subscriber stay in order while a hook works on them.
 *
 * <p><b>Threads.</b> Called concurrently for different subscribers on the broker's threads, which must
 * not block. Must be thread-safe.
 *
 * @since 1.0
 */
@FunctionalInterface
public interface OutboundDeliveryHook {

    /**
     * Decides what a subscriber receives of a message.
     *
     * @param receiver the subscriber
     * @param packet   the message as it would be delivered, or as the previous plugin's hook passed it on
     * @return a stage completing with pass, replace or drop
     * @since 1.0
     */
    CompletionStage<MessageDecision> onDeliver(ClientIdentity receiver, PublishPacket packet);
}
