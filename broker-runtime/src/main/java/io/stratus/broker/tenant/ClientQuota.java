package io.stratus.broker.tenant;

import io.stratus.broker.config.LimitsConfig;

import java.util.function.LongSupplier;

/**
 * The tenant limits one connection is held to: its own publish rate buckets, the tenant's shared
 * ones, and the tenant's packet size. {@link #admitPublish} runs on the connection's event loop for
 * every PUBLISH, so a connection of a tenant without limits pays one branch.
 */
public final class ClientQuota {

    /** What {@link #admitPublish} decided. */
    public enum Verdict {
        /** Within every limit. */
        ALLOWED,
        /** Larger than the tenant's max-packet-size. */
        TOO_LARGE,
        /** Beyond the client's own messages or bytes per second. */
        CLIENT_RATE,
        /** Beyond what the tenant's clients may publish per second together. */
        TENANT_RATE
    }

    private final TenantQuota.Plan plan;
    private final LongSupplier nanoTime;
    /** Whether anything is checked at all; most tenants set no limit. */
    private final boolean checks;
    /** The tenant's packet size where it is below the broker's (which the decoder enforces), else 0. */
    private final int maxPacketSize;
    private final RateBucket.Local messages;
    private final RateBucket.Local bytes;

    /** @param nanoTime the time the buckets run on */
    public ClientQuota(TenantQuota.Plan plan, LongSupplier nanoTime) {
        this.plan = plan;
        this.nanoTime = nanoTime;
        TenantLimits l = plan.limits();
        this.maxPacketSize = plan.effective().maxPacketSize() < plan.broker().maxPacketSize()
            ? plan.effective().maxPacketSize() : 0;
        long now = nanoTime.getAsLong();
        this.messages = l.maxMessagesPerSecondPerClient() > 0
            ? new RateBucket.Local(l.maxMessagesPerSecondPerClient(), now) : null;
        this.bytes = l.maxBytesPerSecondPerClient() > 0 ? new RateBucket.Local(l.maxBytesPerSecondPerClient(), now) : null;
        this.checks = maxPacketSize > 0 || l.limitsRates();
    }

    /** A connection of a tenant without limits of its own (tests, embedded channels). */
    public static ClientQuota unlimited(LimitsConfig broker) {
        return new ClientQuota(new TenantQuota.Plan(TenantLimits.NONE, broker, broker, null, null), () -> 0);
    }

    /** @return the limits the connection and its session get */
    public LimitsConfig limits() {
        return plan.effective();
    }

    /**
     * Takes a PUBLISH of {@code packetSize} bytes (the whole packet) out of the buckets. Call on the
     * connection's event loop.
     */
    public Verdict admitPublish(int packetSize) {
        if (!checks) {
            return Verdict.ALLOWED;
        }
        if (maxPacketSize > 0 && packetSize > maxPacketSize) {
            return Verdict.TOO_LARGE;
        }
        long now = nanoTime.getAsLong();
        if (messages != null && !messages.tryTake(1, now) || bytes != null && !bytes.tryTake(packetSize, now)) {
            return Verdict.CLIENT_RATE;
        }
        if (plan.messages() != null && !plan.messages().tryTake(1, now)
            || plan.bytes() != null && !plan.bytes().tryTake(packetSize, now)) {
            return Verdict.TENANT_RATE;
        }
        return Verdict.ALLOWED;
    }
}
