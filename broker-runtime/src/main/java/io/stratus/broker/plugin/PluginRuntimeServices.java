package io.stratus.broker.plugin;

import io.stratus.broker.tenant.TenantId;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.message.PublishPacket;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What the broker does for plugins: the implementation behind the services of every
 * {@link io.stratus.sdk.PluginContext}. The tenant is explicit here; the context binds it to the
 * plugin's own tenant, so a plugin can never name another.
 *
 * <p>Implementations must be thread-safe and must not block: plugins call them from any thread,
 * including the broker's.
 */
public interface PluginRuntimeServices {

    /**
     * Routes a message into a tenant as {@link io.stratus.sdk.service.MessagePublisher#publish} describes.
     *
     * @return a stage completing once the message is routed, or exceptionally if the tenant's limits
     *     refuse it
     */
    CompletionStage<Void> publish(TenantId tenant, PublishPacket packet);

    /**
     * Disconnects a tenant's client as {@link io.stratus.sdk.service.ClientService#disconnect} describes.
     *
     * @return a stage completing with true once it was disconnected, false if it was not connected
     */
    CompletionStage<Boolean> disconnect(TenantId tenant, String clientId, String reason);

    /** @return the identity of a connected client of the tenant, if there is one */
    Optional<ClientIdentity> identity(TenantId tenant, String clientId);
}
