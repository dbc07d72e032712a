package io.stratus.broker.tenant;

import io.stratus.broker.plugin.PluginTimeouts;
import io.stratus.sdk.PluginConfiguration;

import java.util.Objects;

/**
 * One plugin a tenant enables: which, with what configuration, and how long the broker waits for its
 * callbacks. The plugin's JAR need not be loaded when the tenant is read: it starts for the tenant
 * once it is.
 *
 * @param id            the plugin's id, as its JAR names it ({@code Stratus-Plugin-Id})
 * @param configuration what the plugin's instance for this tenant reads; passed through unchanged
 * @param timeouts      how long each kind of callback may take before its fallback applies
 */
public record PluginSettings(String id, PluginConfiguration configuration, PluginTimeouts timeouts) {

    public PluginSettings {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(timeouts, "timeouts");
    }
}
