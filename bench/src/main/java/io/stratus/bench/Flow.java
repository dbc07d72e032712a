package io.stratus.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * End-to-end flow control of the throughput scenarios: a publisher may be at most {@code window}
 * messages ahead of the slowest subscriber that receives it. A subscriber's position for a
 * publisher is the highest sequence number it has seen from it, plus one; messages below that which
 * never arrived are lost, not pending (one publisher on one topic is delivered in order), so a loss
 * does not stall the publisher. At QoS 0 a publisher that sees no progress at all for 250 ms
 * is let one window further (its whole window may have been dropped, and nothing later would tell).
 *
 * <p>Without it, a publisher at QoS 0 (or at QoS 1/2, since brokers acknowledge a PUBLISH once
 * it is queued, not once it is delivered) can fill the kernel's socket buffers (megabytes per
 * loopback connection) and the broker's queues faster than anything is delivered: the received rate
 * then measures the broker's worst case, and what is still buffered when the run ends shows up as
 * lost. {@code --e2e-window 0} turns it off for exactly that flood.
 *
 * <p>Threading: subscribers write their positions with release stores after each read burst;
 * publishers read them on their own event loops.
 */
final class Flow {

    final int window;
    /** [subscriber] -> [publisher] -> highest sequence number seen + 1. */
    private final AtomicLongArray[] positions;
    /** [publisher] -> the subscribers that receive it. */
    private final int[][] receivers;
    private Publisher[] publishers;

    Flow(int window, int subscribers, int[][] receivers) {
        this.window = window;
        this.receivers = receivers;
        this.positions = new AtomicLongArray[subscribers];
        for (int s = 0; s < subscribers; s++) {
            positions[s] = new AtomicLongArray(receivers.length);
        }
    }

    void publishers(Publisher[] all) {
        this.publishers = all;
    }

    /** @return how far every receiver of the publisher has got (its lowest position) */
    long delivered(int publisher) {
        long min = Long.MAX_VALUE;
        for (int s : receivers[publisher]) {
            min = Math.min(min, positions[s].get(publisher));
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    /** A subscriber has seen sequence numbers up to {@code position - 1} of the publisher. */
    void advance(int subscriber, int publisher, long position) {
        positions[subscriber].lazySet(publisher, position);
        Publisher p = publishers[publisher];
        if (p.paused && p.sentSnapshot - delivered(publisher) <= window / 2) {
            p.wake();
        }
    }
}
