package io.stratus.broker.tenant;

import io.stratus.broker.auth.x509.LiveCertificates;
import io.stratus.broker.metrics.TenantMetrics;
import io.stratus.broker.retain.RetainedStore;
import io.stratus.broker.routing.TopicTree;
import io.stratus.broker.session.SessionStore;

/**
 * Everything the broker holds for one tenant: its topic tree, retained messages, sessions and
 * counters. Isolation between tenants is structural: nothing here is shared, so no topic filter,
 * client id or wildcard of one tenant can reach another's.
 */
public final class TenantSpace {

    private final TenantId id;
    private final TopicTree topics = new TopicTree();
    private final RetainedStore retained;
    private final SessionStore sessions;
    private final TenantMetrics metrics = new TenantMetrics();
    private final TenantQuota quota = new TenantQuota(System::nanoTime);
    private final LiveCertificates liveCertificates = new LiveCertificates();

    public TenantSpace(TenantId id, RetainedStore retained, SessionStore sessions) {
        this.id = id;
        this.retained = retained;
        this.sessions = sessions;
    }

    public TenantId id() {
        return id;
    }

    public TopicTree topics() {
        return topics;
    }

    public RetainedStore retained() {
        return retained;
    }

    public SessionStore sessions() {
        return sessions;
    }

    public TenantMetrics metrics() {
        return metrics;
    }

    /** @return the tenant's open connections by certificate, for revocations */
    public LiveCertificates liveCertificates() {
        return liveCertificates;
    }

    /** @return the tenant's open connections and shared rate buckets, for its limits */
    public TenantQuota quota() {
        return quota;
    }
}
