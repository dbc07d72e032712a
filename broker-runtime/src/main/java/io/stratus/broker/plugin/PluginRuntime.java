package io.stratus.broker.plugin;

import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.tenant.PluginSettings;
import io.stratus.broker.tenant.TenantSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The plugins of one broker, assembled as the package documentation describes: the shared threads,
 * a loader staging JARs in a temporary directory, the manager, and the watcher of the plugins
 * directory. {@link #start} loads what the directory holds and enables each tenant's plugins before
 * the broker accepts clients; {@link #close} stops every plugin and removes the staged copies.
 */
public final class PluginRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginRuntime.class);
    /** How often the plugins directory is scanned; a JAR is loaded on the second scan that sees it unchanged. */
    static final Duration SCAN_INTERVAL = Duration.ofSeconds(2);

    private final Path directory;
    private final Path staging;
    private final PluginEnvironment environment;
    private final PluginManager manager;
    private final PluginDirectoryWatcher watcher;
    private final PluginCalls calls;

    /**
     * @param directory the plugins directory ({@code plugins.dir})
     * @param services  what the broker does for plugins
     * @param limits    the topic limits a plugin's replacement messages keep to
     * @throws UncheckedIOException if no staging directory can be made
     */
    public PluginRuntime(Path directory, PluginRuntimeServices services, LimitsConfig limits) {
        this.directory = directory;
        try {
            this.staging = Files.createTempDirectory("stratus-plugins-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a staging directory for plugin JARs", e);
        }
        this.environment = new PluginEnvironment(services);
        this.manager = new PluginManager(new PluginLoader(staging), environment);
        this.watcher = new PluginDirectoryWatcher(directory, manager);
        this.calls = new PluginCalls(manager, limits);
    }

    /** @return the manager, to install plugins from the class path (tests) and read counters */
    public PluginManager manager() {
        return manager;
    }

    /** @return what the broker's hot path asks of plugins */
    public PluginCalls calls() {
        return calls;
    }

    /**
     * Loads the JARs in the plugins directory now, enables every tenant's plugins, then watches the
     * directory. A plugin a tenant enables that no JAR provides yet is logged, and starts once its
     * JAR arrives. Blocks while plugins start, so it runs before the broker accepts connections.
     */
    public void start(Collection<TenantSettings> tenants) {
        if (!Files.isDirectory(directory)) {
            LOG.warn("plugins directory {} does not exist (yet); plugins copied there later are loaded", directory);
        }
        watcher.scan();
        Set<String> loaded = manager.loadedIds();
        for (TenantSettings tenant : tenants) {
            for (PluginSettings plugin : tenant.plugins()) {
                manager.enable(tenant.id(), plugin.id(), plugin.configuration(), plugin.timeouts());
                if (!loaded.contains(plugin.id())) {
                    CallbackGuard.withTenant(tenant.id(), () -> LOG.warn("plugin={} is enabled but no JAR in {} provides "
                        + "it; it starts when one does", plugin.id(), directory));
                }
            }
        }
        watcher.start(SCAN_INTERVAL);
    }

    @Override
    public void close() {
        watcher.close();
        manager.close();
        environment.close();
        try (Stream<Path> files = Files.walk(staging)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.debug("could not remove the plugin staging directory {}: {}", staging, e.toString());
        }
    }
}
