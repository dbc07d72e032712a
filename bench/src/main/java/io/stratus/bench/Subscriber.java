package io.stratus.bench;

import io.netty.buffer.ByteBuf;

/**
 * A subscribing client: acknowledges what it receives (PUBACK at QoS 1, PUBREC then PUBCOMP at
 * QoS 2), tracks the sequence numbers of every publisher to find lost, duplicated and reordered
 * messages, and optionally records end-to-end latency from the intended send time in the payload.
 */
final class Subscriber extends MqttClient {

    private final SeqTracker[] trackers;
    private final LogHistogram latency;
    private long latencyFrom;
    private long latencyUntil;
    private long received;
    private long malformed;

    volatile long receivedSnapshot;

    private Flow flow;
    private int flowIndex;
    /** Publishers heard from since the last read burst, for {@link Flow#advance}. */
    private final boolean[] touched;
    private final int[] touchedList;
    private int touchedCount;

    /**
     * @param publishers   how many publishers there are (indexes 0 .. publishers-1)
     * @param latency      where to record latencies, or null
     * @param latencyFrom  record only messages intended to be sent at or after this nanoTime ...
     * @param latencyUntil ... and before this one
     */
    Subscriber(boolean v5, String clientId, int keepAlive, int publishers, LogHistogram latency,
               long latencyFrom, long latencyUntil) {
        super(v5, clientId, keepAlive);
        this.trackers = new SeqTracker[publishers];
        for (int i = 0; i < publishers; i++) {
            trackers[i] = new SeqTracker();
        }
        this.touched = new boolean[publishers];
        this.touchedList = new int[publishers];
        this.latency = latency;
        this.latencyFrom = latencyFrom;
        this.latencyUntil = latencyUntil;
    }

    @Override
    protected void onPublish(ByteBuf buf, int qos, int packetId, int payloadIndex, int payloadLength) {
        received++;
        if (payloadLength < Payloads.HEADER) {
            malformed++;
        } else {
            long word = buf.getLong(payloadIndex);
            int publisher = Payloads.publisher(word);
            if (publisher < trackers.length) {
                trackers[publisher].record(Payloads.seq(word));
                if (!touched[publisher]) {
                    touched[publisher] = true;
                    touchedList[touchedCount++] = publisher;
                }
            } else {
                malformed++;
            }
            if (latency != null) {
                long intended = buf.getLong(payloadIndex + 8);
                if (intended >= latencyFrom && intended < latencyUntil) {
                    latency.record(System.nanoTime() - intended);
                }
            }
        }
        if (qos == 1) {
            writePubReply(PUBACK, packetId);
        } else if (qos == 2) {
            writePubReply(PUBREC, packetId);
        }
    }

    /** Records latencies of messages intended to be sent in [from, until); call on the event loop. */
    void setLatencyWindow(long from, long until) {
        latencyFrom = from;
        latencyUntil = until;
    }

    /** Reports progress to the end-to-end flow control as subscriber {@code index}; before connecting. */
    void flow(Flow f, int index) {
        this.flow = f;
        this.flowIndex = index;
    }

    @Override
    protected void afterRead() {
        receivedSnapshot = received;
        for (int i = 0; i < touchedCount; i++) {
            int p = touchedList[i];
            touched[p] = false;
            if (flow != null) {
                flow.advance(flowIndex, p, trackers[p].highest() + 1);
            }
        }
        touchedCount = 0;
    }

    /** Final figures; call on the event loop. */
    Stats stats(long[] sentByPublisher) {
        long distinct = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long missing = 0;
        long beyond = 0;
        for (int i = 0; i < trackers.length; i++) {
            SeqTracker t = trackers[i];
            distinct += t.distinct();
            duplicates += t.duplicates();
            outOfOrder += t.outOfOrder();
            missing += t.missing(sentByPublisher[i]);
            beyond += t.beyond(sentByPublisher[i]);
        }
        return new Stats(received, distinct, duplicates, outOfOrder, missing, beyond + malformed);
    }

    /**
     * @param missing sequence numbers sent but never received
     * @param invalid messages with a payload this generator did not send (should be 0)
     */
    record Stats(long received, long distinct, long duplicates, long outOfOrder, long missing, long invalid) {

        static Stats sum(Iterable<Stats> all) {
            long r = 0, d = 0, dup = 0, ooo = 0, m = 0, inv = 0;
            for (Stats s : all) {
                r += s.received;
                d += s.distinct;
                dup += s.duplicates;
                ooo += s.outOfOrder;
                m += s.missing;
                inv += s.invalid;
            }
            return new Stats(r, d, dup, ooo, m, inv);
        }
    }
}
