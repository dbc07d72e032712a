package io.stratus.broker.protocol;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.stratus.broker.auth.AuthDecision;
import io.stratus.broker.auth.AuthMethod;
import io.stratus.broker.auth.ClientIdentity;
import io.stratus.broker.auth.ConnectCredentials;
import io.stratus.broker.auth.acl.ClientAcl;
import io.stratus.broker.auth.acl.PolicyRule;
import io.stratus.broker.auth.x509.CertificateSerial;
import io.stratus.broker.auth.x509.LiveCertificates;
import io.stratus.broker.codec.ConnectPropertyCheck;
import io.stratus.broker.session.Session;
import io.stratus.broker.session.SessionStore;
import io.stratus.broker.tenant.ClientQuota;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantLimits;
import io.stratus.broker.tenant.TenantQuota;
import io.stratus.broker.tenant.TenantSettings;
import io.stratus.broker.tenant.TenantSpace;
import io.stratus.broker.transport.ShutdownEvent;
import io.stratus.broker.transport.TransportInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The MQTT state machine of one network connection: CONNECT first, then packets dispatched to the
 * session's lane. Decoder failures arrive here as data and end the connection with the reason code
 * the specification asks for.
 */
public final class MqttConnectionHandler extends ChannelInboundHandlerAdapter implements DeadlineSweeper.Watched {

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnectionHandler.class);
    private static final Logger AUDIT = LoggerFactory.getLogger("stratus.audit");
    /** The codec's own attribute: the encoder reads it to pick the packet format. */
    private static final AttributeKey<MqttVersion> CODEC_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    /** Packets a client may send behind its CONNECT before the broker has checked its credentials. */
    private static final int MAX_PENDING_PACKETS = 64;
    private static final AtomicIntegerFieldUpdater<MqttConnectionHandler> COUNTED =
        AtomicIntegerFieldUpdater.newUpdater(MqttConnectionHandler.class, "counted");

    private final BrokerServices services;
    private final ConnectProcessor connectProcessor;

    private Connection connection;
    private Session session;
    private TenantSpace tenant;
    private PacketProcessor packets;
    private boolean detached;
    /** 1 while this connection is in the connected-clients gauge; set on the lane, read there too. */
    private volatile int counted;
    private ChannelHandlerContext ctx;
    private DeadlineSweeper sweeper;
    private int sweepSlot = -1;
    /** Before CONNECT the absolute connect deadline, after it when the keep alive runs out. */
    private long deadlineNanos;
    /** One and a half times the keep alive [MQTT-3.1.2-24]; 0 before CONNECT. */
    private long keepAliveNanos;
    /** Whether a packet arrived since the last sweep; the sweep then moves the deadline. */
    private boolean packetSeen;
    /** Packets that arrived behind a CONNECT while its credentials were checked; null otherwise. */
    private ArrayDeque<MqttMessage> pending;
    /** Ends the connection when its token expires; null without one. */
    private ScheduledFuture<?> credentialExpiry;
    /** Made the first time the connection falls behind (most never do); confined to the channel's event loop. */
    private SlowConsumerGuard slowConsumers;
    /** Set once the broker has decided to end the connection; may be set from the session's lane. */
    private volatile boolean closing;
    /** Set when a graceful shutdown reaches this connection: it ends once the client has acknowledged all. */
    private volatile boolean draining;
    /** The tenant whose max-connections counts this connection, until it ends; null before that. */
    private TenantQuota connectionSlot;
    /** This connection's certificates in its tenant's registry, so a revocation reaches it; null without. */
    private LiveCertificates.Registration liveCertificate;
    /** Takes fresh tokens through AUTH, for a client that connected with Authentication Method JWT; else null. */
    private JwtReauthentication reauthentication;

    public MqttConnectionHandler(BrokerServices services) {
        this.services = services;
        this.connectProcessor = new ConnectProcessor(services.config().limits());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        // an absolute deadline, so a CONNECT trickled in byte by byte cannot hold the connection open
        sweeper = services.sweepers().of(ctx.channel().eventLoop());
        deadlineNanos = sweeper.nanoTime() + TimeUnit.SECONDS.toNanos(services.config().limits().connectTimeoutSeconds());
        sweeper.add(this);
        super.channelActive(ctx);
    }

    // ---- deadlines ------------------------------------------------------------------------------

    @Override
    public boolean isExpired(long nowNanos) {
        if (packetSeen) {
            // the sweep's time is at or after the packet's: the keep alive is never cut short
            packetSeen = false;
            deadlineNanos = nowNanos + keepAliveNanos;
            return false;
        }
        return nowNanos - deadlineNanos >= 0;
    }

    @Override
    public void expire() {
        if (connection == null) {
            ctx.close();
        } else if (!closing) {
            disconnectWith(ReasonCodes.KEEP_ALIVE_TIMEOUT, "keep alive timeout"); // [MQTT-3.1.2-24]
        }
    }

    @Override
    public int sweepSlot() {
        return sweepSlot;
    }

    @Override
    public void sweepSlot(int slot) {
        sweepSlot = slot;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof MqttMessage m)) {
                return;
            }
            if (closing || !ctx.channel().isActive()) {
                // the packets that were read in the same batch as the one that ended the connection
                return;
            }
            if (m.decoderResult().isFailure()) {
                onDecoderFailure(ctx, m);
                return;
            }
            packetSeen = keepAliveNanos != 0;
            if (pending != null) {
                // behind a CONNECT whose credentials are being checked [MQTT-3.1.4-?: a client may
                // send packets before the CONNACK]; bounded, as nothing more is read meanwhile
                if (pending.size() >= MAX_PENDING_PACKETS) {
                    closing = true;
                    ctx.close();
                    return;
                }
                pending.addLast((MqttMessage) ReferenceCountUtil.retain(m));
                return;
            }
            if (connection == null) {
                if (m.fixedHeader().messageType() == MqttMessageType.CONNECT) {
                    onConnect(ctx, (MqttConnectMessage) m);
                } else {
                    ctx.close(); // [MQTT-3.1.0-1]
                }
                return;
            }
            if (services.shutdown().isSet() && !finishesAcceptedWork(m.fixedHeader().messageType())) {
                return; // shutting down: nothing new is accepted, and what is not acknowledged is not promised
            }
            dispatch(ctx, m);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, MqttMessage m) {
        MqttFixedHeader fixed = m.fixedHeader();
        switch (fixed.messageType()) {
            case PUBLISH -> {
                MqttPublishMessage p = (MqttPublishMessage) m;
                if (withinQuota(p)) {
                    packets.onPublish(p);
                }
            }
            case PUBACK -> {
                int id = ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
                onLane(() -> session.onPubAck(id));
            }
            case PUBREC -> {
                MqttPubReplyMessageVariableHeader h = (MqttPubReplyMessageVariableHeader) m.variableHeader();
                onLane(() -> packets.onPubRec(h.messageId(), h.reasonCode()));
            }
            case PUBREL -> {
                int id = ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
                onLane(() -> packets.onPubRel(id));
            }
            case PUBCOMP -> {
                int id = ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
                onLane(() -> session.onPubComp(id));
            }
            case SUBSCRIBE -> {
                MqttSubscribeMessage s = (MqttSubscribeMessage) m;
                onLane(() -> packets.onSubscribe(s));
            }
            case UNSUBSCRIBE -> {
                MqttUnsubscribeMessage u = (MqttUnsubscribeMessage) m;
                onLane(() -> packets.onUnsubscribe(u));
            }
            case PINGREQ -> ctx.writeAndFlush(new MqttMessage(
                new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
            case DISCONNECT -> onDisconnect(ctx, m);
            case CONNECT -> protocolError("a second CONNECT"); // [MQTT-3.1.0-2]
            case AUTH -> {
                if (reauthentication == null) {
                    protocolError("AUTH without an authentication method at CONNECT"); // §4.12
                } else {
                    reauthentication.onAuth(ctx, m);
                }
            }
            default -> protocolError(fixed.messageType() + " is not sent by clients");
        }
        if (draining) {
            onLane(this::disconnectWhenDrained); // after the acknowledgement just handed to the lane
        }
    }

    /** @return true for the packets a client may still send while the broker shuts down */
    private static boolean finishesAcceptedWork(MqttMessageType type) {
        return switch (type) {
            case PUBACK, PUBREC, PUBREL, PUBCOMP, PINGREQ, DISCONNECT -> true;
            default -> false;
        };
    }

    /**
     * During a graceful shutdown: ends the connection with 0x8B once the client has acknowledged
     * every message sent or queued to it, so that what the broker accepted before it began to shut
     * down is delivered even beyond the client's Receive Maximum. A client that stops acknowledging
     * is cut off when the shutdown grace period ends. Runs on the session's lane.
     */
    private void disconnectWhenDrained() {
        if (!closing && connection.channel().isActive() && session.inflightCount() == 0
            && session.queuedCount() == 0) {
            disconnectWith(ReasonCodes.SERVER_SHUTTING_DOWN, "server shutting down");
        }
    }

    /** Runs work on the session's lane, in order with everything else for that session. */
    void onLane(Runnable work) {
        if (session.lane().inEventLoop()) {
            work.run();
        } else {
            session.lane().execute(work);
        }
    }

    // ---- CONNECT ------------------------------------------------------------------------------

    private void onConnect(ChannelHandlerContext ctx, MqttConnectMessage connect) {
        MqttVersion version = ConnectProcessor.versionOf(connect);
        boolean v5 = version == MqttVersion.MQTT_5;
        String clientId = connect.payload().clientIdentifier();
        LOG.debug("CONNECT client={} {}", clientId, ctx.channel().attr(TransportInfo.KEY).get());
        ConnectPropertyCheck.Fault fault = ctx.channel().attr(ConnectPropertyCheck.FAULT).getAndSet(null);
        if (fault != null) {
            refuse(ctx, version, fault.protocolError() ? ReasonCodes.PROTOCOL_ERROR : ReasonCodes.MALFORMED_PACKET,
                fault.reason(), clientId);
            return;
        }
        if (services.shutdown().isSet()) {
            refuse(ctx, version, v5 ? ReasonCodes.SERVER_SHUTTING_DOWN : ReasonCodes.V3_SERVER_UNAVAILABLE,
                "shutting down", clientId);
            return;
        }
        if (services.channels().size() > services.config().limits().maxConnections()) {
            refuse(ctx, version, v5 ? ReasonCodes.QUOTA_EXCEEDED : ReasonCodes.V3_SERVER_UNAVAILABLE,
                "connection limit reached", clientId);
            return;
        }
        ConnectProcessor.Accepted accepted;
        try {
            accepted = connectProcessor.accept(connect, TenantId.DEFAULT);
        } catch (ConnectProcessor.Refusal r) {
            refuse(ctx, version, r.code, r.getMessage(), clientId);
            return;
        }
        TransportInfo transport = ctx.channel().attr(TransportInfo.KEY).get(); // null on embedded test channels
        // with Authentication Method JWT the token is the Authentication Data, checked as a password-field token
        byte[] secret = accepted.authenticationData() != null ? accepted.authenticationData()
            : connect.payload().passwordInBytes();
        ConnectCredentials credentials = new ConnectCredentials(accepted.clientId(), connect.payload().userName(),
            secret, transport == null ? null : transport.sniHostName(),
            transport == null ? List.of() : transport.peerCertificates(),
            transport == null ? ctx.channel().remoteAddress() : transport.remoteAddress(),
            ConnectionPlugins.sdkVersion(version), transport == null ? null : transport.listener());
        CompletableFuture<AuthDecision> decision = ConnectionPlugins.authorizeWill(services.plugins(),
            services.authenticator().authenticate(credentials).toCompletableFuture(), accepted.will(), credentials);
        if (decision.isDone()) {
            onAuthenticated(ctx, accepted, decision.join());
            return;
        }
        // packets the client sent behind its CONNECT wait (bounded) until the decision; nothing more is read
        pending = new ArrayDeque<>();
        ctx.channel().config().setAutoRead(false);
        decision.whenComplete((d, e) -> ctx.channel().eventLoop().execute(() -> {
            onAuthenticated(ctx, accepted, d);
            ctx.channel().config().setAutoRead(true);
        }));
    }

    private void onAuthenticated(ChannelHandlerContext ctx, ConnectProcessor.Accepted connectAccepted,
                                 AuthDecision decision) {
        ArrayDeque<MqttMessage> waiting = pending;
        pending = null;
        try {
            if (closing || !ctx.channel().isActive()) {
                return;
            }
            MqttVersion version = connectAccepted.version();
            boolean v5 = version == MqttVersion.MQTT_5;
            if (!(decision instanceof AuthDecision.Accepted ok)) {
                AuthDecision.Refused r = (AuthDecision.Refused) decision;
                boolean backingOff = r.refusal() == AuthDecision.Refusal.BACKING_OFF;
                if (r.tenant() != null && services.authenticator().directory().tenant(r.tenant()).isPresent()) {
                    var metrics = services.tenants().space(r.tenant()).metrics();
                    (backingOff ? metrics.authBackoffRefusals : metrics.authFailures).increment();
                }
                AUDIT.info("auth failed tenant={} client={} remote={} reason={}", r.tenant(), connectAccepted.clientId(),
                    ctx.channel().remoteAddress(), r.detail());
                refuse(ctx, version, r.refusal().code(v5), !v5 ? null : backingOff ? "too many failed attempts; try later"
                    : "not authorized", connectAccepted.clientId());
                return;
            }
            ClientIdentity identity = ok.identity();
            if (connectAccepted.authenticationMethod() != null && identity.method() != AuthMethod.JWT) {
                refuse(ctx, version, ReasonCodes.BAD_AUTHENTICATION_METHOD,
                    "the tenant does not authenticate with " + connectAccepted.authenticationMethod(),
                    connectAccepted.clientId());
                return;
            }
            // a tenant that vanished since the decision gets an empty policy: nothing is allowed
            TenantSettings settings = services.authenticator().directory().tenant(identity.tenant()).orElse(null);
            List<PolicyRule> policy = settings == null ? List.of() : settings.policy();
            ClientAcl acl = policy == null ? ClientAcl.ALLOW_ALL : ClientAcl.compile(policy, identity.variables());
            ConnectProcessor.Accepted accepted = connectAccepted.inTenant(identity.tenant());
            if (accepted.will() != null && !acl.mayPublish(accepted.will().message().topic())) {
                refuse(ctx, version, v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_NOT_AUTHORIZED,
                    "the policy does not allow the will topic", accepted.clientId());
                return;
            }
            TenantSpace space = services.tenants().space(identity.tenant());
            TenantLimits limits = settings == null ? TenantLimits.NONE : settings.limits();
            if (!space.quota().tryConnect(limits.maxConnections())) {
                space.metrics().connectionsOverQuota.increment();
                AUDIT.info("connection limit tenant={} client={} max={}", space.id(), accepted.clientId(),
                    limits.maxConnections());
                refuse(ctx, version, v5 ? ReasonCodes.QUOTA_EXCEEDED : ReasonCodes.V3_SERVER_UNAVAILABLE,
                    "the tenant's connection limit is reached", accepted.clientId());
                return;
            }
            connectionSlot = space.quota();
            ClientQuota quota = new ClientQuota(space.quota().plan(limits, services.config().limits()),
                space.quota().nanoTime());
            tenant = space;
            connection = new Connection(ctx.channel(), version, accepted.clientId(),
                Math.min(accepted.clientReceiveMaximum(), services.config().limits().maxInflightOutbound()),
                accepted.clientMaxPacketSize(), accepted.clientTopicAliasMaximum(),
                v5 ? services.config().limits().topicAliasMaximum() : 0,
                accepted.sessionExpirySeconds(), accepted.will(), tenant.metrics(), services.clock(), identity, acl,
                quota);

            if (accepted.keepAliveSeconds() > 0) {
                keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(accepted.keepAliveSeconds() * 1500L); // [MQTT-3.1.2-24]
                deadlineNanos = sweeper.nanoTime() + keepAliveNanos;
            } else {
                sweeper.remove(this);
            }
            if (identity.expiresAt() != null && identity.method() == AuthMethod.JWT) {
                scheduleCredentialExpiry(identity.expiresAt());
            }
            if (accepted.authenticationMethod() != null) {
                reauthentication = new JwtReauthentication(services, this, tenant, connection);
            }
            if (!identity.certificates().isEmpty()) {
                services.authenticator().revocations(identity.tenant()).ifPresent(tenant.liveCertificates()::listenTo);
                liveCertificate = tenant.liveCertificates().register(identity.certificates(),
                    serial -> ctx.executor().execute(() -> onCertificateRevoked(serial)));
            }
            bind(ctx, accepted, accepted.cleanStart());
            if (waiting != null) {
                while (!waiting.isEmpty()) {
                    channelRead(ctx, waiting.pollFirst());
                }
            }
        } finally {
            if (waiting != null) {
                waiting.forEach(ReferenceCountUtil::release);
            }
        }
    }

    /**
     * A token is valid until its exp: the connection ends then [5.0: 0x87 Not authorized], unless a
     * fresh token comes first (re-authentication), which moves the end. Runs on the channel's event loop.
     */
    void scheduleCredentialExpiry(Instant expiresAt) {
        if (credentialExpiry != null) {
            credentialExpiry.cancel(false);
        }
        long delayMillis = Math.max(0, expiresAt.toEpochMilli() - services.clock().millis());
        credentialExpiry = ctx.executor().schedule(() -> {
            if (!closing && connection != null) {
                AUDIT.info("credential expired tenant={} client={}", tenant.id(), connection.clientId());
                disconnectWith(ReasonCodes.NOT_AUTHORIZED, "token expired");
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * A certificate of this connection's chain was revoked while it was open: the connection ends as
     * an expired token's does (5.0: DISCONNECT 0x87 Not authorized, the code for a client that no
     * longer has the right to be connected, §3.14.2.1). Runs on the channel's event loop.
     */
    private void onCertificateRevoked(CertificateSerial serial) {
        if (closing || connection == null) {
            return;
        }
        tenant.metrics().revokedDisconnects.increment();
        AUDIT.info("certificate revoked tenant={} client={} serial={}", tenant.id(), connection.clientId(), serial);
        disconnectWith(ReasonCodes.NOT_AUTHORIZED, "certificate revoked");
    }

    private void bind(ChannelHandlerContext ctx, ConnectProcessor.Accepted accepted, boolean cleanStart) {
        SessionStore.Claim claim = tenant.sessions().claim(accepted.clientId(), cleanStart,
            () -> new Session(tenant, accepted.clientId(), ctx.channel().eventLoop(),
                connection.quota().limits(), services.clock(), services.router()));
        if (claim.replaced() != null) {
            Session replaced = claim.replaced();
            replaced.lane().execute(replaced::replacedByCleanStart);
        }
        session = claim.session();
        packets = new PacketProcessor(services, tenant, session, connection, this);
        onLane(() -> {
            if (!session.attach(connection, accepted.sessionExpirySeconds())) {
                // the session expired between the claim and now: start afresh on this channel's loop
                ctx.channel().eventLoop().execute(() -> bind(ctx, accepted, true));
                return;
            }
            MqttProperties props = connectProcessor.connAckProperties(accepted, connection.quota().limits());
            connection.write(ConnectProcessor.connAck(accepted.version(), ReasonCodes.SUCCESS, claim.resumed(), props));
            counted = 1;
            tenant.metrics().clientsConnected.incrementAndGet();
            tenant.metrics().connectsTotal.increment();
            AUDIT.info("connect tenant={} client={} version={} resumed={} keepAlive={}", tenant.id(),
                accepted.clientId(), accepted.version(), claim.resumed(), accepted.keepAliveSeconds());
            session.resumeDelivery();
            ConnectionPlugins.notifyConnected(packets);
        });
    }

    // ---- tenant limits ------------------------------------------------------------------------

    /**
     * Holds a PUBLISH to the tenant's packet size and to the client's and the tenant's publish rates.
     * Beyond a rate the connection ends (5.0: DISCONNECT 0x96 Message rate too high; 3.1.1, which cannot
     * say why, is closed): a client that ignores a rate limit would otherwise keep the broker busy
     * refusing it. The message is not routed.
     *
     * @return whether the PUBLISH may go on
     */
    private boolean withinQuota(MqttPublishMessage p) {
        int remaining = p.fixedHeader().remainingLength();
        ClientQuota.Verdict verdict = connection.quota().admitPublish(1 + variableByteIntegerSize(remaining) + remaining);
        switch (verdict) {
            case ALLOWED -> {
                return true;
            }
            case TOO_LARGE -> {
                tenant.metrics().packetTooLargeDisconnects.increment();
                disconnectWith(ReasonCodes.PACKET_TOO_LARGE, "packet larger than the tenant's maximum packet size");
            }
            default -> {
                tenant.metrics().rateLimitDisconnects.increment();
                String which = verdict == ClientQuota.Verdict.CLIENT_RATE ? "client" : "tenant";
                AUDIT.info("rate limit tenant={} client={} limit={}", tenant.id(), connection.clientId(), which);
                disconnectWith(ReasonCodes.MESSAGE_RATE_TOO_HIGH, "the " + which + "'s publish rate limit is exceeded",
                    true);
            }
        }
        return false;
    }

    /** @return the bytes of a Remaining Length field [MQTT-2.2.3] */
    private static int variableByteIntegerSize(int value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    private void refuse(ChannelHandlerContext ctx, MqttVersion version, byte code, String reason, String clientId) {
        closing = true;
        AUDIT.info("connect refused tenant={} client={} code=0x{} reason={}", TenantId.DEFAULT, clientId,
            Integer.toHexString(code & 0xFF), reason);
        if (code == 0) {
            ctx.close();
            return;
        }
        MqttProperties props = version == MqttVersion.MQTT_5 ? ConnectProcessor.reasonString(reason)
            : MqttProperties.NO_PROPERTIES;
        ctx.writeAndFlush(ConnectProcessor.connAck(version, code, false, props)).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- DISCONNECT and errors ----------------------------------------------------------------

    private void onDisconnect(ChannelHandlerContext ctx, MqttMessage m) {
        byte reason = 0;
        Long newExpiry = null;
        if (m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            reason = h.reasonCode();
            long requested = ConnectProcessor.unsignedProperty(h.properties(), MqttProperties.SESSION_EXPIRY_INTERVAL, -1);
            if (requested >= 0) {
                if (connection.connectSessionExpiry() == 0 && requested != 0) {
                    protocolError("Session Expiry Interval set at DISCONNECT after 0 at CONNECT"); // §3.14.2.2.2
                    return;
                }
                newExpiry = Math.min(requested, services.config().limits().maxSessionExpirySeconds());
            }
        }
        boolean publishWill = reason == ReasonCodes.DISCONNECT_WITH_WILL;
        if (!publishWill) {
            connection.clearWill(); // [MQTT-3.1.2-10]
        }
        detach(publishWill, newExpiry);
        ctx.close();
    }

    private void detach(boolean publishWill, Long newExpiry) {
        if (detached || session == null) {
            return;
        }
        detached = true;
        Connection c = connection;
        Session s = session;
        ConnectionPlugins.notifyDisconnected(packets, c, publishWill);
        onLane(() -> {
            s.detach(c, publishWill, newExpiry);
            if (COUNTED.getAndSet(this, 0) == 1) {
                tenant.metrics().clientsConnected.decrementAndGet();
            }
        });
        AUDIT.info("disconnect tenant={} client={} will={}", tenant.id(), c.clientId(), publishWill && c.will() != null);
    }

    /** @return whether the broker has decided to end this connection */
    boolean isClosing() {
        return closing;
    }

    void protocolError(String reason) {
        disconnectWith(ReasonCodes.PROTOCOL_ERROR, reason);
    }

    /** Ends the connection for a fault of the client: its will is published. */
    void disconnectWith(byte reasonCode, String reason) {
        disconnectWith(reasonCode, reason, false);
    }

    /** @param lingering whether the client is likely still sending (see {@link Connection#disconnect(byte, String, boolean)}) */
    private void disconnectWith(byte reasonCode, String reason, boolean lingering) {
        closing = true;
        LOG.debug("closing client={} code=0x{}: {}", connection.clientId(), Integer.toHexString(reasonCode & 0xFF), reason);
        restoreCodecVersion();
        connection.disconnect(reasonCode, reason, lingering);
    }

    /**
     * Ends the connection of a client that does not take what it is sent (see {@link SlowConsumerGuard}).
     * The session lets go of the connection first, so nothing is written behind the DISCONNECT, and
     * the will is published as for any connection the broker ends for a fault of the client. Runs on
     * the channel's event loop.
     */
    private void disconnectSlowConsumer(String why) {
        if (closing || detached) {
            return;
        }
        closing = true;
        Connection c = connection;
        tenant.metrics().slowConsumerDisconnects.increment();
        AUDIT.info("slow consumer tenant={} client={} reason={}", tenant.id(), c.clientId(), why);
        detach(true, null);
        onLane(() -> c.disconnect(ReasonCodes.QUOTA_EXCEEDED, "slow consumer"));
    }

    private SlowConsumerGuard slowConsumers(ChannelHandlerContext ctx) {
        if (slowConsumers == null) {
            slowConsumers = new SlowConsumerGuard(ctx.channel(), services.config().limits().slowConsumerTimeoutSeconds(),
                this::disconnectSlowConsumer);
        }
        return slowConsumers;
    }

    private void restoreCodecVersion() {
        // a malformed second CONNECT can make the decoder switch versions; answer in the negotiated one
        connection.channel().attr(CODEC_VERSION).set(connection.version());
    }

    private void onDecoderFailure(ChannelHandlerContext ctx, MqttMessage m) {
        Throwable cause = m.decoderResult().cause();
        if (connection != null) {
            boolean tooLarge = cause instanceof TooLongFrameException;
            if (tooLarge) {
                tenant.metrics().packetTooLargeDisconnects.increment();
            }
            disconnectWith(tooLarge ? ReasonCodes.PACKET_TOO_LARGE : ReasonCodes.MALFORMED_PACKET,
                tooLarge ? "packet too large" : "malformed packet: " + cause.getMessage());
            return;
        }
        boolean isConnect = m.fixedHeader() != null && m.fixedHeader().messageType() == MqttMessageType.CONNECT;
        MqttVersion version = ctx.channel().attr(CODEC_VERSION).get();
        if (!isConnect) {
            ctx.close();
        } else if (cause instanceof MqttUnacceptableProtocolVersionException) {
            // [MQTT-3.1.2-2] answered in the 3.1.1 format, which every client version can read
            ctx.channel().attr(CODEC_VERSION).set(MqttVersion.MQTT_3_1_1);
            refuse(ctx, MqttVersion.MQTT_3_1_1, ReasonCodes.V3_UNACCEPTABLE_PROTOCOL_VERSION, "unsupported protocol",
                null);
        } else if (version == MqttVersion.MQTT_5) {
            byte code = cause instanceof MqttIdentifierRejectedException ? ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID
                : cause instanceof TooLongFrameException ? ReasonCodes.PACKET_TOO_LARGE : ReasonCodes.MALFORMED_PACKET;
            refuse(ctx, version, code, "malformed CONNECT: " + cause.getMessage(), null);
        } else if (cause instanceof MqttIdentifierRejectedException && version != null) {
            refuse(ctx, version, ReasonCodes.V3_IDENTIFIER_REJECTED, "client identifier rejected", null);
        } else {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == SlowConsumerGuard.OVERFLOWED) {
            if (connection != null) {
                slowConsumers(ctx).overflowed();
            }
            return;
        }
        if (evt instanceof ShutdownEvent) {
            if (connection != null) {
                connection.clearWill(); // the broker going away is not the client's failure
                draining = true;
                onLane(this::disconnectWhenDrained);
            } else {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (connection != null && (slowConsumers != null || !ctx.channel().isWritable())) {
            slowConsumers(ctx).writabilityChanged();
        }
        if (ctx.channel().isWritable() && session != null && !detached) {
            Session s = session;
            onLane(() -> {
                s.onWritable();
                if (draining) {
                    disconnectWhenDrained(); // QoS 0 that waited for the connection has now gone out
                }
            });
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (sweeper != null) {
            sweeper.remove(this);
        }
        if (credentialExpiry != null) {
            credentialExpiry.cancel(false);
        }
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending.clear();
        }
        if (slowConsumers != null) {
            slowConsumers.cancel();
        }
        if (connectionSlot != null) {
            connectionSlot.disconnected();
            connectionSlot = null;
        }
        if (liveCertificate != null) {
            liveCertificate.close();
            liveCertificate = null;
        }
        detach(true, null);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("connection error: {}", cause.toString());
        } else {
            LOG.warn("unexpected error on a connection; closing it", cause);
        }
        ctx.close();
    }
}
