package io.stratus.broker.plugin;

import io.stratus.sdk.service.Counter;
import io.stratus.sdk.service.PluginMetrics;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * One plugin's metrics in one tenant. They belong to the (tenant, plugin) pair rather than to an
 * instance, so counters keep counting across the plugin's reloads. Gauges belong to the instance that
 * registered them: a reloaded plugin's new instance registers its own, and stopping the old instance
 * removes only the old one's (which would otherwise keep the old instance and its class loader
 * reachable).
 */
public final class HostMetrics {

    private static final Pattern NAME = Pattern.compile("[a-z0-9_.-]{1,64}");

    private final Map<String, AdderCounter> counters = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    /**
     * Reads every metric, for the broker's statistics. A gauge that throws is left out.
     *
     * @return metric names to values, sorted by name
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> values = new TreeMap<>();
        counters.forEach((name, c) -> values.put(name, c.count()));
        gauges.forEach((name, g) -> {
            try {
                values.put(name, g.value.getAsLong());
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable ignored) {
                // documented to plugins: a failing gauge is reported as missing
            }
        });
        return values;
    }

    /** @return the {@link PluginMetrics} one instance sees; its gauges are registered as its own */
    PluginMetrics view(Object owner) {
        return new PluginMetrics() {
            @Override
            public Counter counter(String name) {
                checkName(name);
                if (gauges.containsKey(name)) {
                    throw new IllegalArgumentException("metric " + name + " is a gauge");
                }
                return counters.computeIfAbsent(name, n -> new AdderCounter());
            }

            @Override
            public void gauge(String name, LongSupplier value) {
                checkName(name);
                Objects.requireNonNull(value, "value");
                if (counters.containsKey(name)) {
                    throw new IllegalArgumentException("metric " + name + " is a counter");
                }
                Gauge previous = gauges.putIfAbsent(name, new Gauge(owner, value));
                if (previous != null) {
                    if (previous.owner == owner) {
                        throw new IllegalArgumentException("gauge " + name + " is already registered");
                    }
                    // An older instance's gauge of the same name, during a reload: the new one takes over.
                    gauges.put(name, new Gauge(owner, value));
                }
            }
        };
    }

    /** Forgets the gauges a stopped instance registered. */
    void removeGauges(Object owner) {
        gauges.values().removeIf(g -> g.owner == owner);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric names are 1 to 64 of [a-z0-9_.-]: " + name);
        }
    }

    private record Gauge(Object owner, LongSupplier value) {
    }

    private static final class AdderCounter implements Counter {

        private final LongAdder adder = new LongAdder();

        @Override
        public void increment() {
            adder.increment();
        }

        @Override
        public void add(long amount) {
            if (amount < 0) {
                throw new IllegalArgumentException("a counter only grows: " + amount);
            }
            adder.add(amount);
        }

        @Override
        public long count() {
            return adder.sum();
        }
    }
}
