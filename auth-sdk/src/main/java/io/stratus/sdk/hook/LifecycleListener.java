package io.stratus.sdk.hook;

import io.stratus.sdk.client.ClientIdentity;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Hears that clients of the tenant connected, disconnected, subscribed or unsubscribed: to keep a
 * device registry's "last seen", count sessions, or start work for a new client. Listeners are told
 * after the fact and cannot change what happened. Every method does nothing by default, so a listener
 * overrides only what it needs. Register one with
 * {@link io.stratus.sdk.PluginContext#registerLifecycleListener(LifecycleListener)}.
 *
 * <p><b>Timeout and fallback.</b> The broker does not wait for the returned stages before going on
 * with the client; it gives them the tenant's lifecycle timeout (5 seconds unless the tenant
 * configures another) and counts and logs, with the tenant and plugin, those that fail, are null or
 * do not complete in time. Nothing else follows from a failure.
 *
 * <p><b>Threads.</b> Called on the broker's threads, which must not block. Events of one client arrive
 * in order; events of different clients arrive concurrently. Must be thread-safe.
 *
 * @since 1.0
 */
public interface LifecycleListener {

    /**
     * A client connected and its session is ready.
     *
     * @param client the client
     * @return a stage completing when the listener is done; the default is already complete
     * @since 1.0
     */
    default CompletionStage<Void> onConnected(ClientIdentity client) {
        return CompletableFuture.completedStage(null);
    }

    /**
     * A client's connection ended.
     *
     * @param client the client
     * @param info   how it ended
     * @return a stage completing when the listener is done; the default is already complete
     * @since 1.0
     */
    default CompletionStage<Void> onDisconnected(ClientIdentity client, DisconnectInfo info) {
        return CompletableFuture.completedStage(null);
    }

    /**
     * A client was granted subscriptions (those refused are not listed).
     *
     * @param client        the client
     * @param subscriptions the subscriptions granted by one SUBSCRIBE, in its order
     * @return a stage completing when the listener is done; the default is already complete
     * @since 1.0
     */
    default CompletionStage<Void> onSubscribed(ClientIdentity client, List<SubscriptionInfo> subscriptions) {
        return CompletableFuture.completedStage(null);
    }

    /**
     * A client removed subscriptions.
     *
     * @param client       the client
     * @param topicFilters the filters one UNSUBSCRIBE removed, in its order
     * @return a stage completing when the listener is done; the default is already complete
     * @since 1.0
     */
    default CompletionStage<Void> onUnsubscribed(ClientIdentity client, List<String> topicFilters) {
        return CompletableFuture.completedStage(null);
    }
}
