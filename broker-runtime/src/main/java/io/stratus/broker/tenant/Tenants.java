package io.stratus.broker.tenant;

import io.stratus.broker.retain.InMemoryRetainedStore;
import io.stratus.broker.session.InMemorySessionStore;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The tenants this broker serves, each with its own {@link TenantSpace}. */
public final class Tenants {

    private final ConcurrentMap<TenantId, TenantSpace> spaces = new ConcurrentHashMap<>();
    private final int maxRetainedPerTenant;

    public Tenants(int maxRetainedPerTenant) {
        this.maxRetainedPerTenant = maxRetainedPerTenant;
    }

    /** @return the space of the tenant, created on first use */
    public TenantSpace space(TenantId id) {
        return spaces.computeIfAbsent(id, t -> new TenantSpace(t, new InMemoryRetainedStore(maxRetainedPerTenant),
            new InMemorySessionStore()));
    }

    public Collection<TenantSpace> all() {
        return spaces.values();
    }
}
