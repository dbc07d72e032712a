package io.stratus.sdk.service;

import io.stratus.sdk.annotation.DoNotImplement;

import java.util.function.LongSupplier;

/**
 * The plugin's own metrics, published by the broker with its statistics under the plugin's tenant and
 * id, so that a tenant sees its plugins' counters beside the broker's.
 *
 * <p>Names are 1 to 64 characters of lower-case letters, digits, {@code .}, {@code _} and {@code -},
 * and are scoped to the plugin: two plugins' counters of the same name are distinct.
 *
 * <p>Thread-safe.
 *
 * @since 1.0
 */
@DoNotImplement
public interface PluginMetrics {

    /**
     * Gets or creates a counter.
     *
     * @param name the counter's name
     * @return the counter of that name; the same instance for the same name
     * @throws IllegalArgumentException if the name is not valid, or names a gauge
     * @since 1.0
     */
    Counter counter(String name);

    /**
     * Registers a gauge, a value the broker reads each time it publishes statistics. The supplier must
     * be fast and must not block; a supplier that throws is reported as missing.
     *
     * @param name  the gauge's name
     * @param value reads the current value
     * @throws IllegalArgumentException if the name is not valid, or names a counter or another gauge
     * @throws NullPointerException     if {@code value} is null
     * @since 1.0
     */
    void gauge(String name, LongSupplier value);
}
