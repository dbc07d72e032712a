package io.stratus.broker.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The whole broker configuration: one immutable tree, validated when it is built.
 *
 * @param listeners       the network listeners
 * @param limits          per-client limits
 * @param allowAnonymous  whether clients without credentials may connect (the built-in tenant)
 * @param sysIntervalSeconds how often {@code $SYS/broker/...} statistics are published; 0 turns them off
 * @param shutdownGraceSeconds how long a graceful shutdown waits for in-flight work
 * @param tenantsFile     a JSON file of tenants, their authentication methods, policies and limits;
 *                        empty for the single built-in tenant (then {@code allowAnonymous} applies)
 * @param tenantsReloadIntervalSeconds how often the tenants file is checked for changes, which are
 *                        applied while the broker runs (revocations reach open connections); 0 never
 * @param pluginsDir      a directory of plugin JARs, watched while the broker runs, that tenants enable
 *                        in the tenants file; empty for no plugins
 */
public record BrokerConfig(List<ListenerConfig> listeners, LimitsConfig limits, boolean allowAnonymous,
                           int sysIntervalSeconds, int shutdownGraceSeconds, String tenantsFile,
                           int tenantsReloadIntervalSeconds, String pluginsDir) {

    static final String TENANTS_FILE = "tenants.file";
    static final String PLUGINS_DIR = "plugins.dir";
    static final NumberSetting TENANTS_RELOAD_INTERVAL =
        new NumberSetting("tenants.reload-interval-seconds", 0, 86_400);
    /** Often enough that a revoked certificate's connections end within seconds; a small file costs little to check. */
    public static final int DEFAULT_TENANTS_RELOAD_INTERVAL_SECONDS = 5;

    static final String ALLOW_ANONYMOUS = "allow-anonymous";
    static final NumberSetting SYS_INTERVAL = new NumberSetting("sys.interval", 0, Integer.MAX_VALUE);
    static final NumberSetting SHUTDOWN_GRACE = new NumberSetting("shutdown.grace", 0, Integer.MAX_VALUE);

    /** @throws ConfigException if two listeners share a name or a setting is out of range */
    public BrokerConfig {
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(limits, "limits");
        Set<String> names = new HashSet<>();
        for (ListenerConfig listener : listeners) {
            if (!names.add(listener.name())) {
                throw new ConfigException("listeners." + listener.name(),
                    "listeners." + listener.name() + " is defined twice; allowed: one listener per name");
            }
        }
        SYS_INTERVAL.check(sysIntervalSeconds);
        SHUTDOWN_GRACE.check(shutdownGraceSeconds);
        Objects.requireNonNull(tenantsFile, "tenantsFile");
        TENANTS_RELOAD_INTERVAL.check(tenantsReloadIntervalSeconds);
        Objects.requireNonNull(pluginsDir, "pluginsDir");
    }

    /** A configuration without plugins. */
    public BrokerConfig(List<ListenerConfig> listeners, LimitsConfig limits, boolean allowAnonymous,
                        int sysIntervalSeconds, int shutdownGraceSeconds, String tenantsFile,
                        int tenantsReloadIntervalSeconds) {
        this(listeners, limits, allowAnonymous, sysIntervalSeconds, shutdownGraceSeconds, tenantsFile,
            tenantsReloadIntervalSeconds, "");
    }

    /** A configuration whose tenants file, if any, is checked for changes at the default interval. */
    public BrokerConfig(List<ListenerConfig> listeners, LimitsConfig limits, boolean allowAnonymous,
                        int sysIntervalSeconds, int shutdownGraceSeconds, String tenantsFile, String pluginsDir) {
        this(listeners, limits, allowAnonymous, sysIntervalSeconds, shutdownGraceSeconds, tenantsFile,
            DEFAULT_TENANTS_RELOAD_INTERVAL_SECONDS, pluginsDir);
    }

    /** A configuration without plugins whose tenants file, if any, is checked at the default interval. */
    public BrokerConfig(List<ListenerConfig> listeners, LimitsConfig limits, boolean allowAnonymous,
                        int sysIntervalSeconds, int shutdownGraceSeconds, String tenantsFile) {
        this(listeners, limits, allowAnonymous, sysIntervalSeconds, shutdownGraceSeconds, tenantsFile,
            DEFAULT_TENANTS_RELOAD_INTERVAL_SECONDS, "");
    }

    /** A configuration with the single built-in tenant. */
    public BrokerConfig(List<ListenerConfig> listeners, LimitsConfig limits, boolean allowAnonymous,
                        int sysIntervalSeconds, int shutdownGraceSeconds) {
        this(listeners, limits, allowAnonymous, sysIntervalSeconds, shutdownGraceSeconds, "", "");
    }

    /** @return the embedded defaults: TCP on 0.0.0.0:1883, anonymous access, default limits */
    public static BrokerConfig defaults() {
        return new BrokerConfig(List.of(new ListenerConfig("tcp", "tcp", "0.0.0.0", 1883)),
            LimitsConfig.defaults(), true, 10, 5);
    }

    /** @return a copy whose listeners all bind 127.0.0.1 on an ephemeral port (for tests) */
    public BrokerConfig onEphemeralPorts() {
        return new BrokerConfig(listeners.stream().map(l -> l.withAddress("127.0.0.1", 0)).toList(),
            limits, allowAnonymous, sysIntervalSeconds, shutdownGraceSeconds, tenantsFile, tenantsReloadIntervalSeconds,
            pluginsDir);
    }

    /** @return a copy with other limits */
    public BrokerConfig withLimits(LimitsConfig newLimits) {
        return new BrokerConfig(listeners, newLimits, allowAnonymous, sysIntervalSeconds, shutdownGraceSeconds,
            tenantsFile, tenantsReloadIntervalSeconds, pluginsDir);
    }

    /** @return a copy serving the tenants of {@code file}, checked for changes every {@code reloadIntervalSeconds} */
    public BrokerConfig withTenantsFile(String file, int reloadIntervalSeconds) {
        return new BrokerConfig(listeners, limits, allowAnonymous, sysIntervalSeconds, shutdownGraceSeconds, file,
            reloadIntervalSeconds, pluginsDir);
    }

    /** @return a copy that loads plugins from another directory; empty for none */
    public BrokerConfig withPluginsDir(String newPluginsDir) {
        return new BrokerConfig(listeners, limits, allowAnonymous, sysIntervalSeconds, shutdownGraceSeconds,
            tenantsFile, tenantsReloadIntervalSeconds, newPluginsDir);
    }
}
