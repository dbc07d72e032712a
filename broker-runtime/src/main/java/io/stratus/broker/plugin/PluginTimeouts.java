package io.stratus.broker.plugin;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the broker waits for a plugin's callbacks before it applies their fallback. The defaults are
 * the ones the SDK's javadoc promises plugin authors; a tenant may configure others.
 *
 * @param authentication each authenticator call and each step of an enhanced authentication
 * @param authorization  each authorizer call
 * @param hook           each inbound publish and outbound delivery hook call
 * @param lifecycle      each lifecycle listener call
 * @param startStop      {@code StratusPlugin.start} and {@code stop}
 */
public record PluginTimeouts(Duration authentication, Duration authorization, Duration hook, Duration lifecycle,
                             Duration startStop) {

    public static final PluginTimeouts DEFAULTS = new PluginTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2),
        Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10));

    public PluginTimeouts {
        for (Duration d : new Duration[] {authentication, authorization, hook, lifecycle, startStop}) {
            Objects.requireNonNull(d, "timeout");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("plugin timeouts must be positive: " + d);
            }
        }
    }
}
