package io.stratus.broker.plugin;

import io.stratus.broker.auth.AuthDecision;
import io.stratus.broker.auth.AuthMethod;
import io.stratus.broker.auth.ClientIdentity;
import io.stratus.broker.auth.ConnectCredentials;
import io.stratus.broker.auth.PluginAuthentication;
import io.stratus.broker.auth.acl.AclVariables;
import io.stratus.broker.tenant.TenantId;
import io.stratus.sdk.auth.AuthResult;
import io.stratus.sdk.auth.ConnectRequest;
import io.stratus.sdk.auth.DenyReason;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Puts plugins' simple authenticators in tenants' authentication chains: it shows the plugin the
 * CONNECT (the password as a copy), and turns its answer into the broker's decision. An allowed
 * client's identity carries the attributes the plugin gave it as ACL variables under their own names
 * ({@code role} is {@code ${role}} in the tenant's policy), except names the broker fills itself; a
 * refusal keeps the plugin's reason code; {@code next} passes the client to the tenant's next method.
 */
public final class PluginAuthenticator implements PluginAuthentication {

    private final PluginCalls calls;

    public PluginAuthenticator(PluginCalls calls) {
        this.calls = calls;
    }

    @Override
    public CompletionStage<Optional<AuthDecision>> authenticate(TenantId tenant, String pluginId,
                                                                ConnectCredentials credentials, String username) {
        ConnectRequest request;
        try {
            request = SdkValues.connectRequest(credentials, username);
        } catch (IllegalArgumentException e) {
            // a CONNECT the codec accepted but the SDK's stricter values refuse (a user name with U+0000)
            return CompletableFuture.completedFuture(Optional.of(AuthDecision.refused(tenant,
                AuthDecision.Refusal.BAD_CREDENTIALS, "plugin " + pluginId + ": the CONNECT cannot be shown to it: "
                    + e.getMessage())));
        }
        return calls.authenticate(tenant, pluginId, request).thenApply(r -> decision(tenant, pluginId, credentials,
            username, r));
    }

    private static Optional<AuthDecision> decision(TenantId tenant, String pluginId, ConnectCredentials c,
                                                   String username, AuthResult r) {
        return switch (r.decision()) {
            case NEXT -> Optional.empty();
            case ALLOW -> Optional.of(AuthDecision.accepted(new ClientIdentity(tenant, c.clientId(), username,
                AuthMethod.PLUGIN, variables(tenant, c.clientId(), username, pluginId, r.attributes()), null, List.of())));
            case DENY -> Optional.of(AuthDecision.refused(tenant, refusal(r.denyReason().orElse(DenyReason.NOT_AUTHORIZED)),
                "plugin " + pluginId + ": " + r.message().orElse("denied")));
        };
    }

    private static AclVariables variables(TenantId tenant, String clientId, String username, String pluginId,
                                          Map<String, String> attributes) {
        Map<String, List<String>> vars = new HashMap<>();
        attributes.forEach((name, value) -> {
            if (SdkValues.isPluginAttribute(name)) {
                vars.put(name, List.of(value));
            }
        });
        vars.put("tenant", List.of(tenant.value()));
        vars.put("client.id", List.of(clientId));
        if (username != null) {
            vars.put("username", List.of(username));
        }
        vars.put(SdkValues.AUTHENTICATING_PLUGIN, List.of(pluginId));
        return AclVariables.of(vars);
    }

    /** The SDK's reasons map one to one onto the broker's refusals, which carry the same codes. */
    static AuthDecision.Refusal refusal(DenyReason reason) {
        return switch (reason) {
            case BAD_CREDENTIALS -> AuthDecision.Refusal.BAD_CREDENTIALS;
            case NOT_AUTHORIZED -> AuthDecision.Refusal.NOT_AUTHORIZED;
            case BANNED -> AuthDecision.Refusal.BANNED;
            case SERVER_BUSY -> AuthDecision.Refusal.SERVER_BUSY;
            case BAD_AUTHENTICATION_METHOD -> AuthDecision.Refusal.BAD_AUTHENTICATION_METHOD;
        };
    }
}
