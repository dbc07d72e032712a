package io.stratus.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslHandler;
import io.stratus.broker.auth.ClientIdentity;
import io.stratus.broker.auth.acl.ClientAcl;
import io.stratus.broker.codec.PublishEncoder;
import io.stratus.broker.message.Message;
import io.stratus.broker.metrics.TenantMetrics;
import io.stratus.broker.session.Delivery;
import io.stratus.broker.session.Session;
import io.stratus.broker.session.Will;
import io.stratus.broker.tenant.ClientQuota;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One network connection after a successful CONNECT: what was negotiated with the client and how
 * packets reach it. Outbound publishes are written from the session's lane; flushes are coalesced
 * onto the channel's event loop so that a burst of deliveries costs one system call.
 */
public final class Connection implements Session.Link, Runnable {

    private static final AtomicIntegerFieldUpdater<Connection> FLUSH_PENDING =
        AtomicIntegerFieldUpdater.newUpdater(Connection.class, "flushPending");

    /** How long a DISCONNECT the broker sends may take to get out before the connection is closed without it. */
    static final long DISCONNECT_GRACE_SECONDS = 2;

    private final Channel channel;
    private final MqttVersion version;
    private final String clientId;
    private final int sendWindow;
    private final int clientMaxPacketSize;
    private final int clientTopicAliasMaximum;
    private final long connectSessionExpiry;
    private final TenantMetrics metrics;
    private final Clock clock;
    /** 1 while a flush is scheduled on the channel's loop; the connection itself is that task. */
    private volatile int flushPending;

    private volatile Will will;
    /** Who the client proved to be. */
    private final ClientIdentity identity;
    /** What the tenant's policy allows it; publish checks on the channel's loop, receive checks anywhere. */
    private final ClientAcl acl;
    /** The tenant's limits on this connection: its rate buckets and packet size; used on the channel's loop. */
    private final ClientQuota quota;
    /** The tenant's outbound delivery hooks for this connection; null when the broker runs no plugins. */
    private DeliveryHooks deliveryHooks;
    /** The reason code of the DISCONNECT the broker sent, or -1 if it sent none. */
    private volatile int serverReasonCode = -1;
    /** Topic aliases the broker assigned towards the client; touched only on the session's lane. */
    private Map<String, Integer> outboundAliases = Map.of();
    /** Topic aliases the client assigned towards the broker; touched only on the channel's event loop. */
    private final int serverTopicAliasMaximum;
    /** Created on the first alias the client sets: most clients never use any. */
    private String[] inboundAliases;

    Connection(Channel channel, MqttVersion version, String clientId, int sendWindow, int clientMaxPacketSize,
               int clientTopicAliasMaximum, int serverTopicAliasMaximum, long connectSessionExpiry,
               Will will, TenantMetrics metrics, Clock clock, ClientIdentity identity, ClientAcl acl,
               ClientQuota quota) {
        this.identity = identity;
        this.acl = acl;
        this.quota = quota;
        this.channel = channel;
        this.version = version;
        this.clientId = clientId;
        this.sendWindow = sendWindow;
        this.clientMaxPacketSize = clientMaxPacketSize;
        this.clientTopicAliasMaximum = clientTopicAliasMaximum;
        this.connectSessionExpiry = connectSessionExpiry;
        this.will = will;
        this.metrics = metrics;
        this.clock = clock;
        this.serverTopicAliasMaximum = serverTopicAliasMaximum;
    }

    public Channel channel() {
        return channel;
    }

    public boolean isMqtt5() {
        return version == MqttVersion.MQTT_5;
    }

    public MqttVersion version() {
        return version;
    }

    public String clientId() {
        return clientId;
    }

    public ClientIdentity identity() {
        return identity;
    }

    ClientAcl acl() {
        return acl;
    }

    ClientQuota quota() {
        return quota;
    }

    /** Set once, before the session is attached (which publishes it to the lane). */
    void deliveryHooks(DeliveryHooks hooks) {
        this.deliveryHooks = hooks;
    }

    /** @return the reason code of the DISCONNECT the broker sent to end this connection, or -1 */
    int serverReasonCode() {
        return serverReasonCode;
    }

    long connectSessionExpiry() {
        return connectSessionExpiry;
    }

    String[] inboundAliases() {
        if (inboundAliases == null) {
            inboundAliases = new String[serverTopicAliasMaximum + 1];
        }
        return inboundAliases;
    }

    @Override
    public Will will() {
        return will;
    }

    void clearWill() {
        will = null;
    }

    @Override
    public int sendWindow() {
        return sendWindow;
    }

    @Override
    public boolean sendPublish(Delivery d, int packetId, boolean dup) {
        if (!mayReceive(d.message().topic())) {
            return false;
        }
        DeliveryHooks hooks = deliveryHooks;
        if (hooks != null && hooks.active()) {
            return hooks.deliver(d, packetId, dup); // sent once the tenant's outbound hooks have answered
        }
        return sendNow(d, packetId, dup);
    }

    /** @return false, counted, if the tenant's policy denies the client receiving from the topic */
    boolean mayReceive(String topic) {
        if (acl.restrictsReceive() && !acl.mayReceive(topic)) {
            metrics.receiveDenied.increment(); // the tenant's policy: as if delivered, never sent
            return false;
        }
        return true;
    }

    /** Encodes and writes a PUBLISH now; as {@link #sendPublish} without the policy and the hooks. */
    boolean sendNow(Delivery d, int packetId, boolean dup) {
        Message m = d.message();
        boolean mqtt5 = isMqtt5();
        String topic = m.topic();
        int alias = 0;
        if (mqtt5 && clientTopicAliasMaximum > 0) {
            Integer known = outboundAliases.get(topic);
            if (known != null) {
                alias = known;
                topic = "";
            } else if (outboundAliases.size() < clientTopicAliasMaximum) {
                alias = outboundAliases.size() + 1;
            }
        }
        long expiry = mqtt5 ? m.remainingExpirySeconds(clock.millis()) : -1;
        PublishEncoder.Publish p = new PublishEncoder.Publish(topic, packetId, d.qos(), dup && d.qos() > 0,
            d.retain(), m.payload(), m.properties(), expiry, mqtt5 ? d.subscriptionIds() : new int[0], alias);
        ByteBuf encoded = PublishEncoder.encode(channel.alloc(), p, mqtt5);
        int size = encoded.readableBytes();
        if (size > clientMaxPacketSize) {
            encoded.release();
            metrics.droppedTooLarge.increment();
            return false;
        }
        if (alias > 0 && !topic.isEmpty()) {
            if (outboundAliases.isEmpty()) {
                outboundAliases = new HashMap<>(); // only clients that accept aliases get one
            }
            outboundAliases.put(topic, alias);
        }
        writeSoon(encoded);
        metrics.messagesSent.increment();
        metrics.bytesSent.add(size);
        return true;
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void sendPubRel(int packetId) {
        write(pubReply(MqttMessageType.PUBREL, MqttQoS.AT_LEAST_ONCE, packetId, ReasonCodes.SUCCESS));
    }

    @Override
    public void closeForTakeover() {
        disconnect(ReasonCodes.SESSION_TAKEN_OVER, "another connection took over the session");
    }

    @Override
    public void overflowed() {
        // decided on the channel's event loop, where writability changes are seen in order
        channel.pipeline().fireUserEventTriggered(SlowConsumerGuard.OVERFLOWED);
    }

    /** Writes a control packet and schedules a flush. Thread-safe. */
    void write(MqttMessage message) {
        writeSoon(message);
    }

    /**
     * Writes and schedules a flush behind the write. From another thread (a session's lane that is
     * not this channel's loop, after a reconnect) the write is flushed on its own: netty then counts
     * its bytes against the high-water mark at once, so {@link #isWritable()} stays true to what is
     * queued, and no write can land behind a flush that was already pending.
     */
    private void writeSoon(Object message) {
        if (channel.eventLoop().inEventLoop()) {
            channel.write(message, channel.voidPromise());
            flushSoon();
        } else {
            channel.writeAndFlush(message, channel.voidPromise());
        }
    }

    /** Runs on the channel's event loop only. */
    private void flushSoon() {
        if (FLUSH_PENDING.compareAndSet(this, 0, 1)) {
            channel.eventLoop().execute(this);
        }
    }

    /** The coalesced flush; runs on the channel's event loop. */
    @Override
    public void run() {
        flushPending = 0;
        channel.flush();
    }

    /**
     * Closes the connection; on 5.0 a DISCONNECT with the reason code goes first [MQTT-4.13.2-1].
     * The DISCONNECT waits behind whatever the client has not read yet, so the connection is closed
     * after {@link #DISCONNECT_GRACE_SECONDS} whether or not it got out: a client that stopped reading
     * would otherwise hold the connection open for ever. Thread-safe.
     */
    void disconnect(byte reasonCode, String reason) {
        disconnect(reasonCode, reason, false);
    }

    /**
     * As {@link #disconnect(byte, String)}; with {@code lingering}, for a client that is likely still
     * sending (one cut off for its publish rate), the connection is half-closed after the DISCONNECT
     * instead of closed: closing a socket with unread input makes the kernel answer with a reset,
     * which can destroy the DISCONNECT in the client's buffers before it reads why. What arrives
     * meanwhile is discarded, and the connection closes when the client closes its side or after
     * {@link #DISCONNECT_GRACE_SECONDS}. Over TLS, close_notify goes first.
     */
    void disconnect(byte reasonCode, String reason, boolean lingering) {
        if (serverReasonCode < 0) {
            serverReasonCode = reasonCode & 0xFF;
        }
        if (isMqtt5() && channel.isActive()) {
            ChannelFuture written = channel.writeAndFlush(disconnectMessage(reasonCode, reason));
            if (lingering && channel instanceof DuplexChannel duplex) {
                written.addListener(f -> halfClose(duplex, f.isSuccess()));
            } else {
                written.addListener(ChannelFutureListener.CLOSE);
            }
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, DISCONNECT_GRACE_SECONDS, TimeUnit.SECONDS);
        } else {
            channel.close();
        }
    }

    private static void halfClose(DuplexChannel channel, boolean written) {
        if (!written) {
            channel.close();
            return;
        }
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null) {
            tls.closeOutbound().addListener(f -> channel.shutdownOutput());
        } else {
            channel.shutdownOutput();
        }
    }

    static MqttMessage disconnectMessage(byte reasonCode, String reason) {
        MqttProperties props = new MqttProperties();
        if (reason != null) {
            props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, reason));
        }
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
            new MqttReasonCodeAndPropertiesVariableHeader(reasonCode, props));
    }

    static MqttMessage pubReply(MqttMessageType type, MqttQoS qos, int packetId, byte reasonCode) {
        return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0),
            new MqttPubReplyMessageVariableHeader(packetId, reasonCode, MqttProperties.NO_PROPERTIES));
    }
}
