package io.stratus.broker.protocol;

import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.stratus.broker.auth.AuthDecision;
import io.stratus.broker.auth.ConnectCredentials;
import io.stratus.broker.message.Message;
import io.stratus.broker.plugin.PluginCalls;
import io.stratus.broker.plugin.PluginHost;
import io.stratus.broker.plugin.SdkValues;
import io.stratus.broker.session.Session;
import io.stratus.broker.session.Will;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantSpace;
import io.stratus.broker.transport.TransportInfo;
import io.stratus.sdk.auth.PublishRequest;
import io.stratus.sdk.auth.SubscribeRequest;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.hook.DisconnectInfo;
import io.stratus.sdk.hook.SubscriptionInfo;
import io.stratus.sdk.message.PublishPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One connection's side of its tenant's plugins: the plugins' view of the client, and the order in
 * which the client's packets pass them.
 *
 * <p><b>Ordering.</b> MQTT keeps a client's messages in order [MQTT-4.6.0-2], [MQTT-4.6.0-3], so while
 * a PUBLISH waits for an authorizer or an inbound hook, the client's later PUBLISHes wait behind it:
 * each one's plugin calls start once the one before it has been routed (a chain of futures, per
 * connection). The connection keeps reading meanwhile, up to {@link #MAX_PENDING_PUBLISHES} waiting
 * PUBLISHes, then stops reading until half of them are done, so a slow plugin holds a bounded amount
 * of memory and slows only its own tenant's publishers. SUBSCRIBE and UNSUBSCRIBE keep their order
 * on a chain of their own. A tenant without such plugins takes none of this: its PUBLISHes go
 * straight to the session's lane as before.
 *
 * <p>Lifecycle notifications are fire and forget, but one client's events reach listeners in order.
 */
final class ConnectionPlugins {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPlugins.class);
    /** PUBLISHes waiting for plugins before the connection stops reading. */
    static final int MAX_PENDING_PUBLISHES = 128;
    private static final int RESUME_READING_AT = MAX_PENDING_PUBLISHES / 2;
    /** Lifecycle events waiting for slow listeners beyond which further events of the client are skipped. */
    private static final int MAX_PENDING_EVENTS = 64;
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final PluginCalls calls;
    private final TenantSpace tenant;
    private final Session session;
    private final Connection connection;
    private final PacketProcessor processor;
    private final Clock clock;
    private final ClientIdentity identity;
    private final DeliveryHooks deliveries;

    /** The last PUBLISH's step; written on the channel's event loop only. */
    private CompletableFuture<Void> publishTail = DONE;
    private final AtomicInteger pendingPublishes = new AtomicInteger();
    /** Whether reading is paused for too many waiting PUBLISHes; on the channel's event loop only. */
    private boolean paused;
    /** The last SUBSCRIBE or UNSUBSCRIBE's step; on the session's lane only. */
    private CompletableFuture<Void> subscribeTail = DONE;
    private CompletableFuture<Void> eventTail = DONE;
    private final AtomicInteger pendingEvents = new AtomicInteger();

    ConnectionPlugins(PluginCalls calls, TenantSpace tenant, Session session, Connection connection,
                      PacketProcessor processor, Clock clock) {
        this.calls = calls;
        this.tenant = tenant;
        this.session = session;
        this.connection = connection;
        this.processor = processor;
        this.clock = clock;
        this.identity = sdkIdentity(connection);
        this.deliveries = new DeliveryHooks(calls, tenant, session, connection, identity, clock);
    }

    /** @return the client as plugins see it */
    ClientIdentity identity() {
        return identity;
    }

    DeliveryHooks deliveries() {
        return deliveries;
    }

    /** @return the identity plugins see of a connection's client */
    static ClientIdentity sdkIdentity(Connection c) {
        Channel channel = c.channel();
        TransportInfo transport = channel.attr(TransportInfo.KEY).get();
        SocketAddress remote = transport == null ? channel.remoteAddress() : transport.remoteAddress();
        X509Certificate certificate = transport == null || transport.peerCertificates().isEmpty() ? null
            : transport.peerCertificates().get(0);
        return SdkValues.identity(c.identity(), remote, sdkVersion(c.version()), certificate);
    }

    static io.stratus.sdk.client.MqttVersion sdkVersion(MqttVersion version) {
        return switch (version) {
            case MQTT_3_1 -> io.stratus.sdk.client.MqttVersion.V3_1;
            case MQTT_3_1_1 -> io.stratus.sdk.client.MqttVersion.V3_1_1;
            default -> io.stratus.sdk.client.MqttVersion.V5;
        };
    }

    // ---- PUBLISH ---------------------------------------------------------------------------------

    /**
     * @return whether the client's PUBLISHes must pass plugins: the tenant has an authorizer or an
     *     inbound hook, or PUBLISHes are still waiting for one (which later ones must not overtake)
     */
    boolean interceptsPublish() {
        return pendingPublishes.get() > 0 || calls.interceptsPublish(tenant.id());
    }

    /**
     * Hands a PUBLISH to the tenant's authorizers and inbound hooks after the ones before it, then
     * routes it on the session's lane as {@link PacketProcessor} would have. Runs on the channel's
     * event loop.
     *
     * @param policyAllows whether the tenant's policy allows the publish (a plugin cannot override a deny)
     */
    void publish(Message message, int packetId, boolean badFormat, boolean policyAllows) {
        if (pendingPublishes.incrementAndGet() >= MAX_PENDING_PUBLISHES && !paused) {
            paused = true;
            connection.channel().config().setAutoRead(false);
        }
        CompletableFuture<Void> step = publishTail
            .thenCompose(v -> decide(message, badFormat, policyAllows))
            .thenCompose(o -> onLane(() -> processor.routePublish(o.message(), packetId, badFormat, o.allowed(),
                o.dropped())));
        publishTail = step;
        step.whenComplete((v, e) -> {
            if (pendingPublishes.decrementAndGet() == RESUME_READING_AT) {
                connection.channel().eventLoop().execute(this::resumeReading);
            }
        });
    }

    private void resumeReading() {
        if (paused && pendingPublishes.get() < MAX_PENDING_PUBLISHES) {
            paused = false;
            connection.channel().config().setAutoRead(true);
        }
    }

    /** What the plugins made of a PUBLISH. */
    private record Outcome(Message message, boolean allowed, boolean dropped) {
    }

    private CompletableFuture<Outcome> decide(Message m, boolean badFormat, boolean policyAllows) {
        if (badFormat || m.topic().startsWith("$") || !policyAllows) {
            // refused whatever the plugins say: they are not asked
            return CompletableFuture.completedFuture(new Outcome(m, policyAllows, false));
        }
        try {
            PublishPacket packet = SdkValues.packet(m, m.qos(), m.retain(), clock.millis());
            return calls.inbound(tenant.id(), identity, packet, true).thenApply(in -> switch (in.verdict()) {
                case DENY -> new Outcome(m, false, false);
                case DROP -> new Outcome(m, true, true);
                case ROUTE -> new Outcome(in.packet() == null ? m
                    : SdkValues.message(tenant.id(), in.packet(), m.publisherClientId(), clock.millis()), true, false);
            }).exceptionally(e -> refuse(m, e));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(refuse(m, e));
        }
    }

    /** A failure of the broker's own plugin glue refuses the message rather than let it pass unchecked. */
    private Outcome refuse(Message m, Throwable e) {
        LOG.warn("tenant={} client={} plugins could not decide on a PUBLISH; it is refused", tenant.id(),
            connection.clientId(), e);
        return new Outcome(m, false, false);
    }

    // ---- SUBSCRIBE and UNSUBSCRIBE ----------------------------------------------------------------

    /** @return whether a SUBSCRIBE must wait for authorizers, or for SUBSCRIBEs still waiting for them */
    boolean authorizesSubscribe() {
        return !subscribeTail.isDone() || calls.authorizes(tenant.id());
    }

    /** @return whether an UNSUBSCRIBE must wait for SUBSCRIBEs before it */
    boolean subscribesPending() {
        return !subscribeTail.isDone();
    }

    /**
     * Asks the authorizers about each filter of a SUBSCRIBE after the SUBSCRIBEs before it, then hands
     * which they denied to {@code then} on the session's lane. Runs on the session's lane.
     */
    void subscribe(MqttSubscribeMessage s, Consumer<boolean[]> then) {
        List<MqttTopicSubscription> requested = s.payload().topicSubscriptions();
        subscribeTail = subscribeTail.thenCompose(v -> {
            List<CompletableFuture<Boolean>> answers = new ArrayList<>(requested.size());
            for (MqttTopicSubscription t : requested) {
                try {
                    SubscribeRequest request = SubscribeRequest.of(t.topicFilter(), t.qualityOfService().value());
                    answers.add(calls.deniesSubscribe(tenant.id(), identity, request));
                } catch (IllegalArgumentException e) {
                    answers.add(CompletableFuture.completedFuture(false)); // not a filter: refused anyway
                }
            }
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(all -> {
                boolean[] denied = new boolean[answers.size()];
                for (int i = 0; i < denied.length; i++) {
                    denied[i] = answers.get(i).join();
                }
                return denied;
            });
        }).thenCompose(denied -> onLane(() -> then.accept(denied)));
    }

    /** Runs an UNSUBSCRIBE once the SUBSCRIBEs before it are done. Runs on the session's lane. */
    void afterSubscribes(Runnable unsubscribe) {
        subscribeTail = subscribeTail.thenCompose(v -> onLane(unsubscribe));
    }

    // ---- the will, at CONNECT ------------------------------------------------------------------------

    /**
     * Adds the tenant's authorizers to the decision on a CONNECT with a will: the client connects only
     * if none denies its will's topic, as the tenant's policy is asked too; a denial refuses the CONNECT
     * with 0x87, as a policy's does.
     *
     * @return the decision, or the same future when there is no will or nothing to ask
     */
    static CompletableFuture<AuthDecision> authorizeWill(PluginCalls calls, CompletableFuture<AuthDecision> decision,
                                                         Will will, ConnectCredentials credentials) {
        if (will == null || !calls.enabled()) {
            return decision;
        }
        return decision.thenCompose(d -> {
            if (!(d instanceof AuthDecision.Accepted accepted) || !calls.authorizes(accepted.identity().tenant())) {
                return CompletableFuture.completedFuture(d);
            }
            TenantId tenant = accepted.identity().tenant();
            try {
                ClientIdentity client = SdkValues.identity(accepted.identity(), credentials.remote(), credentials.version(),
                    credentials.chain().isEmpty() ? null : credentials.chain().get(0));
                Message m = will.message();
                return calls.deniesPublish(tenant, client, PublishRequest.will(m.topic(), m.qos(), m.retain()))
                    .thenApply(denied -> denied ? AuthDecision.refused(tenant, AuthDecision.Refusal.NOT_AUTHORIZED,
                        "a plugin's authorizer denies the will topic") : d);
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(AuthDecision.refused(tenant, AuthDecision.Refusal.NOT_AUTHORIZED,
                    "the will cannot be shown to the tenant's authorizers: " + e.getMessage()));
            }
        });
    }

    // ---- lifecycle --------------------------------------------------------------------------------

    /** Tells the tenant's listeners that a client connected, once its CONNACK is written. */
    static void notifyConnected(PacketProcessor packets) {
        ConnectionPlugins p = packets == null ? null : packets.plugins();
        if (p != null) {
            p.connected();
        }
    }

    /**
     * Tells the tenant's listeners that a client's connection ended.
     *
     * @param publishWill false only when the client ended it with a DISCONNECT that withdraws its will
     */
    static void notifyDisconnected(PacketProcessor packets, Connection c, boolean publishWill) {
        ConnectionPlugins p = packets == null ? null : packets.plugins();
        if (p == null || !p.listens()) {
            return;
        }
        int serverCode = c.serverReasonCode();
        p.disconnected(DisconnectInfo.builder()
            .graceful(!publishWill)
            .serverInitiated(serverCode >= 0)
            .reasonCode(Math.max(serverCode, 0))
            .build());
    }

    void connected() {
        event(h -> h.onConnected(identity));
    }

    void disconnected(DisconnectInfo info) {
        event(h -> h.onDisconnected(identity, info));
    }

    void subscribed(List<SubscriptionInfo> granted) {
        if (!granted.isEmpty()) {
            event(h -> h.onSubscribed(identity, granted));
        }
    }

    void unsubscribed(List<String> removed) {
        if (!removed.isEmpty()) {
            event(h -> h.onUnsubscribed(identity, removed));
        }
    }

    /** @return whether the tenant has a lifecycle listener (so that events are worth describing) */
    boolean listens() {
        return calls.listens(tenant.id());
    }

    private synchronized void event(Function<PluginHost, CompletableFuture<Void>> notification) {
        if (!calls.listens(tenant.id())) {
            return;
        }
        if (pendingEvents.incrementAndGet() > MAX_PENDING_EVENTS) {
            pendingEvents.decrementAndGet();
            LOG.debug("tenant={} client={} lifecycle listeners are behind; an event is skipped", tenant.id(),
                connection.clientId());
            return;
        }
        eventTail = eventTail.thenCompose(v -> calls.notifyListeners(tenant.id(), notification))
            .whenComplete((v, e) -> pendingEvents.decrementAndGet());
    }

    // ---- threads -----------------------------------------------------------------------------------

    /** @return a future completing once {@code work} ran on the session's lane, whatever it did */
    private CompletableFuture<Void> onLane(Runnable work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.warn("tenant={} client={} handling a packet after its plugins failed", tenant.id(),
                    connection.clientId(), e);
            } finally {
                done.complete(null);
            }
        };
        if (session.lane().inEventLoop()) {
            task.run();
        } else {
            try {
                session.lane().execute(task);
            } catch (RejectedExecutionException e) {
                done.complete(null); // the broker is stopping
            }
        }
        return done;
    }
}
