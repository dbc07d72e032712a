package io.stratus.broker.auth;

import io.stratus.broker.tenant.TenantId;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A tenant's plugin authenticators, as {@link ConnectAuthenticator} calls them for an authentication
 * method of type {@code plugin}. Kept to this one question so that authentication does not depend on
 * how plugins are loaded and run.
 */
@FunctionalInterface
public interface PluginAuthentication {

    /** A broker without plugins: every plugin method refuses, as for a plugin that is not running. */
    PluginAuthentication NONE = (tenant, pluginId, credentials, username) ->
        java.util.concurrent.CompletableFuture.completedFuture(Optional.of(AuthDecision.refused(tenant,
            AuthDecision.Refusal.SERVER_BUSY, "plugin " + pluginId + " is not running: the broker runs no plugins")));

    /**
     * Asks a plugin whether a client may connect. Never blocks; the stage never completes exceptionally
     * (a plugin's failure or timeout is its documented fallback, a refusal).
     *
     * @param username the user name within the tenant (without an {@code @tenant} suffix), or null
     * @return the decision, or empty if the plugin passes the client to the tenant's next method
     */
    CompletionStage<Optional<AuthDecision>> authenticate(TenantId tenant, String pluginId, ConnectCredentials credentials,
                                                         String username);
}
