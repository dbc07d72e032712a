package io.stratus.broker.session;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.message.Message;
import io.stratus.broker.routing.Subscriber;
import io.stratus.broker.routing.Subscription;
import io.stratus.broker.tenant.TenantSpace;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.LongAdder;

/**
 * The state of one client's session: subscriptions, outbound messages in flight and queued, inbound
 * QoS 2 packet identifiers, expiry and the pending will.
 *
 * <p>Threading: every method that is not documented as thread-safe runs on {@link #lane()}, the
 * event loop chosen when the session was created. Work for a session from other threads is handed
 * to its lane ({@link #offer}), so the state needs no locks.
 */
public final class Session implements Subscriber {

    /** What a delivery handed between lanes costs beyond its payload: task, delivery, queue node. */
    private static final int HAND_OVER_OVERHEAD = 128;
    /** The queues of a session that has none: shared, so never written to (writers replace it first). */
    private static final ArrayDeque<Delivery> NO_DELIVERIES = new ArrayDeque<>(0);
    private static final AtomicLongFieldUpdater<Session> IN_TRANSIT =
        AtomicLongFieldUpdater.newUpdater(Session.class, "qos0InTransitBytes");
    private static final AtomicIntegerFieldUpdater<Session> OVERFLOW =
        AtomicIntegerFieldUpdater.newUpdater(Session.class, "inTransitOverflow");

    /** Where outbound packets of a session go while a client is connected. */
    public interface Link {
        /** @return the window the client allows: its Receive Maximum, capped by the broker's limit */
        int sendWindow();

        /**
         * Sends a PUBLISH; returns false if it was not sent because it exceeds the client's Maximum
         * Packet Size (the message is then discarded for this client, [MQTT-3.1.2-25]) or the
         * tenant's policy denies the client receiving it (discarded and counted likewise).
         */
        boolean sendPublish(Delivery delivery, int packetId, boolean dup);

        void sendPubRel(int packetId);

        /** @return false while the connection's outbound buffer is above its high-water mark */
        boolean isWritable();

        /** Closes the connection because another connection took the session over. */
        void closeForTakeover();

        /**
         * A message for this connection's client was dropped because the session's queue was full
         * while the connection could not take more: its client does not keep up. Called on the
         * session's lane, at most once until the connection drains again.
         */
        void overflowed();

        /** @return the will of this connection, or null */
        Will will();
    }

    /** Receives messages that a session gives up: wills, and shared-subscription messages to reroute. */
    public interface Outlet {
        void publishWill(TenantSpace tenant, Message will);

        /**
         * Hands an undelivered message of a shared subscription to another online member of its group.
         *
         * @return false if no other member is online (the message then stays with this session)
         */
        boolean reroute(TenantSpace tenant, Session from, Delivery delivery);
    }

    private static final class Inflight {
        final Delivery delivery;
        final int packetId;
        boolean released;
        /** False while, after a reconnect, it waits for a slot in the new connection's send window. */
        boolean sent = true;

        Inflight(Delivery delivery, int packetId) {
            this.delivery = delivery;
            this.packetId = packetId;
        }
    }

    private final TenantSpace tenant;
    private final String clientId;
    private final EventExecutor lane;
    private final LimitsConfig limits;
    private final Clock clock;
    private final Outlet outlet;

    private volatile boolean online;
    private volatile boolean ended;

    /** Written on the lane; volatile so that {@link #link()} may be read anywhere (plugins look clients up). */
    private volatile Link link;
    private long expirySeconds;
    private ScheduledFuture<?> expiryTask;
    private ScheduledFuture<?> willTask;
    private Will pendingWill;

    // Most sessions of an idle fleet never hold a subscription, an in-flight message or a queued
    // one: their collections start as shared empty ones (read-only, never written: the first write
    // replaces them), which saves a few hundred bytes per connection.
    private Map<String, Subscription> subscriptions = Collections.emptyMap();
    private Map<Integer, Inflight> inflight = Collections.emptyMap();
    // small to start with: most sessions never queue, and there may be hundreds of thousands of them
    private ArrayDeque<Delivery> queue = NO_DELIVERIES;
    /** QoS 0 messages for an online client whose connection cannot take more just now. */
    private ArrayDeque<Delivery> qos0Queue = NO_DELIVERIES;
    /** Bytes of QoS 0 deliveries handed to this lane and not yet run there, overhead included. */
    private volatile long qos0InTransitBytes;
    /** 1 while an overflow of the hand-over waits to be reported on the lane: one task, not one per drop. */
    private volatile int inTransitOverflow;
    private long queuedBytes;
    private Set<Integer> inboundQos2 = Collections.emptySet();
    private int nextPacketId = 1;
    /** In-flight PUBLISHes not yet resent on the current connection; they go before the queue. */
    private int unsent;
    /** Whether the link has been told of an overflow since it last drained (once is enough). */
    private boolean overflowReported;

    public Session(TenantSpace tenant, String clientId, EventExecutor lane, LimitsConfig limits, Clock clock,
                   Outlet outlet) {
        this.tenant = tenant;
        this.clientId = clientId;
        this.lane = lane;
        this.limits = limits;
        this.clock = clock;
        this.outlet = outlet;
    }

    /** @return the event loop all of this session's state is confined to; thread-safe */
    public EventExecutor lane() {
        return lane;
    }

    /** Thread-safe. */
    @Override
    public String clientId() {
        return clientId;
    }

    /** Thread-safe. */
    @Override
    public boolean isOnline() {
        return online;
    }

    /** Thread-safe. */
    public boolean isEnded() {
        return ended;
    }

    public TenantSpace tenant() {
        return tenant;
    }

    /** Thread-safe. @return the connection bound to this session now, or null while its client is offline */
    public Link link() {
        return link;
    }

    /**
     * Thread-safe: hands a delivery to this session's lane, or runs it at once when already there.
     */
    public void offer(Delivery delivery) {
        if (lane.inEventLoop()) {
            deliver(delivery);
            return;
        }
        // QoS 1/2 in transit is bounded by the publishers' Receive Maximum; QoS 0 is bounded here, by
        // the session's byte budget, so a flood towards a slow subscriber cannot grow its lane's
        // task queue without limit
        if (delivery.qos() == 0) {
            long weight = delivery.weight() + HAND_OVER_OVERHEAD;
            if (!reserveInTransit(weight)) {
                tenant.metrics().droppedSlowConsumer.increment();
                if (OVERFLOW.compareAndSet(this, 0, 1)) {
                    lane.execute(() -> {
                        inTransitOverflow = 0;
                        reportOverflow();
                    });
                }
                return;
            }
            lane.execute(() -> {
                IN_TRANSIT.addAndGet(this, -weight);
                deliver(delivery);
            });
        } else {
            lane.execute(() -> deliver(delivery));
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    /**
     * Binds a new connection. A connection still bound is closed first (takeover) [MQTT-3.1.4-3];
     * its will is published only when it has no delay, since the session goes on. Then unacknowledged
     * messages are sent again with DUP set [MQTT-4.4.0-1] and the queue is drained.
     *
     * @return false if the session ended before it could be resumed (the caller starts a new one)
     */
    public boolean attach(Link newLink, long sessionExpirySeconds) {
        if (ended) {
            return false;
        }
        if (link != null) {
            Link old = link;
            link = null;
            old.closeForTakeover();
            Will will = old.will();
            if (will != null && will.delaySeconds() == 0) {
                outlet.publishWill(tenant, will.messageAt(clock.millis()));
            }
        }
        cancel(expiryTask);
        expiryTask = null;
        // [MQTT-3.1.3-9] a new connection before the will delay elapses means no will
        cancel(willTask);
        willTask = null;
        pendingWill = null;
        link = newLink;
        overflowReported = false;
        expirySeconds = sessionExpirySeconds;
        online = true;
        return true;
    }

    /** @return whether the bytes fit in the hand-over budget; never exceeds it, even for a moment */
    private boolean reserveInTransit(long weight) {
        long max = limits.maxQueuedBytes();
        while (true) {
            long current = qos0InTransitBytes;
            if (current + weight > max) {
                return false;
            }
            if (IN_TRANSIT.compareAndSet(this, current, current + weight)) {
                return true;
            }
        }
    }

    /**
     * Sends again what was unacknowledged; call after the CONNACK has been written. PUBRELs go at
     * once; unacknowledged PUBLISHes keep their identifiers [MQTT-4.4.0-1] but are resent only as the
     * new connection's window allows [MQTT-3.3.4-9], which may be smaller than the previous one.
     */
    public void resumeDelivery() {
        unsent = 0;
        for (Inflight f : inflight.values()) {
            f.sent = f.released;
            if (f.released) {
                link.sendPubRel(f.packetId);
            } else {
                unsent++;
            }
        }
        drainQueue();
    }

    /**
     * The connection is gone. The will is published after its delay unless the session resumes
     * first, and the session ends after its expiry interval. [MQTT-3.1.2-8], [MQTT-3.1.3-9]
     */
    public void detach(Link oldLink, boolean publishWill, Long newExpirySeconds) {
        if (link != oldLink) {
            return; // already taken over: that connection's end is no longer this session's business
        }
        link = null;
        online = false;
        dropQos0Queue(tenant.metrics().droppedOffline);
        if (newExpirySeconds != null) {
            expirySeconds = newExpirySeconds;
        }
        rerouteSharedDeliveries();
        Will will = oldLink.will();
        if (publishWill && will != null) {
            long delay = Math.min(will.delaySeconds(), expirySeconds);
            if (delay <= 0) {
                outlet.publishWill(tenant, will.messageAt(clock.millis()));
            } else {
                pendingWill = will;
                willTask = lane.schedule(this::firePendingWill, delay, TimeUnit.SECONDS);
            }
        }
        if (expirySeconds <= 0) {
            end();
        } else {
            expiryTask = lane.schedule(this::end, expirySeconds, TimeUnit.SECONDS);
        }
    }

    /** Another connection started a new session with this client id: this one ends now. */
    public void replacedByCleanStart() {
        if (link != null) {
            Link old = link;
            old.closeForTakeover();
            detach(old, true, 0L);
        } else {
            end();
        }
    }

    /** Ends the session: its subscriptions go, its queue is dropped and counted, a pending will fires. */
    public void end() {
        if (ended) {
            return;
        }
        ended = true;
        online = false;
        cancel(expiryTask);
        expiryTask = null;
        firePendingWill();
        tenant.topics().unsubscribeAll(this);
        subscriptions = Collections.emptyMap();
        tenant.sessions().remove(this);
        dropQos0Queue(tenant.metrics().droppedSessionEnded);
        long lost = queue.size();
        for (Inflight f : inflight.values()) {
            if (!f.released) {
                lost++;
            }
        }
        tenant.metrics().droppedSessionEnded.add(lost);
        queue = NO_DELIVERIES;
        queuedBytes = 0;
        inflight = Collections.emptyMap();
        unsent = 0;
        inboundQos2 = Collections.emptySet();
    }

    /** QoS 0 messages are not kept for a client that is gone. */
    private void dropQos0Queue(LongAdder counter) {
        for (Delivery d : qos0Queue) {
            queuedBytes -= d.weight();
        }
        counter.add(qos0Queue.size());
        qos0Queue = NO_DELIVERIES;
    }

    private void firePendingWill() {
        cancel(willTask);
        willTask = null;
        if (pendingWill != null) {
            Will will = pendingWill;
            pendingWill = null;
            outlet.publishWill(tenant, will.messageAt(clock.millis()));
        }
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    // ---- subscriptions ------------------------------------------------------------------------

    /** @return the subscriptions by their filter as the client wrote it; read-only */
    public Map<String, Subscription> subscriptions() {
        return Collections.unmodifiableMap(subscriptions);
    }

    /** Records a subscription under its filter, replacing an earlier one with the same filter. */
    public void putSubscription(String filter, Subscription subscription) {
        if (!(subscriptions instanceof HashMap)) {
            subscriptions = new HashMap<>();
        }
        subscriptions.put(filter, subscription);
    }

    /** @return the subscription removed, or null if there was none with that filter */
    public Subscription removeSubscription(String filter) {
        return subscriptions.remove(filter);
    }

    public long expirySeconds() {
        return expirySeconds;
    }

    // ---- outbound -----------------------------------------------------------------------------

    private void deliver(Delivery d) {
        if (ended) {
            tenant.metrics().droppedSessionEnded.increment();
            return;
        }
        if (d.message().isExpired(clock.millis())) {
            tenant.metrics().droppedExpired.increment();
            return;
        }
        if (d.qos() == 0) {
            if (link == null) {
                tenant.metrics().droppedOffline.increment();
            } else if (qos0Queue.isEmpty() && link.isWritable()) {
                link.sendPublish(d, 0, false);
            } else if (queuedBytes + d.weight() + qos0Queue.size() * (long) HAND_OVER_OVERHEAD
                <= limits.maxQueuedBytes()) {
                // sent when the connection drains (onWritable); a backlog of an online client is
                // bounded by bytes (overhead included), the count limit being for queued QoS 1/2
                if (qos0Queue == NO_DELIVERIES) {
                    qos0Queue = new ArrayDeque<>();
                }
                qos0Queue.addLast(d);
                queuedBytes += d.weight();
            } else {
                tenant.metrics().droppedSlowConsumer.increment();
                reportOverflow();
            }
            return;
        }
        if (link != null && queue.isEmpty() && unsent == 0 && hasRoomToSend()) {
            send(d);
        } else {
            enqueue(d);
        }
    }

    /**
     * Whether a QoS 1/2 PUBLISH may go out now: the client's window has a slot, and the connection
     * is below its high-water mark. Without the second, a window of large messages to a client that
     * does not read would pile up in the connection's buffer, beyond the bounds of the queue.
     */
    private boolean hasRoomToSend() {
        return inflight.size() < link.sendWindow() && link.isWritable();
    }

    private boolean hasRoomFor(Delivery d) {
        return queue.size() < limits.maxQueuedMessages() && queuedBytes + d.weight() <= limits.maxQueuedBytes();
    }

    private void enqueue(Delivery d) {
        if (!hasRoomFor(d)) {
            tenant.metrics().droppedQueueFull.increment();
            reportOverflow();
            return;
        }
        if (queue == NO_DELIVERIES) {
            queue = new ArrayDeque<>();
        }
        queue.addLast(d);
        queuedBytes += d.weight();
    }

    private void send(Delivery d) {
        int packetId = allocatePacketId();
        if (link.sendPublish(d, packetId, false)) {
            if (!(inflight instanceof LinkedHashMap)) {
                inflight = new LinkedHashMap<>();
            }
            inflight.put(packetId, new Inflight(d, packetId));
        }
    }

    /**
     * Tells an online client's connection that a message for it was just dropped, if the connection
     * cannot take more either: the client is then a slow consumer, not merely one with a full window
     * (a client that reads but does not acknowledge stays writable, and only loses what overflows).
     */
    private void reportOverflow() {
        if (link != null && !overflowReported && !link.isWritable()) {
            overflowReported = true;
            link.overflowed();
        }
    }

    /** The connection's outbound buffer went below its low-water mark: send what waited for it. */
    public void onWritable() {
        overflowReported = false;
        drainQueue();
    }

    private void drainQueue() {
        resendInflight();
        while (link != null && !qos0Queue.isEmpty() && link.isWritable()) {
            Delivery d = qos0Queue.pollFirst();
            queuedBytes -= d.weight();
            if (d.message().isExpired(clock.millis())) {
                tenant.metrics().droppedExpired.increment();
                continue;
            }
            link.sendPublish(d, 0, false);
        }
        while (link != null && unsent == 0 && !queue.isEmpty() && hasRoomToSend()) {
            Delivery d = queue.pollFirst();
            queuedBytes -= d.weight();
            if (d.message().isExpired(clock.millis())) {
                tenant.metrics().droppedExpired.increment();
                continue;
            }
            send(d);
        }
    }

    /** Resends, in order and with DUP set, in-flight PUBLISHes the current connection has not had yet. */
    private void resendInflight() {
        Iterator<Inflight> it = inflight.values().iterator();
        while (link != null && unsent > 0 && inflight.size() - unsent < link.sendWindow() && link.isWritable()
            && it.hasNext()) {
            Inflight f = it.next();
            if (f.sent) {
                continue;
            }
            f.sent = true;
            unsent--;
            if (!link.sendPublish(f.delivery, f.packetId, true)) {
                it.remove(); // too large for this connection: discarded as if delivered [MQTT-3.1.2-25]
            }
        }
    }

    /** Ends an exchange: the packet identifier is free again. */
    private void forget(Inflight f) {
        inflight.remove(f.packetId);
        if (!f.sent) {
            unsent--;
        }
    }

    private int allocatePacketId() {
        // in-flight is bounded well below 65535, so a free id is always found
        while (true) {
            int id = nextPacketId;
            nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
            if (!inflight.containsKey(id)) {
                return id;
            }
        }
    }

    /** @return true if the packet id was in flight at QoS 1 */
    public boolean onPubAck(int packetId) {
        Inflight f = inflight.get(packetId);
        if (f == null || f.delivery.qos() != 1) {
            return false;
        }
        forget(f);
        drainQueue();
        return true;
    }

    /**
     * @param failed true if a 5.0 client answered with an error reason code: the exchange ends there
     * @return true if the packet id was in flight at QoS 2 (the caller then sends PUBREL)
     */
    public boolean onPubRec(int packetId, boolean failed) {
        Inflight f = inflight.get(packetId);
        if (f == null || f.delivery.qos() != 2) {
            return false;
        }
        if (failed) {
            forget(f);
            drainQueue();
            return false;
        }
        if (!f.sent) {
            // received on an earlier connection and acknowledged now: not to be resent any more
            f.sent = true;
            unsent--;
        }
        f.released = true;
        return true;
    }

    /** @return true if the packet id was awaiting PUBCOMP */
    public boolean onPubComp(int packetId) {
        Inflight f = inflight.get(packetId);
        if (f == null || !f.released) {
            return false;
        }
        forget(f);
        drainQueue();
        return true;
    }

    /** Sends retained messages and other deliveries that originate in this session's own lane. */
    public void deliverNow(Delivery d) {
        deliver(d);
    }

    // ---- inbound QoS 2 ------------------------------------------------------------------------

    /** @return true if the id was new; false if this PUBLISH is a duplicate of one not yet released */
    public boolean markInboundQos2(int packetId) {
        if (!(inboundQos2 instanceof HashSet)) {
            inboundQos2 = new HashSet<>();
        }
        return inboundQos2.add(packetId);
    }

    public boolean isInboundQos2Pending(int packetId) {
        return inboundQos2.contains(packetId);
    }

    public int inboundQos2Count() {
        return inboundQos2.size();
    }

    /** @return true if the id was awaiting PUBREL */
    public boolean releaseInboundQos2(int packetId) {
        return inboundQos2.remove(packetId);
    }

    // ---- shared subscriptions -----------------------------------------------------------------

    private void rerouteSharedDeliveries() {
        Iterator<Inflight> it = inflight.values().iterator();
        while (it.hasNext()) {
            Inflight f = it.next();
            if (!f.released && f.delivery.sharedGroup() != null && outlet.reroute(tenant, this, f.delivery)) {
                it.remove();
            }
        }
        Iterator<Delivery> q = queue.iterator();
        while (q.hasNext()) {
            Delivery d = q.next();
            if (d.sharedGroup() != null && outlet.reroute(tenant, this, d)) {
                queuedBytes -= d.weight();
                q.remove();
            }
        }
    }

    // ---- introspection for statistics and tests ----------------------------------------------

    public int inflightCount() {
        return inflight.size();
    }

    public int queuedCount() {
        return queue.size() + qos0Queue.size();
    }

    /** @return payload bytes of the queued messages, QoS 0 and QoS 1/2 together */
    public long queuedBytes() {
        return queuedBytes;
    }

    /** Thread-safe. @return bytes of QoS 0 deliveries handed to this session's lane and not yet run there */
    public long qos0InTransitBytes() {
        return qos0InTransitBytes;
    }
}
