package io.stratus.sdk;

import io.stratus.sdk.annotation.DoNotImplement;
import io.stratus.sdk.auth.Authorizer;
import io.stratus.sdk.auth.EnhancedAuthenticator;
import io.stratus.sdk.auth.SimpleAuthenticator;
import io.stratus.sdk.hook.InboundPublishHook;
import io.stratus.sdk.hook.LifecycleListener;
import io.stratus.sdk.hook.OutboundDeliveryHook;
import io.stratus.sdk.service.ClientService;
import io.stratus.sdk.service.MessagePublisher;
import io.stratus.sdk.service.PluginMetrics;
import io.stratus.sdk.service.PluginScheduler;

/**
 * What the broker hands one plugin instance, for one tenant: who it serves, its configuration, where
 * it registers its callbacks, and the broker's services. Everything reached through a context is
 * scoped to its tenant.
 *
 * <p>Callbacks are registered during {@link StratusPlugin#start(PluginContext)} only. A plugin
 * registers at most one callback of each kind (one enhanced authenticator per authentication method);
 * a plugin that needs several combines them itself. The broker calls registered callbacks until it
 * stops the plugin.
 *
 * <p>Thread-safe: the services may be used from any thread for as long as the plugin runs.
 *
 * @since 1.0
 */
@DoNotImplement
public interface PluginContext {

    /**
     * @return the id of the tenant this instance serves
     * @since 1.0
     */
    String tenantId();

    /**
     * @return the plugin's id, from its JAR's manifest or file name
     * @since 1.0
     */
    String pluginId();

    /**
     * @return the plugin's version, from its JAR's manifest; {@code unknown} if it names none
     * @since 1.0
     */
    String pluginVersion();

    /**
     * @return the configuration the tenant enabled the plugin with
     * @since 1.0
     */
    PluginConfiguration configuration();

    /**
     * Adds a simple authenticator to the tenant's authentication chain, at the plugin's place in it.
     *
     * @param authenticator the authenticator
     * @throws NullPointerException  if it is null
     * @throws IllegalStateException if the plugin already registered one, or outside
     *     {@link StratusPlugin#start(PluginContext)}
     * @since 1.0
     */
    void registerAuthenticator(SimpleAuthenticator authenticator);

    /**
     * Serves an MQTT 5 authentication method: clients whose CONNECT names {@code authenticationMethod}
     * are authenticated by this authenticator.
     *
     * @param authenticationMethod the method's name as clients send it, such as {@code SCRAM-SHA-256}
     * @param authenticator        the authenticator
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the method's name is empty or not a valid MQTT string
     * @throws IllegalStateException    if the plugin already registered that method, or outside
     *     {@link StratusPlugin#start(PluginContext)}
     * @since 1.0
     */
    void registerEnhancedAuthenticator(String authenticationMethod, EnhancedAuthenticator authenticator);

    /**
     * Adds an authorizer, asked about every publish and subscribe of the tenant's clients.
     *
     * @param authorizer the authorizer
     * @throws NullPointerException  if it is null
     * @throws IllegalStateException if the plugin already registered one, or outside
     *     {@link StratusPlugin#start(PluginContext)}
     * @since 1.0
     */
    void registerAuthorizer(Authorizer authorizer);

    /**
     * Adds a hook on every message the tenant's clients publish.
     *
     * @param hook the hook
     * @throws NullPointerException  if it is null
     * @throws IllegalStateException if the plugin already registered one, or outside
     *     {@link StratusPlugin#start(PluginContext)}
     * @since 1.0
     */
    void registerInboundPublishHook(InboundPublishHook hook);

    /**
     * Adds a hook on every message delivered to the tenant's clients.
     *
     * @param hook the hook
     * @throws NullPointerException  if it is null
     * @throws IllegalStateException if the plugin already registered one, or outside
     *     {@link StratusPlugin#start(PluginContext)}
     * @since 1.0
     */
    void registerOutboundDeliveryHook(OutboundDeliveryHook hook);

    /**
     * Adds a listener to the tenant's clients' connects, disconnects, subscribes and unsubscribes.
     *
     * @param listener the listener
     * @throws NullPointerException  if it is null
     * @throws IllegalStateException if the plugin already registered one, or outside
     *     {@link StratusPlugin#start(PluginContext)}
     * @since 1.0
     */
    void registerLifecycleListener(LifecycleListener listener);

    /**
     * @return the service that publishes messages into the tenant
     * @since 1.0
     */
    MessagePublisher publisher();

    /**
     * @return the service that looks up and disconnects the tenant's clients
     * @since 1.0
     */
    ClientService clients();

    /**
     * @return the scheduler for the plugin's timed tasks, cancelled when the plugin stops
     * @since 1.0
     */
    PluginScheduler scheduler();

    /**
     * @return the plugin's metrics for this tenant
     * @since 1.0
     */
    PluginMetrics metrics();

    /**
     * Gives the plugin a logger whose messages the broker writes to its own log, tagged with the
     * tenant and the plugin. Never log credentials, tokens or payloads.
     *
     * @return the plugin's logger
     * @since 1.0
     */
    System.Logger logger();
}
