package io.stratus.broker.tenant;

import io.stratus.broker.config.LimitsConfig;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * What one tenant's connections share of its {@link TenantLimits}: how many are open, and the
 * tenant-wide publish rate buckets. Lives in the tenant's {@link TenantSpace}, so one tenant's
 * counters and buckets are never another's, and nothing here takes a lock: a tenant at its limit
 * cannot slow another tenant down.
 *
 * <p>The limits may change while the broker runs (a tenants file reloaded): {@link #plan} builds a
 * new plan, with fresh buckets, the first time a connection sees the new limits; connections
 * made before keep the plan they started with. Thread-safe.
 */
public final class TenantQuota {

    /**
     * One version of the tenant's limits, ready to enforce.
     *
     * @param limits    the tenant's limits
     * @param broker    the broker's limits they were applied to
     * @param effective what the tenant's connections and sessions get ({@link TenantLimits#applyTo})
     * @param messages  the tenant-wide PUBLISH packets per second, or {@code null} without a limit
     * @param bytes     the tenant-wide PUBLISH bytes per second, or {@code null} without a limit
     */
    public record Plan(TenantLimits limits, LimitsConfig broker, LimitsConfig effective, RateBucket.Shared messages,
                       RateBucket.Shared bytes) {
    }

    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicReference<Plan> plan = new AtomicReference<>();
    private final LongSupplier nanoTime;

    /** @param nanoTime the time rate buckets run on ({@code System::nanoTime} outside tests) */
    public TenantQuota(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** @return the time source of this tenant's rate buckets */
    public LongSupplier nanoTime() {
        return nanoTime;
    }

    /** @return the plan for these limits: the current one if they are the same, else a new one */
    public Plan plan(TenantLimits limits, LimitsConfig broker) {
        while (true) {
            Plan current = plan.get();
            if (current != null && current.limits().equals(limits) && current.broker() == broker) {
                return current;
            }
            long now = nanoTime.getAsLong();
            Plan fresh = new Plan(limits, broker, limits.applyTo(broker),
                limits.maxMessagesPerSecond() > 0 ? new RateBucket.Shared(limits.maxMessagesPerSecond(), now) : null,
                limits.maxBytesPerSecond() > 0 ? new RateBucket.Shared(limits.maxBytesPerSecond(), now) : null);
            if (plan.compareAndSet(current, fresh)) {
                return fresh;
            }
        }
    }

    /**
     * Counts a new connection of the tenant unless it would take the count past {@code max}.
     *
     * @param max the tenant's max-connections; 0 for no limit of its own
     * @return whether the connection may go ahead; if so, call {@link #disconnected()} once when it ends
     */
    public boolean tryConnect(int max) {
        while (true) {
            int open = connections.get();
            if (max > 0 && open >= max) {
                return false;
            }
            if (connections.compareAndSet(open, open + 1)) {
                return true;
            }
        }
    }

    /** Gives back the place of a connection {@link #tryConnect} let in. */
    public void disconnected() {
        connections.decrementAndGet();
    }

    /** @return the tenant's connections counted now */
    public int connections() {
        return connections.get();
    }
}
