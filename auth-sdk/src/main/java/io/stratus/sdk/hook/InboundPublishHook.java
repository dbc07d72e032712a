package io.stratus.sdk.hook;

import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.message.PublishPacket;

import java.util.concurrent.CompletionStage;

/**
 * Sees every message a client of the tenant publishes, after the publish was authorized and before
 * it is routed to subscribers and retained, and may change or drop it: enrich the payload, move it
 * to another topic, add user properties, lower its QoS, or drop it with a reason. Register one with
 * {@link io.stratus.sdk.PluginContext#registerInboundPublishHook(InboundPublishHook)}.
 *
 * <p>A dropped QoS 1 or 2 message is acknowledged to an MQTT 5 publisher with reason code 0x83
 * (Implementation specific error: the PUBLISH is valid but the server does not accept it), so the
 * publisher knows it was not delivered; MQTT 3.1.1 has no way to say so, and its publisher gets an
 * ordinary acknowledgement. A replacement is not authorized again, and cannot leave the tenant's
 * namespace; one whose topic the tenant's clients could not publish to (one of the broker's
 * {@code $} topics, or beyond the broker's topic limits) counts as a failure of the hook and the
 * message goes on as it was.
 *
 * <p><b>Timeout and fallback.</b> The broker waits for the returned stage for the tenant's hook timeout
 * (1 second unless the tenant configures another). If it does not complete in time, completes
 * exceptionally, is null, or the method throws, the message goes on
 * {@linkplain MessageDecision#pass() unchanged}, and the failure is counted and logged with the tenant
 * and plugin. Messages from one client stay in order while a hook works on them.
 *
 * <p><b>Threads.</b> Called concurrently for different publishers on the broker's threads, which must
 * not block. Must be thread-safe.
 *
 * @since 1.0
 */
@FunctionalInterface
public interface InboundPublishHook {

    /**
     * Decides what becomes of a published message.
     *
     * @param sender the publishing client
     * @param packet the message as published, or as the previous plugin's hook passed it on
     * @return a stage completing with pass, replace or drop
     * @since 1.0
     */
    CompletionStage<MessageDecision> onPublish(ClientIdentity sender, PublishPacket packet);
}
