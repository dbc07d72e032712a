package io.stratus.broker.plugin;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one plugin in one tenant, kept by the broker, and the plugin's own metrics. They outlive a plugin instance, so they keep counting across
 * the plugin's reloads and reconfigurations; written from any thread.
 */
public final class PluginStats {

    private final LongAdder calls = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder startFailures = new LongAdder();
    private final LongAdder drops = new LongAdder();
    private final HostMetrics metrics = new HostMetrics();

    void called() {
        calls.increment();
    }

    void failed() {
        failures.increment();
    }

    void timedOut() {
        timeouts.increment();
    }

    void startFailed() {
        startFailures.increment();
    }

    void dropped() {
        drops.increment();
    }

    /** @return callbacks and scheduled tasks the broker ran */
    public long calls() {
        return calls.sum();
    }

    /**
     * @return callbacks and tasks that threw, completed exceptionally or returned null, so that their
     *     fallback applied
     */
    public long failures() {
        return failures.sum();
    }

    /** @return callbacks that did not complete within their timeout, so that their fallback applied */
    public long timeouts() {
        return timeouts.sum();
    }

    /** @return starts that threw or timed out, leaving the plugin disabled */
    public long startFailures() {
        return startFailures.sum();
    }

    /** @return messages the plugin's hooks dropped (inbound, or for one subscriber) */
    public long drops() {
        return drops.sum();
    }

    /** @return the metrics the plugin reports through its context */
    public HostMetrics metrics() {
        return metrics;
    }
}
