package io.stratus.broker.tenant;

import javax.security.auth.x500.X500Principal;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tenant directory whose contents can be replaced while the broker runs (a tenants file that
 * changed), as one step: every look-up reads one version, old or new, never half of each. The
 * broker holds this and hands it to authentication; what replaces it is a new immutable directory.
 * Thread-safe; look-ups read one volatile field.
 */
public final class ReloadingTenantDirectory implements TenantDirectory {

    private volatile TenantDirectory current;

    /** @param initial the tenants to serve until the first replacement */
    public ReloadingTenantDirectory(TenantDirectory initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    /** @return the version served now */
    public TenantDirectory current() {
        return current;
    }

    /** Serves {@code next} from now on; CONNECTs already being authenticated finish with the version they read. */
    public void replace(TenantDirectory next) {
        current = Objects.requireNonNull(next, "next");
    }

    @Override
    public Collection<TenantSettings> all() {
        return current().all();
    }

    @Override
    public Optional<TenantSettings> tenant(TenantId id) {
        return current.tenant(id);
    }

    @Override
    public Optional<TenantId> tenantOfIssuer(String issuer) {
        return current.tenantOfIssuer(issuer);
    }

    @Override
    public List<TenantId> tenantsOfCa(X500Principal issuer) {
        return current.tenantsOfCa(issuer);
    }

    @Override
    public Optional<String> sniDomain() {
        return current.sniDomain();
    }

    @Override
    public boolean singleTenant() {
        return current.singleTenant();
    }
}
