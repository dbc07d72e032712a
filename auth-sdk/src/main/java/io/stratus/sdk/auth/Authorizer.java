package io.stratus.sdk.auth;

import io.stratus.sdk.client.ClientIdentity;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether an authenticated client may publish to a topic or subscribe to a topic filter.
 * Both methods default to {@link AclResult#next()}, so an authorizer implements only the one it
 * cares about:
 * <pre>{@code
 * context.registerAuthorizer(new Authorizer() {
 *     public CompletionStage<AclResult> authorizePublish(ClientIdentity client, PublishRequest publish) {
 *         boolean own = publish.topic().startsWith("devices/" + client.clientId() + "/");
 *         return CompletableFuture.completedStage(own ? AclResult.allow() : AclResult.deny("not its own topic"));
 *     }
 * });
 * }</pre>
 * Register one with {@link io.stratus.sdk.PluginContext#registerAuthorizer(Authorizer)}.
 *
 * <p>The tenant's own policies and every plugin's authorizer are asked; a deny from any of them wins,
 * and at least one must allow. A denied publish is refused as the client's MQTT version allows (with
 * reason code 0x87, Not authorized, where MQTT 5 has an acknowledgement to carry it); a denied
 * subscription is answered with 0x87 (MQTT 5) or 0x80 (MQTT 3.1.1) in the SUBACK.
 *
 * <p><b>Timeout and fallback.</b> The broker waits for the returned stage for the tenant's
 * authorization timeout (2 seconds unless the tenant configures another). If it does not complete in
 * time, completes exceptionally, is null, or the method throws, the broker treats the answer as
 * {@link AclResult#deny()}, counts the failure and logs it with the tenant and plugin. While it waits,
 * the client's later packets wait too, since MQTT keeps a client's messages in order.
 *
 * <p><b>Threads.</b> Called concurrently for different clients on the broker's threads, which must not
 * block: answer from memory with a completed stage, or complete the stage later from the plugin's
 * own executor. Must be thread-safe.
 *
 * @since 1.0
 */
public interface Authorizer {

    /**
     * Decides on a PUBLISH, or on a Will message when the client connects.
     *
     * @param client  the publishing client
     * @param publish the topic, QoS and RETAIN flag
     * @return a stage completing with allow, deny or next; the default completes with next
     * @since 1.0
     */
    default CompletionStage<AclResult> authorizePublish(ClientIdentity client, PublishRequest publish) {
        return CompletableFuture.completedStage(AclResult.next());
    }

    /**
     * Decides on one topic filter of a SUBSCRIBE.
     *
     * @param client    the subscribing client
     * @param subscribe the topic filter and requested QoS
     * @return a stage completing with allow, deny or next; the default completes with next
     * @since 1.0
     */
    default CompletionStage<AclResult> authorizeSubscribe(ClientIdentity client, SubscribeRequest subscribe) {
        return CompletableFuture.completedStage(AclResult.next());
    }
}
