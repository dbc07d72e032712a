package io.stratus.broker.robustness;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Samples a figure of the broker every few milliseconds while a load runs and keeps the largest value
 * seen, so that a test can show that what the broker holds stayed bounded throughout, not only at
 * the end. Memory is measured as netty's allocator reports it (the bytes of the buffers it holds),
 * which, unlike the JVM's heap figures, does not depend on when the garbage collector last ran.
 */
final class PeakSampler implements AutoCloseable {

    private static final long PERIOD_MILLIS = 5;

    private final LongSupplier figure;
    private final AtomicLong peak = new AtomicLong(Long.MIN_VALUE);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "peak-sampler");
        t.setDaemon(true);
        return t;
    });

    private PeakSampler(LongSupplier figure) {
        this.figure = figure;
        timer.scheduleAtFixedRate(this::sample, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Starts sampling at once. */
    static PeakSampler of(LongSupplier figure) {
        return new PeakSampler(figure);
    }

    /** @return the bytes netty's default allocator, which the broker's channels use, holds now */
    static long allocatorBytes() {
        ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return m.usedHeapMemory() + m.usedDirectMemory();
    }

    private void sample() {
        long value = figure.getAsLong();
        peak.accumulateAndGet(value, Math::max);
    }

    /** @return the largest value sampled so far, the current one included */
    long peak() {
        sample();
        return peak.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
