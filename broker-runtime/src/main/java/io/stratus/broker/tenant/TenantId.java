package io.stratus.broker.tenant;

import java.util.Objects;

/**
 * The identity of a tenant. Every session, topic, retained message and statistic lives inside one
 * tenant's namespace; two tenants never share any of them.
 *
 * @param value the tenant's id: 1 to 64 characters of {@code [a-z0-9-]}
 */
public record TenantId(String value) {

    /** The single tenant a standalone broker serves until tenants are configured. */
    public static final TenantId DEFAULT = new TenantId("default");

    public TenantId {
        Objects.requireNonNull(value, "value");
        if (!value.matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw new IllegalArgumentException("tenant id must match [a-z0-9][a-z0-9-]{0,63}: " + value);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
