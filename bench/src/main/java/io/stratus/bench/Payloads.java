package io.stratus.bench;

/**
 * The layout of every payload the generator sends: bytes 0-7 are the sequence word (the
 * publisher's index in the top 16 bits, its sequence number, counting from 0, in the low 48), bytes
 * 8-15 the intended send time ({@link System#nanoTime}) in the latency scenario and 0 otherwise,
 * and the rest is filler that is never looked at.
 */
final class Payloads {

    static final int HEADER = 16;
    static final int MAX_PUBLISHERS = 1 << 16;
    private static final long SEQ_MASK = (1L << 48) - 1;

    private Payloads() {
    }

    static long word(int publisher, long seq) {
        return ((long) publisher << 48) | seq;
    }

    static int publisher(long word) {
        return (int) (word >>> 48);
    }

    static long seq(long word) {
        return word & SEQ_MASK;
    }
}
