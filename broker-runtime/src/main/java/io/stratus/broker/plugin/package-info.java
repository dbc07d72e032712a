/**
 * Running customers' plugins: loading their JARs in isolated class loaders, starting one instance per
 * tenant that enables a plugin, and calling its callbacks with timeouts and fallbacks.
 *
 * <p>Wiring, for the broker: a {@link io.stratus.broker.plugin.PluginEnvironment} (the shared threads and
 * the broker's {@link io.stratus.broker.plugin.PluginRuntimeServices}), a
 * {@link io.stratus.broker.plugin.PluginLoader} (with a staging directory), a
 * {@link io.stratus.broker.plugin.PluginManager} over both, and a
 * {@link io.stratus.broker.plugin.PluginDirectoryWatcher} reporting the plugins directory to the
 * manager. Tenants' plugin settings go to {@code PluginManager.enable/disable}; the hot path asks
 * {@code PluginManager.hosts(tenant)} and calls each {@link io.stratus.broker.plugin.PluginHost}.
 */
package io.stratus.broker.plugin;
