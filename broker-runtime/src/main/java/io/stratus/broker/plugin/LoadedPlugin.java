package io.stratus.broker.plugin;

import io.stratus.sdk.StratusPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * One version of a plugin JAR, loaded in its own class loader (or a plugin class already on the class
 * path): it makes a new plugin instance for each tenant that enables the plugin. Closing it closes the class loader, after which classes the plugin
 * has not loaded yet can no longer be loaded; the manager closes it only once every instance has been
 * stopped.
 */
public final class LoadedPlugin implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedPlugin.class);

    private final PluginJar jar;
    private final ClassLoader classLoader;
    private final String pluginClassName;
    private final Callable<StratusPlugin> factory;
    /** The class loader to close and the staged copy to delete; both null for a plugin on the class path. */
    private final URLClassLoader ownLoader;
    private final Path stagedCopy;

    LoadedPlugin(PluginJar jar, URLClassLoader classLoader, ServiceLoader.Provider<StratusPlugin> provider,
                 Path stagedCopy) {
        this.jar = jar;
        this.classLoader = classLoader;
        this.pluginClassName = provider.type().getName();
        // ServiceLoader.Provider.get() calls the public no-argument constructor on every call.
        this.factory = provider::get;
        this.ownLoader = classLoader;
        this.stagedCopy = stagedCopy;
    }

    private LoadedPlugin(PluginJar jar, Class<? extends StratusPlugin> type) {
        this.jar = jar;
        this.classLoader = type.getClassLoader();
        this.pluginClassName = type.getName();
        this.factory = () -> type.getConstructor().newInstance();
        this.ownLoader = null;
        this.stagedCopy = null;
    }

    /**
     * A plugin already on the broker's class path, such as a plugin's own classes in its tests: no JAR,
     * no class loader of its own, so none of the isolation a JAR gets.
     *
     * @param id      the plugin's id, as a JAR's manifest would name it
     * @param version its version
     * @param type    its {@link StratusPlugin}, with a public no-argument constructor
     */
    static LoadedPlugin onClassPath(String id, String version, Class<? extends StratusPlugin> type) {
        if (!id.matches(PluginJar.ID_PATTERN)) {
            throw new IllegalArgumentException("plugin id '" + id + "' does not match " + PluginJar.ID_PATTERN);
        }
        return new LoadedPlugin(new PluginJar(Path.of(type.getName()), id, version, "class:" + type.getName()), type);
    }

    public PluginJar jar() {
        return jar;
    }

    public String id() {
        return jar.id();
    }

    /** @return the plugin's own class loader, whose parent sees only the SDK and the JDK */
    public ClassLoader classLoader() {
        return classLoader;
    }

    /** @return the name of the plugin's {@link StratusPlugin} class */
    public String pluginClassName() {
        return pluginClassName;
    }

    /**
     * @return a new instance of the plugin's {@link StratusPlugin}
     * @throws Exception if its constructor fails
     */
    StratusPlugin newInstance() throws Exception {
        return factory.call();
    }

    @Override
    public void close() {
        if (ownLoader == null) {
            return;
        }
        try {
            ownLoader.close();
        } catch (IOException e) {
            LOG.warn("plugin={} could not close its class loader: {}", jar, e.toString());
        }
        try {
            Files.deleteIfExists(stagedCopy);
        } catch (IOException e) {
            LOG.warn("plugin={} could not delete its copy {}: {}", jar, stagedCopy, e.toString());
        }
    }

    @Override
    public String toString() {
        return jar.toString();
    }
}
