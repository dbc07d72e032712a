package io.stratus.broker.plugin;

import io.stratus.sdk.StratusPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * One version of a plugin JAR, loaded in its own class loader: it makes a new plugin instance for each
 * tenant that enables the plugin. Closing it closes the class loader, after which classes the plugin
 * has not loaded yet can no longer be loaded; the manager closes it only once every instance has been
 * stopped.
 */
public final class LoadedPlugin implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedPlugin.class);

    private final PluginJar jar;
    private final URLClassLoader classLoader;
    private final ServiceLoader.Provider<StratusPlugin> provider;
    private final Path stagedCopy;

    LoadedPlugin(PluginJar jar, URLClassLoader classLoader, ServiceLoader.Provider<StratusPlugin> provider,
                 Path stagedCopy) {
        this.jar = jar;
        this.classLoader = classLoader;
        this.provider = provider;
        this.stagedCopy = stagedCopy;
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
        return provider.type().getName();
    }

    /**
     * @return a new instance of the plugin's {@link StratusPlugin}
     * @throws java.util.ServiceConfigurationError if its constructor fails
     */
    StratusPlugin newInstance() {
        // ServiceLoader.Provider.get() calls the public no-argument constructor on every call.
        return provider.get();
    }

    @Override
    public void close() {
        try {
            classLoader.close();
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
