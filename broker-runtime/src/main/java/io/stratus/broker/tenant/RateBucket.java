package io.stratus.broker.tenant;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A rate limit of so many units (packets, bytes) per second with a burst of one second's worth, as
 * the generic cell rate algorithm: instead of a token count refilled by a timer, one number, the
 * theoretical arrival time ({@code tat}), says when the bucket would be full again. Taking
 * {@code n} units moves it {@code n / rate} seconds on; a take that would move it more than a second
 * past now is refused. No timer, no lock, one long of state.
 *
 * <p>A single take larger than a second's worth (one packet bigger than the byte rate) passes only
 * when the bucket is full, and then leaves a debt that later takes wait out: an oversize packet is
 * slowed down, not forbidden for ever.
 *
 * <p>Two kinds: {@link Local} for one connection, used only on its event loop (a plain field), and
 * {@link Shared} for a whole tenant, used from every event loop at once (a compare-and-set on one
 * {@link AtomicLong}, so one tenant's bucket never makes another tenant's connections wait).
 */
public abstract sealed class RateBucket {

    /** How far ahead of now the theoretical arrival time may run: one second of burst. */
    static final long TOLERANCE_NANOS = 1_000_000_000L;

    private final double nanosPerUnit;

    /** @param perSecond units per second, at least 1 */
    RateBucket(long perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("a rate is at least 1 per second: " + perSecond);
        }
        this.nanosPerUnit = 1e9 / perSecond;
    }

    /**
     * @param units    what the take costs (1 for a packet, its size for bytes)
     * @param nowNanos {@link System#nanoTime()} or a test's clock
     * @return whether the units were taken; a refused take takes nothing
     */
    public abstract boolean tryTake(long units, long nowNanos);

    /** @return the theoretical arrival time after taking {@code units}, or {@link #REFUSED} */
    final long next(long tat, long units, long nowNanos) {
        long cost = (long) Math.min(units * nanosPerUnit, Long.MAX_VALUE / 4.0);
        long base = tat - nowNanos > 0 ? tat : nowNanos;
        long after = base + cost;
        return after - nowNanos > Math.max(TOLERANCE_NANOS, cost) ? REFUSED : after;
    }

    /**
     * Marks a refused take. A real arrival time equal to it would need a nanoTime of about -2^63,
     * which no clock gives.
     */
    static final long REFUSED = Long.MIN_VALUE;

    /** One connection's bucket; confined to its event loop. */
    public static final class Local extends RateBucket {
        private long tat;

        /** @param nowNanos the bucket starts full at this time */
        public Local(long perSecond, long nowNanos) {
            super(perSecond);
            this.tat = nowNanos;
        }

        @Override
        public boolean tryTake(long units, long nowNanos) {
            long after = next(tat, units, nowNanos);
            if (after == REFUSED) {
                return false;
            }
            tat = after;
            return true;
        }
    }

    /** A bucket many event loops take from at once; lock-free. */
    public static final class Shared extends RateBucket {
        private final AtomicLong tat;

        /** @param nowNanos the bucket starts full at this time */
        public Shared(long perSecond, long nowNanos) {
            super(perSecond);
            this.tat = new AtomicLong(nowNanos);
        }

        @Override
        public boolean tryTake(long units, long nowNanos) {
            while (true) {
                long current = tat.get();
                long after = next(current, units, nowNanos);
                if (after == REFUSED) {
                    return false;
                }
                if (tat.compareAndSet(current, after)) {
                    return true;
                }
            }
        }
    }
}
