package io.stratus.broker.tenant;

import io.stratus.broker.auth.AuthMethodSettings;

import javax.security.auth.x500.X500Principal;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tenant directory that does not change while the broker runs: the single default tenant of a
 * standalone broker, or the tenants of a tenants file. Lookups are map reads.
 */
public final class StaticTenantDirectory implements TenantDirectory {

    private final Map<TenantId, TenantSettings> tenants;
    private final Map<String, TenantId> byIssuer = new HashMap<>();
    private final Map<X500Principal, List<TenantId>> byCa = new HashMap<>();
    private final String sniDomain;
    private final boolean singleTenant;

    private StaticTenantDirectory(Map<TenantId, TenantSettings> tenants, String sniDomain, boolean singleTenant) {
        this.tenants = Map.copyOf(tenants);
        this.sniDomain = sniDomain;
        this.singleTenant = singleTenant;
        for (TenantSettings t : tenants.values()) {
            for (AuthMethodSettings m : t.auth()) {
                if (m instanceof AuthMethodSettings.Jwt jwt) {
                    byIssuer.put(jwt.settings().issuer(), t.id());
                } else if (m instanceof AuthMethodSettings.X509 x509) {
                    for (X509Certificate ca : x509.settings().trustedCas()) {
                        List<TenantId> ids = byCa.computeIfAbsent(ca.getSubjectX500Principal(), k -> new ArrayList<>());
                        if (!ids.contains(t.id())) {
                            ids.add(t.id());
                        }
                    }
                }
            }
        }
    }

    /** The one tenant of a standalone broker without a tenants file. */
    public static StaticTenantDirectory standalone(boolean allowAnonymous) {
        TenantSettings only = TenantSettings.standaloneDefault(allowAnonymous);
        return new StaticTenantDirectory(Map.of(only.id(), only), null, true);
    }

    /**
     * One tenant, the built-in {@code default}, to which every client belongs whatever it presents, but
     * with the given methods, policy and plugins: a plugin's tests run it so, and user names reach
     * its authenticator as clients send them.
     *
     * @throws IllegalArgumentException if the settings are not the built-in tenant's
     */
    public static StaticTenantDirectory single(TenantSettings tenant) {
        if (!tenant.id().equals(TenantId.DEFAULT)) {
            throw new IllegalArgumentException("the only tenant is " + TenantId.DEFAULT + ", not " + tenant.id());
        }
        return new StaticTenantDirectory(Map.of(tenant.id(), tenant), null, true);
    }

    /** The tenants of a tenants file. */
    public static StaticTenantDirectory of(TenantsFile.Contents contents) {
        return new StaticTenantDirectory(contents.tenants(), contents.sniDomain(), false);
    }

    @Override
    public Collection<TenantSettings> all() {
        return tenants.values();
    }

    @Override
    public Optional<TenantSettings> tenant(TenantId id) {
        return Optional.ofNullable(tenants.get(id));
    }

    @Override
    public Optional<TenantId> tenantOfIssuer(String issuer) {
        return Optional.ofNullable(byIssuer.get(issuer));
    }

    @Override
    public List<TenantId> tenantsOfCa(X500Principal issuer) {
        return List.copyOf(byCa.getOrDefault(issuer, List.of()));
    }

    @Override
    public Optional<String> sniDomain() {
        return Optional.ofNullable(sniDomain);
    }

    @Override
    public boolean singleTenant() {
        return singleTenant;
    }
}
