package io.stratus.broker.tenant;

import javax.security.auth.x500.X500Principal;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The broker's read-only view of its tenants: what it needs at CONNECT to find a client's tenant
 * and check its credentials. Implementations answer from memory (a tenants file, or a cache kept
 * current by the control plane), never with I/O, so they may be called on an event loop.
 * The management side (creating and changing tenants) is a different interface, elsewhere.
 */
public interface TenantDirectory {

    /** @return every tenant's settings, for what the broker sets up per tenant (its plugins) */
    Collection<TenantSettings> all();

    /** @return the tenant's settings, if it exists */
    Optional<TenantSettings> tenant(TenantId id);

    /** @return the tenant whose JWT method trusts this issuer; issuers are unique across tenants */
    Optional<TenantId> tenantOfIssuer(String issuer);

    /**
     * @param issuer the issuer named by a client certificate (or an intermediate)
     * @return the tenants that registered a CA with that subject; usually one
     */
    List<TenantId> tenantsOfCa(X500Principal issuer);

    /**
     * @return the domain under which each tenant has a host name {@code <tenant>.<domain>} that
     *     clients name in TLS SNI, if tenants are told apart that way
     */
    Optional<String> sniDomain();

    /** @return whether there is one tenant only and every client belongs to it, whatever it presents */
    boolean singleTenant();
}
