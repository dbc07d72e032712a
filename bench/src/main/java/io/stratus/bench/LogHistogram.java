package io.stratus.bench;

/**
 * A histogram of non-negative long values (nanoseconds here) with fixed, logarithmically spaced
 * buckets, in the manner of HdrHistogram: values below 256 are exact, and above that every power of
 * two is split into 128 buckets, so a reported value is at most 1/128 (0.8 %) above the true one.
 * Recording is a few instructions and never allocates. Not thread-safe: one per thread, then
 * {@link #add} them.
 */
public final class LogHistogram {

    private static final int SUB_BITS = 8;
    private static final int SUB = 1 << SUB_BITS;        // 256 exact values
    private static final int HALF = SUB >> 1;            // 128 buckets per power of two above them
    private static final int BUCKETS = SUB + (63 - SUB_BITS + 1) * HALF;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;
    private long min = Long.MAX_VALUE;
    private double sum;

    public void record(long value) {
        long v = Math.max(0, value);
        counts[index(v)]++;
        total++;
        sum += v;
        if (v > max) {
            max = v;
        }
        if (v < min) {
            min = v;
        }
    }

    public void add(LogHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        sum += other.sum;
        max = Math.max(max, other.max);
        min = Math.min(min, other.min);
    }

    public long count() {
        return total;
    }

    public long max() {
        return total == 0 ? 0 : max;
    }

    public long min() {
        return total == 0 ? 0 : min;
    }

    public double mean() {
        return total == 0 ? 0 : sum / total;
    }

    /**
     * @param percentile 0 to 100
     * @return the highest value of the bucket that holds the given percentile (never below the
     *     true value, at most 0.8 % above it), capped by the exact maximum
     */
    public long percentile(double percentile) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(highestInBucket(i), max);
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - (SUB_BITS - 1);
        return SUB + (shift - 1) * HALF + (int) ((v >>> shift) - HALF);
    }

    static long lowestInBucket(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = (index - SUB) / HALF + 1;
        long mantissa = (index - SUB) % HALF + HALF;
        return mantissa << shift;
    }

    static long highestInBucket(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = (index - SUB) / HALF + 1;
        return lowestInBucket(index) + (1L << shift) - 1;
    }
}
