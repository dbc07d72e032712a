package io.stratus.bench;

import java.util.Arrays;

/**
 * The sequence numbers one subscriber received from one publisher, as a growable bit set: counts
 * distinct messages, duplicates and messages that arrived after a later one (out of order). What
 * is missing follows from how many the publisher sent. Not thread-safe; each subscriber owns its
 * trackers on its event loop.
 */
final class SeqTracker {

    private long[] bits = new long[64];
    private long distinct;
    private long duplicates;
    private long outOfOrder;
    private long highest = -1;

    void record(long seq) {
        if (seq < 0) {
            duplicates++; // cannot happen with this generator's payloads; counted so it is not hidden
            return;
        }
        int word = (int) (seq >>> 6);
        if (word >= bits.length) {
            bits = Arrays.copyOf(bits, Math.max(word + 1, bits.length * 2));
        }
        long mask = 1L << seq;
        if ((bits[word] & mask) != 0) {
            duplicates++;
            return;
        }
        bits[word] |= mask;
        distinct++;
        if (seq < highest) {
            outOfOrder++;
        } else {
            highest = seq;
        }
    }

    /** @return the highest sequence number seen, or -1 */
    long highest() {
        return highest;
    }

    long distinct() {
        return distinct;
    }

    long duplicates() {
        return duplicates;
    }

    long outOfOrder() {
        return outOfOrder;
    }

    /** @return how many of the sequence numbers 0 .. sent-1 never arrived */
    long missing(long sent) {
        long present = 0;
        long fullWords = sent >>> 6;
        for (long w = 0; w < fullWords && w < bits.length; w++) {
            present += Long.bitCount(bits[(int) w]);
        }
        int rest = (int) (sent & 63);
        if (rest > 0 && fullWords < bits.length) {
            present += Long.bitCount(bits[(int) fullWords] & ((1L << rest) - 1));
        }
        return sent - present;
    }

    /** @return messages with a sequence number the publisher never sent (a corrupted payload) */
    long beyond(long sent) {
        return distinct - (sent - missing(sent));
    }
}
