package io.stratus.broker.protocol;

import io.stratus.broker.message.Message;
import io.stratus.broker.plugin.PluginCalls;
import io.stratus.broker.plugin.SdkValues;
import io.stratus.broker.session.Delivery;
import io.stratus.broker.session.Session;
import io.stratus.broker.tenant.TenantSpace;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.hook.MessageDecision;
import io.stratus.sdk.message.PublishPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Passes the deliveries to one connection through its tenant's outbound delivery hooks, keeping
 * their order: the session hands deliveries over in order and counts each as sent (a QoS 1 or 2 one
 * is in flight under its packet identifier); the hooks' answers may come back in any order, and each
 * delivery goes out only once every delivery before it has.
 *
 * <p>What a hook decides:
 * <ul>
 *   <li>pass: the delivery goes out as it was;</li>
 *   <li>replace: the replacement goes out in its place, under the same packet identifier. Its QoS is
 *       the delivery's, or 0 if the hook lowered it to 0 (then the identifier is freed as if the client
 *       had acknowledged); a hook cannot raise it, nor turn QoS 1 into 2 or back, which would break the
 *       flow the identifier is in. The tenant's receive policy applies to the replacement's topic too;</li>
 *   <li>drop: nothing is sent; a QoS 1 or 2 delivery's identifier is freed as if acknowledged, and the
 *       drop is counted for the tenant and the plugin.</li>
 * </ul>
 * A delivery whose connection closed while its hooks worked stays in flight in the session, to be
 * sent again (through the hooks again) when the client comes back.
 *
 * <p>Everything here runs on the session's lane, where the session calls
 * {@link Connection#sendPublish}; the hooks' answers hop back to it.
 */
final class DeliveryHooks {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryHooks.class);
    /** Deliveries waiting for hooks beyond which further QoS 0 ones are dropped (QoS 1/2 are bounded by the window). */
    static final int MAX_PENDING = 1000;

    private final PluginCalls calls;
    private final TenantSpace tenant;
    private final Session session;
    private final Connection connection;
    private final ClientIdentity receiver;
    private final Clock clock;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean draining;

    private record Pending(Delivery delivery, int packetId, boolean dup, CompletableFuture<MessageDecision> decision) {
    }

    DeliveryHooks(PluginCalls calls, TenantSpace tenant, Session session, Connection connection,
                  ClientIdentity receiver, Clock clock) {
        this.calls = calls;
        this.tenant = tenant;
        this.session = session;
        this.connection = connection;
        this.receiver = receiver;
        this.clock = clock;
    }

    /** @return whether deliveries must pass the hooks: the tenant has one, or deliveries still wait for one */
    boolean active() {
        return !pending.isEmpty() || calls.hooksDelivery(tenant.id());
    }

    /**
     * Takes a delivery the session is sending. Never sends it at once, even if the hooks answer at
     * once: the session records it as in flight only when this returns.
     *
     * @return as {@link Session.Link#sendPublish}: whether it counts as sent
     */
    boolean deliver(Delivery d, int packetId, boolean dup) {
        if (d.qos() == 0 && pending.size() >= MAX_PENDING) {
            tenant.metrics().droppedSlowConsumer.increment();
            return false;
        }
        CompletableFuture<MessageDecision> decision;
        try {
            PublishPacket packet = SdkValues.packet(d.message(), d.qos(), d.retain(), clock.millis());
            decision = calls.outbound(tenant.id(), receiver, packet);
        } catch (RuntimeException e) {
            LOG.warn("tenant={} client={} a delivery cannot be shown to the outbound hooks; it goes out as it is",
                tenant.id(), connection.clientId(), e);
            decision = CompletableFuture.completedFuture(MessageDecision.pass());
        }
        pending.addLast(new Pending(d, packetId, dup, decision));
        decision.whenComplete((v, e) -> {
            try {
                session.lane().execute(this::drain);
            } catch (RejectedExecutionException ignored) {
                // the broker is stopping: nothing more goes out
            }
        });
        return true;
    }

    /** Sends, in order, every delivery at the head whose hooks have answered. */
    private void drain() {
        if (draining) {
            return; // freeing an identifier below makes the session send more, which lands behind us
        }
        draining = true;
        try {
            while (!pending.isEmpty() && pending.peekFirst().decision().isDone()) {
                Pending p = pending.pollFirst();
                if (!connection.channel().isActive()) {
                    continue; // in flight in the session, resent through the hooks on the next connection
                }
                send(p, p.decision().getNow(MessageDecision.pass()));
            }
        } finally {
            draining = false;
        }
    }

    private void send(Pending p, MessageDecision decision) {
        Delivery d = p.delivery();
        boolean sent;
        boolean keepsIdentifier = d.qos() > 0;
        switch (decision.action()) {
            case PASS -> sent = connection.sendNow(d, p.packetId(), p.dup());
            case REPLACE -> {
                PublishPacket packet = decision.packet().orElseThrow();
                Message m = SdkValues.message(tenant.id(), packet, d.message().publisherClientId(), clock.millis());
                int qos = packet.qos() == 0 ? 0 : d.qos();
                keepsIdentifier = qos > 0;
                Delivery replacement = new Delivery(m, qos, packet.retain(), d.subscriptionIds(), d.sharedGroup());
                sent = connection.mayReceive(m.topic())
                    && connection.sendNow(replacement, keepsIdentifier ? p.packetId() : 0, p.dup() && keepsIdentifier);
            }
            default -> {
                tenant.metrics().droppedByPlugin.increment();
                sent = false;
            }
        }
        if (d.qos() > 0 && (!sent || !keepsIdentifier)) {
            free(d.qos(), p.packetId());
        }
    }

    /** Ends the exchange of a delivery that will not be acknowledged, as if its client had. */
    private void free(int qos, int packetId) {
        if (qos == 1) {
            session.onPubAck(packetId);
        } else {
            session.onPubRec(packetId, true);
        }
    }
}
