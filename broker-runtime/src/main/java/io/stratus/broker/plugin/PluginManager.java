package io.stratus.broker.plugin;

import io.stratus.broker.tenant.TenantId;
import io.stratus.sdk.PluginConfiguration;
import io.stratus.sdk.StratusPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which plugins are loaded and which tenants run them. Plugin JARs come and go through
 * {@link #jarChanged(Path)} and {@link #jarRemoved(Path)} (called by a {@link PluginDirectoryWatcher});
 * tenants enable and disable plugins with their own configuration through {@link #enable} and
 * {@link #disable}. Whenever both a JAR and an enablement exist, a {@link PluginHost} runs the plugin
 * for that tenant.
 *
 * <p>Changes never restart the broker and never leave a tenant without a plugin it enabled while a
 * new version starts: a replaced JAR is loaded in a new class loader, new instances are started and
 * put in place, and only then are the old instances stopped and their class loader closed. A JAR that
 * fails to load leaves the running version in place.
 *
 * <p>Management methods are serialised and may block (they wait for plugins' start and stop), so they
 * run on management threads. {@link #hosts(TenantId)}, what the broker's hot path asks, reads an
 * immutable snapshot without locking.
 */
public final class PluginManager implements PluginDirectoryWatcher.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginManager.class);

    private final PluginLoader loader;
    private final PluginEnvironment environment;

    private final Map<Path, LoadedPlugin> byPath = new HashMap<>();
    private final Map<String, LoadedPlugin> byId = new HashMap<>();
    /** Per tenant, its enabled plugins in the order it enabled them, which is the order they run in. */
    private final Map<TenantId, LinkedHashMap<String, Enablement>> enablements = new HashMap<>();
    private final Map<Key, PluginHost> running = new HashMap<>();
    private final Map<Key, PluginStats> stats = new ConcurrentHashMap<>();
    private volatile Map<TenantId, List<PluginHost>> view = Map.of();

    private record Key(TenantId tenant, String pluginId) {
    }

    private record Enablement(PluginConfiguration configuration, PluginTimeouts timeouts) {
    }

    public PluginManager(PluginLoader loader, PluginEnvironment environment) {
        this.loader = loader;
        this.environment = environment;
    }

    /** @return the tenant's running plugins, in the tenant's order; never blocks */
    public List<PluginHost> hosts(TenantId tenant) {
        return view.getOrDefault(tenant, List.of());
    }

    /** @return the counters of a plugin in a tenant, if it ever ran there */
    public Optional<PluginStats> stats(TenantId tenant, String pluginId) {
        return Optional.ofNullable(stats.get(new Key(tenant, pluginId)));
    }

    /** @return the counters of every plugin that ever ran in the tenant, by plugin id, sorted */
    public Map<String, PluginStats> stats(TenantId tenant) {
        Map<String, PluginStats> out = new TreeMap<>();
        stats.forEach((key, value) -> {
            if (key.tenant().equals(tenant)) {
                out.put(key.pluginId(), value);
            }
        });
        return out;
    }

    /** @return the ids of the plugins loaded now */
    public synchronized Set<String> loadedIds() {
        return Set.copyOf(byId.keySet());
    }

    /** @return the JARs loaded now */
    public synchronized List<PluginJar> loaded() {
        return byId.values().stream().map(LoadedPlugin::jar).toList();
    }

    /** @return the loaded version of a plugin, if any */
    synchronized Optional<LoadedPlugin> loadedPlugin(String pluginId) {
        return Optional.ofNullable(byId.get(pluginId));
    }

    /**
     * Loads a new or changed JAR and runs it for every tenant that enables it, replacing the instances
     * of its previous version.
     */
    @Override
    public synchronized void jarChanged(Path jar) {
        LoadedPlugin previous = byPath.get(jar);
        LoadedPlugin fresh;
        try {
            fresh = loader.load(jar);
        } catch (PluginLoadException e) {
            LOG.error("{}{}", e.getMessage(), previous == null ? "" : "; version " + previous.jar().version()
                + " keeps running");
            return;
        }
        if (previous != null && previous.jar().sha256().equals(fresh.jar().sha256())) {
            fresh.close();
            return;
        }
        LoadedPlugin sameId = byId.get(fresh.id());
        if (sameId != null && sameId != previous) {
            LOG.error("plugin {} has the id {} of the already loaded {}; it is ignored", jar, fresh.id(), sameId.jar().source());
            fresh.close();
            return;
        }
        if (previous != null && !previous.id().equals(fresh.id())) {
            // The file now holds another plugin: the old one is gone.
            unload(previous);
            previous = null;
        }
        byPath.put(jar, fresh);
        byId.put(fresh.id(), fresh);
        LOG.info("plugin {} loaded from {} ({})", fresh.jar(), jar, fresh.pluginClassName());

        List<PluginHost> replaced = new ArrayList<>();
        enablements.forEach((tenant, plugins) -> {
            Enablement enablement = plugins.get(fresh.id());
            if (enablement != null) {
                replaced.add(startHost(tenant, fresh, enablement));
            }
        });
        publish();
        stopAll(replaced);
        if (previous != null) {
            previous.close();
        }
    }

    /**
     * Loads a plugin whose class is already on the broker's class path, as if its JAR had just
     * appeared: for a plugin's tests, which run it in an in-process broker without building a JAR.
     * Such a plugin shares the broker's class loader, so it gets none of a JAR's isolation.
     *
     * @param id      the plugin's id, which tenants enable
     * @param version its version, for logs
     * @param type    its class, with a public no-argument constructor
     * @throws IllegalArgumentException if the id is not a valid plugin id
     * @throws IllegalStateException    if a plugin with that id is loaded already
     */
    public synchronized void install(String id, String version, Class<? extends StratusPlugin> type) {
        LoadedPlugin fresh = LoadedPlugin.onClassPath(id, version, type);
        if (byId.containsKey(id)) {
            throw new IllegalStateException("a plugin with the id " + id + " is loaded already: " + byId.get(id));
        }
        byPath.put(fresh.jar().source(), fresh);
        byId.put(id, fresh);
        LOG.info("plugin {} installed from the class path ({})", fresh.jar(), fresh.pluginClassName());
        enablements.forEach((tenant, plugins) -> {
            Enablement enablement = plugins.get(id);
            if (enablement != null) {
                startHost(tenant, fresh, enablement);
            }
        });
        publish();
    }

    /** Stops a deleted JAR's instances everywhere and closes its class loader. */
    @Override
    public synchronized void jarRemoved(Path jar) {
        LoadedPlugin gone = byPath.get(jar);
        if (gone != null) {
            unload(gone);
            LOG.info("plugin {} unloaded: {} was removed", gone.jar(), jar);
        }
    }

    /**
     * Enables a plugin for a tenant, or changes its configuration: a new instance starts with it and
     * replaces the running one. If the plugin's JAR is not loaded yet, the plugin starts when it is.
     */
    public synchronized void enable(TenantId tenant, String pluginId, PluginConfiguration configuration,
                                    PluginTimeouts timeouts) {
        Enablement enablement = new Enablement(configuration, timeouts);
        enablements.computeIfAbsent(tenant, t -> new LinkedHashMap<>()).put(pluginId, enablement);
        LoadedPlugin loaded = byId.get(pluginId);
        if (loaded == null) {
            CallbackGuard.withTenant(tenant, () -> LOG.info("plugin={} enabled; it starts once its JAR is loaded", pluginId));
            return;
        }
        PluginHost previous = startHost(tenant, loaded, enablement);
        publish();
        stopAll(Collections.singletonList(previous));
    }

    /** Disables a plugin for a tenant and stops its instance there. */
    public synchronized void disable(TenantId tenant, String pluginId) {
        Map<String, Enablement> plugins = enablements.get(tenant);
        if (plugins != null) {
            plugins.remove(pluginId);
            if (plugins.isEmpty()) {
                enablements.remove(tenant);
            }
        }
        PluginHost host = running.remove(new Key(tenant, pluginId));
        publish();
        stopAll(Collections.singletonList(host));
    }

    /** Stops every instance and closes every class loader. */
    @Override
    public synchronized void close() {
        List<PluginHost> all = new ArrayList<>(running.values());
        running.clear();
        publish();
        stopAll(all);
        byId.values().forEach(LoadedPlugin::close);
        byId.clear();
        byPath.clear();
    }

    /**
     * Starts a new instance for the tenant and puts it in place of the running one, if it starts.
     *
     * @return the instance it replaces, to be stopped once the new snapshot is published; or null
     */
    private PluginHost startHost(TenantId tenant, LoadedPlugin loaded, Enablement enablement) {
        Key key = new Key(tenant, loaded.id());
        PluginHost host = new PluginHost(tenant, loaded.jar(), loaded.classLoader(), loaded::newInstance,
            enablement.configuration(), enablement.timeouts(), stats.computeIfAbsent(key, k -> new PluginStats()),
            environment);
        // A new version that cannot start does not run: the previous one goes too, as it would after a
        // restart, rather than leaving two versions' behaviour to depend on history.
        return host.start() ? running.put(key, host) : running.remove(key);
    }

    private void unload(LoadedPlugin plugin) {
        List<PluginHost> stopped = new ArrayList<>();
        running.entrySet().removeIf(e -> {
            if (e.getKey().pluginId().equals(plugin.id())) {
                stopped.add(e.getValue());
                return true;
            }
            return false;
        });
        byPath.values().remove(plugin);
        byId.remove(plugin.id());
        publish();
        stopAll(stopped);
        plugin.close();
    }

    private static void stopAll(List<PluginHost> hosts) {
        for (PluginHost host : hosts) {
            if (host != null) {
                host.stop();
            }
        }
    }

    private void publish() {
        Map<TenantId, List<PluginHost>> next = new HashMap<>();
        enablements.forEach((tenant, plugins) -> {
            List<PluginHost> hosts = plugins.keySet().stream()
                .map(id -> running.get(new Key(tenant, id)))
                .filter(h -> h != null)
                .toList();
            if (!hosts.isEmpty()) {
                next.put(tenant, hosts);
            }
        });
        view = Map.copyOf(next);
    }
}
