package io.stratus.broker.metrics;

import io.stratus.broker.message.Message;
import io.stratus.broker.message.PublishProperties;
import io.stratus.broker.plugin.PluginStats;
import io.stratus.broker.routing.Router;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantSpace;
import io.stratus.broker.tenant.Tenants;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;

/**
 * Publishes each tenant's statistics as retained messages under {@code $SYS/broker/}, inside that
 * tenant's namespace only. Clients may subscribe to them; the broker refuses client publications to
 * {@code $}-topics, so they are read-only.
 */
public final class SysPublisher implements Runnable {

    public static final String VERSION = "0.1.0";

    private final Tenants tenants;
    private final Router router;
    private final Clock clock;
    private final long startedMillis;
    private final Function<TenantId, Map<String, PluginStats>> plugins;

    public SysPublisher(Tenants tenants, Router router, Clock clock) {
        this(tenants, router, clock, t -> Map.of());
    }

    /** @param plugins the counters of each tenant's plugins, by plugin id */
    public SysPublisher(Tenants tenants, Router router, Clock clock, Function<TenantId, Map<String, PluginStats>> plugins) {
        this.tenants = tenants;
        this.router = router;
        this.clock = clock;
        this.startedMillis = clock.millis();
        this.plugins = plugins;
    }

    @Override
    public void run() {
        for (TenantSpace t : tenants.all()) {
            publish(t);
        }
    }

    /** Publishes the current figures of one tenant. */
    public void publish(TenantSpace t) {
        TenantMetrics m = t.metrics();
        put(t, "version", "Stratus " + VERSION);
        put(t, "uptime", Long.toString((clock.millis() - startedMillis) / 1000) + " seconds");
        put(t, "clients/connected", m.clientsConnected.get());
        put(t, "clients/total", t.sessions().size());
        put(t, "clients/slow consumer disconnects", m.slowConsumerDisconnects.sum());
        put(t, "messages/received", m.messagesReceived.sum());
        put(t, "messages/sent", m.messagesSent.sum());
        put(t, "messages/dropped", m.droppedTotal());
        put(t, "bytes/received", m.bytesReceived.sum());
        put(t, "bytes/sent", m.bytesSent.sum());
        put(t, "subscriptions/count", t.topics().subscriptionCount());
        put(t, "auth/failures", m.authFailures.sum());
        put(t, "auth/revoked disconnects", m.revokedDisconnects.sum());
        put(t, "auth/backoff refusals", m.authBackoffRefusals.sum());
        put(t, "acl/publish denied", m.publishDenied.sum());
        put(t, "acl/subscribe denied", m.subscribeDenied.sum());
        put(t, "acl/receive denied", m.receiveDenied.sum());
        put(t, "retained messages/count", t.retained().size());
        put(t, "limits/connections refused", m.connectionsOverQuota.sum());
        put(t, "limits/rate disconnects", m.rateLimitDisconnects.sum());
        put(t, "limits/packet too large disconnects", m.packetTooLargeDisconnects.sum());
        put(t, "limits/subscriptions refused", m.subscriptionsOverQuota.sum());
        put(t, "limits/queue full drops", m.droppedQueueFull.sum());
        if (m.droppedByPlugin.sum() > 0) {
            put(t, "messages/dropped by plugins", m.droppedByPlugin.sum());
        }
        plugins.apply(t.id()).forEach((id, stats) -> {
            String at = "plugins/" + id + "/";
            put(t, at + "calls", stats.calls());
            put(t, at + "failures", stats.failures());
            put(t, at + "timeouts", stats.timeouts());
            put(t, at + "start failures", stats.startFailures());
            put(t, at + "dropped", stats.drops());
            // the plugin's own metrics; their names are checked to be topic-safe
            stats.metrics().snapshot().forEach((name, value) -> put(t, at + "metrics/" + name, value));
        });
    }

    private void put(TenantSpace t, String name, long value) {
        put(t, name, Long.toString(value));
    }

    private void put(TenantSpace t, String name, String value) {
        Message message = new Message(t.id(), "$SYS/broker/" + name, value.getBytes(StandardCharsets.UTF_8), 0, true,
            PublishProperties.NONE, null, 0);
        router.publish(t, message, null);
    }
}
