package io.stratus.broker.protocol;

import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.message.Message;
import io.stratus.broker.plugin.PluginRuntimeServices;
import io.stratus.broker.plugin.SdkValues;
import io.stratus.broker.routing.InvalidTopicException;
import io.stratus.broker.routing.Router;
import io.stratus.broker.routing.Topics;
import io.stratus.broker.session.Session;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.Tenants;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.message.PublishPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the broker does for plugins, always inside the plugin's own tenant (the tenant is bound by
 * the plugin's context; nothing here takes one from a plugin): publish a message as if a client of
 * the tenant had, disconnect one of its clients, look one up. Thread-safe and never blocks: plugins
 * call it from their own threads.
 */
public final class BrokerPluginServices implements PluginRuntimeServices {

    private static final Logger AUDIT = LoggerFactory.getLogger("stratus.audit");

    private final Tenants tenants;
    private final Router router;
    private final LimitsConfig limits;
    private final Clock clock;

    public BrokerPluginServices(Tenants tenants, Router router, LimitsConfig limits, Clock clock) {
        this.tenants = tenants;
        this.router = router;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Routes the message in the tenant, on the calling thread (the router hands each delivery to its
     * subscriber's lane). Its topic must be one a client of the tenant could publish to: within the
     * broker's limits and not one of the broker's read-only {@code $} topics.
     */
    @Override
    public CompletionStage<Void> publish(TenantId tenant, PublishPacket packet) {
        String topic = packet.topic();
        if (topic.startsWith("$")) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                "topic " + topic + " is one of the broker's read-only $ topics"));
        }
        try {
            Topics.validateTopicName(topic, limits.maxTopicLength(), limits.maxTopicLevels());
        } catch (InvalidTopicException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("topic " + topic + ": " + e.getMessage()));
        }
        Message message = SdkValues.message(tenant, packet, null, clock.millis());
        router.publish(tenants.space(tenant), message, null);
        return CompletableFuture.completedFuture(null);
    }

    /** Ends the connection with DISCONNECT 0x98 (5.0); the will is published as for any unexpected end. */
    @Override
    public CompletionStage<Boolean> disconnect(TenantId tenant, String clientId, String reason) {
        Connection c = connected(tenant, clientId);
        if (c == null) {
            return CompletableFuture.completedFuture(false);
        }
        AUDIT.info("disconnect by plugin tenant={} client={} reason={}", tenant, clientId, reason);
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        c.channel().closeFuture().addListener(f -> done.complete(true));
        c.disconnect(ReasonCodes.ADMINISTRATIVE_ACTION, null);
        return done;
    }

    @Override
    public Optional<ClientIdentity> identity(TenantId tenant, String clientId) {
        Connection c = connected(tenant, clientId);
        return c == null ? Optional.empty() : Optional.of(ConnectionPlugins.sdkIdentity(c));
    }

    private Connection connected(TenantId tenant, String clientId) {
        Session session = tenants.space(tenant).sessions().get(clientId);
        Session.Link link = session == null ? null : session.link();
        return link instanceof Connection c && c.channel().isActive() ? c : null;
    }
}
