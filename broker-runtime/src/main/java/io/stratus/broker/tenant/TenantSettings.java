package io.stratus.broker.tenant;

import io.stratus.broker.auth.AuthMethodSettings;
import io.stratus.broker.auth.acl.PolicyRule;

import java.util.List;
import java.util.Objects;

/**
 * Everything the broker knows of one tenant: how its clients authenticate (in order), what its
 * policy allows them, its limits and its plugins. Immutable; a change arrives as a new value.
 *
 * @param id         the tenant
 * @param auth       its authentication methods, tried in this order; none means nobody gets in
 * @param policy     its policy's rules; {@code null} for a tenant without a policy, whose clients may
 *                   do everything inside the tenant (the standalone default); an empty list allows nothing
 * @param limits     its limits
 * @param plugins    the plugins it enables, in the order they run, each with its configuration
 */
public record TenantSettings(TenantId id, List<AuthMethodSettings> auth, List<PolicyRule> policy, TenantLimits limits,
                             List<PluginSettings> plugins) {

    public TenantSettings {
        Objects.requireNonNull(id, "id");
        auth = List.copyOf(auth);
        policy = policy == null ? null : List.copyOf(policy);
        Objects.requireNonNull(limits, "limits");
        plugins = List.copyOf(plugins);
    }

    /** A tenant without plugins. */
    public TenantSettings(TenantId id, List<AuthMethodSettings> auth, List<PolicyRule> policy, TenantLimits limits) {
        this(id, auth, policy, limits, List.of());
    }

    /** The tenant of a standalone broker without a tenants file: anyone, allowed everything. */
    public static TenantSettings standaloneDefault(boolean allowAnonymous) {
        return new TenantSettings(TenantId.DEFAULT,
            allowAnonymous ? List.of(new AuthMethodSettings.Anonymous()) : List.of(), null, TenantLimits.NONE);
    }
}
