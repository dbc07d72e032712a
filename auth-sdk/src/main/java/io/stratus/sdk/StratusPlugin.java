package io.stratus.sdk;

/**
 * The entry point of a plugin, found with {@link java.util.ServiceLoader}: a plugin JAR names its
 * implementation in {@code META-INF/services/io.stratus.sdk.StratusPlugin}. The class needs a public
 * no-argument constructor. A JAR holds exactly one plugin; its id and version come from the manifest
 * attributes {@code Stratus-Plugin-Id} and {@code Stratus-Plugin-Version} (the id defaults to the
 * file name without {@code .jar}).
 *
 * <p><b>One instance per tenant.</b> The broker creates a new instance for every tenant that enables
 * the plugin, each with its own {@link PluginContext} and configuration, so whatever state an
 * instance keeps in its fields belongs to one tenant by construction. Static fields, by contrast, are
 * shared by all of the plugin's tenants: avoid them.
 *
 * <p><b>Isolation.</b> Each plugin JAR is loaded in a class loader of its own whose parent sees only
 * this SDK and the JDK: a plugin bundles its own libraries (a shaded or "fat" JAR), cannot see the
 * broker's classes or libraries, and cannot see other plugins, so two plugins may bundle different
 * versions of the same library.
 *
 * <p><b>Replacement.</b> When the JAR is replaced, the broker loads the new one in a new class loader,
 * starts new instances for the tenants that enable it, then stops the old instances and closes their
 * class loader; disabling the plugin for a tenant, or deleting the JAR, stops its instances. None of
 * this restarts the broker or disconnects clients.
 *
 * <p><b>Threads.</b> The broker calls {@link #start(PluginContext)} and {@link #stop()} of one instance
 * one after the other, on a thread of its own that may block briefly, never on a network thread.
 *
 * @since 1.0
 */
public interface StratusPlugin {

    /**
     * Starts the plugin for one tenant: reads its configuration and registers its callbacks with the
     * context. Registration is possible only during this call. Should return within a few seconds;
     * longer initialisation (a first fetch from a back end) belongs in a task or the plugin's own
     * executor, with callbacks answering {@code next} or {@code deny} until it is done.
     *
     * <p>If this method throws or takes longer than the broker's start timeout (10 seconds unless
     * configured otherwise), the plugin stays disabled for the tenant, its registrations are
     * discarded, and the failure is logged with the tenant and plugin.
     *
     * @param context the tenant, the configuration and the broker's services for this instance
     * @throws Exception if the plugin cannot start, for example because its configuration is invalid;
     *     the message is logged
     * @since 1.0
     */
    void start(PluginContext context) throws Exception;

    /**
     * Stops the plugin for its tenant: the plugin is being disabled or replaced, or the broker is
     * shutting down. The broker no longer calls the instance's callbacks after this (a call already
     * under way may still complete) and has already cancelled its scheduled tasks; the plugin should
     * release what it holds, such as its own executors and connections. An exception is logged and
     * otherwise ignored. The default does nothing.
     *
     * @throws Exception if stopping fails; logged, and the instance is discarded regardless
     * @since 1.0
     */
    default void stop() throws Exception {
    }
}
