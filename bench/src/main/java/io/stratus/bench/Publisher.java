package io.stratus.bench;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A publishing client. In flood mode it sends as fast as the connection takes it: at QoS 0 until
 * the channel stops being writable (so the generator never buffers without bound), at QoS 1 and 2
 * up to {@code window} unacknowledged messages. In paced mode it sends message k at
 * {@code start + k * interval} and stamps it with that intended time, so that a late send shows up
 * as latency instead of being hidden (coordinated omission).
 *
 * <p>Payloads: the first 16 bytes are written per message; the filler after them is one shared
 * read-only buffer, copied when small and otherwise handed to the channel as a retained duplicate.
 */
final class Publisher extends MqttClient {

    /** Payload bytes after the header up to which the filler is copied instead of written separately. */
    private static final int COPY_FILLER_UP_TO = 512;
    /** Bytes one burst writes before flushing and letting other channels run. */
    private static final int BURST_BYTES = 64 * 1024;
    private static final int BURST_MESSAGES = 512;
    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long RECHECK_MILLIS = 10;

    private final int index;
    private final byte[] topic;
    private final int qos;
    private final int payload;
    private final ByteBuf filler;
    private final int window;
    private final boolean[] inUse = new boolean[65_536];
    private int nextPacketId = 1;

    private final boolean paced;
    private long nextDue;
    private long interval;
    private long stopAt;
    private boolean tickScheduled;

    private boolean running;
    private long seq;

    private Flow flow;
    /** Set when the end-to-end window stopped the publisher; a subscriber's progress clears it. */
    volatile boolean paused;
    private boolean recheckScheduled;
    private long lastDelivered = -1;
    private long lastProgressAt;
    /** Messages allowed beyond the window because the subscribers made no progress for a while. */
    private long stallAllowance;
    private long stallReleases;
    private int inflight;
    private long acked;
    private long refused;

    volatile long sentSnapshot;
    volatile int inflightSnapshot;
    volatile long ackedSnapshot;

    /**
     * @param filler the payload bytes after the 16-byte header ({@code payload - 16} readable),
     *               shared by every publisher; never modified
     */
    Publisher(boolean v5, int index, String clientId, int keepAlive, String topic, int qos, int payload,
              ByteBuf filler, int window, boolean paced) {
        super(v5, clientId, keepAlive);
        this.index = index;
        this.topic = topic.getBytes(StandardCharsets.UTF_8);
        this.qos = qos;
        this.payload = payload;
        this.filler = filler;
        this.window = window;
        this.paced = paced;
    }

    /** Limits the publisher to {@code flow.window} messages ahead of its subscribers; before start. */
    void flow(Flow f) {
        this.flow = f;
    }

    /** Starts flooding. Thread-safe. */
    void startFlood() {
        ctx.executor().execute(() -> {
            running = true;
            pump();
        });
    }

    /**
     * Starts sending at a fixed rate: the first message is due at {@code firstDue}, then one every
     * {@code intervalNanos}, the last one before {@code stopAtNanos}. Thread-safe.
     */
    void startPaced(long firstDue, long intervalNanos, long stopAtNanos) {
        ctx.executor().execute(() -> {
            nextDue = firstDue;
            interval = intervalNanos;
            stopAt = stopAtNanos;
            running = true;
            pump();
        });
    }

    /** Stops sending new messages; acknowledgements of those in flight are still processed. Thread-safe. */
    void stop() {
        ctx.executor().execute(() -> running = false);
    }

    private void pump() {
        if (!running || !ctx.channel().isActive()) {
            return;
        }
        if (paced) {
            pumpPaced();
            return;
        }
        long limit = Long.MAX_VALUE;
        if (flow != null) {
            limit = flowLimit();
        }
        int sent = 0;
        while (sent < BURST_MESSAGES && batched() < BURST_BYTES && ctx.channel().isWritable()
            && (qos == 0 || inflight < window) && seq < limit) {
            send(0L);
            sent++;
        }
        if (sent > 0) {
            flush();
            publishSnapshots();
        }
        if (flow != null && seq >= limit) {
            pause();
            return;
        }
        if (sent > 0 && qos == 0 && ctx.channel().isWritable()) {
            // go on after other channels on this loop have had their turn
            ctx.executor().execute(this::pump);
        }
    }

    /** @return the first sequence number the end-to-end window does not allow yet */
    private long flowLimit() {
        long delivered = flow.delivered(index);
        long now = System.nanoTime();
        if (delivered != lastDelivered) {
            lastDelivered = delivered;
            lastProgressAt = now;
        } else if (qos == 0 && seq - delivered >= flow.window && now - lastProgressAt > STALL_NANOS) {
            // nothing arrived for a while although a window is out: at QoS 0 the tail may have been
            // dropped, and nothing later would ever tell; let one more window go, and count it. At
            // QoS 1 and 2 nothing may be dropped, so the publisher waits for as long as it takes.
            // (Releasing more there would only pile more onto a broker that is already behind.)
            stallAllowance += flow.window;
            stallReleases++;
            lastProgressAt = now;
        }
        return delivered + flow.window + stallAllowance;
    }

    private void pause() {
        paused = true;
        // a subscriber may have advanced between the check and the flag: look once more
        if (seq < flow.delivered(index) + flow.window / 2 + stallAllowance) {
            paused = false;
            ctx.executor().execute(this::pump);
            return;
        }
        if (!recheckScheduled) {
            recheckScheduled = true;
            ctx.executor().schedule(() -> {
                recheckScheduled = false;
                if (paused) {
                    paused = false;
                    pump();
                }
            }, RECHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Resumes a paused publisher. Thread-safe. */
    void wake() {
        if (paused) {
            paused = false;
            ctx.executor().execute(this::pump);
        }
    }

    private void pumpPaced() {
        long now = System.nanoTime();
        int sent = 0;
        while (nextDue <= now && nextDue < stopAt && (qos == 0 || inflight < window) && ctx.channel().isWritable()) {
            send(nextDue);
            nextDue += interval;
            sent++;
        }
        if (sent > 0) {
            flush();
            publishSnapshots();
        }
        if (nextDue >= stopAt) {
            running = false;
            return;
        }
        if (!tickScheduled && nextDue > now) {
            tickScheduled = true;
            ctx.executor().schedule(() -> {
                tickScheduled = false;
                pump();
            }, nextDue - now, TimeUnit.NANOSECONDS);
        }
        // otherwise the window or the socket is full: an acknowledgement or writability resumes it
    }

    private void send(long stamp) {
        int packetId = 0;
        if (qos > 0) {
            packetId = allocatePacketId();
            inflight++;
        }
        int fillerLength = payload - Payloads.HEADER;
        boolean copy = fillerLength <= COPY_FILLER_UP_TO;
        ByteBuf b = publishHeader(topic, qos, packetId, payload, Payloads.HEADER + (copy ? fillerLength : 0));
        b.writeLong(Payloads.word(index, seq++));
        b.writeLong(stamp);
        if (fillerLength > 0) {
            if (copy) {
                b.writeBytes(filler, filler.readerIndex(), fillerLength);
            } else {
                writeAfterBatch(filler.retainedDuplicate());
            }
        }
    }

    private int allocatePacketId() {
        while (true) {
            int id = nextPacketId;
            nextPacketId = id == 65_535 ? 1 : id + 1;
            if (!inUse[id]) {
                inUse[id] = true;
                return id;
            }
        }
    }

    private void complete(int packetId, int reason) {
        if (!inUse[packetId]) {
            return; // not ours: ignored
        }
        inUse[packetId] = false;
        inflight--;
        acked++;
        if (reason >= 0x80) {
            refused++;
        }
    }

    @Override
    protected void onPubAck(int packetId, int reason) {
        if (qos == 1) {
            complete(packetId, reason);
        }
    }

    @Override
    protected void onPubRec(int packetId, int reason) {
        if (reason >= 0x80) {
            complete(packetId, reason); // the exchange ends at a failed PUBREC
        } else {
            writePubReply(PUBREL, packetId);
        }
    }

    @Override
    protected void onPubComp(int packetId, int reason) {
        if (qos == 2) {
            complete(packetId, reason);
        }
    }

    @Override
    protected void afterRead() {
        publishSnapshots();
        if (qos > 0) {
            pump();
        }
    }

    @Override
    protected void onWritable() {
        pump();
    }

    private void publishSnapshots() {
        sentSnapshot = seq;
        inflightSnapshot = inflight;
        ackedSnapshot = acked;
    }

    int index() {
        return index;
    }

    /** Final figures; call on the event loop once sending has stopped. */
    Stats stats() {
        return new Stats(seq, acked, refused, inflight, stallReleases);
    }

    record Stats(long sent, long acked, long refused, int inflight, long stallReleases) {
    }
}
