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
 *
 * <p>The broker does this through {@link io.stratus.broker.plugin.PluginRuntime}, which assembles the
 * pieces for {@code plugins.dir}, and asks a tenant's plugins through
 * {@link io.stratus.broker.plugin.PluginCalls}, which combines what all of them answer (a deny wins,
 * hooks run in the tenant's order) and tells the hot path cheaply whether a tenant has a callback at
 * all. {@link io.stratus.broker.plugin.SdkValues} translates between the broker's values and the
 * SDK's, so that no broker or Netty type reaches a plugin.
 */
package io.stratus.broker.plugin;
