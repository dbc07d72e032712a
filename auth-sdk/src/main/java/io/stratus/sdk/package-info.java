/**
 * The entry point of a Stratus plugin and what the broker hands it.
 *
 * <p>A plugin implements {@link io.stratus.sdk.StratusPlugin} and names the class in
 * {@code META-INF/services/io.stratus.sdk.StratusPlugin}. When a tenant enables the plugin, the broker
 * creates an instance for that tenant and calls
 * {@link io.stratus.sdk.StratusPlugin#start(io.stratus.sdk.PluginContext)}, in which the plugin reads
 * its {@link io.stratus.sdk.PluginConfiguration} and registers its callbacks:
 * <pre>{@code
 * public final class DeviceTokenPlugin implements StratusPlugin {
 *     public void start(PluginContext context) {
 *         String issuer = context.configuration().require("issuer");
 *         context.registerAuthenticator(request -> CompletableFuture.completedStage(
 *             request.passwordAsUtf8().filter(token -> valid(issuer, token)).isPresent()
 *                 ? AuthResult.allow()
 *                 : AuthResult.next()));
 *     }
 * }
 * }</pre>
 *
 * <p>Every callback returns a {@link java.util.concurrent.CompletionStage}; the broker bounds how long it
 * waits with a timeout and applies a documented fallback when a callback fails or is late (deny for
 * authentication and authorization, pass unchanged for hooks). Callbacks run on threads the broker
 * shares between plugins and must not block them; blocking work belongs on the plugin's own
 * executor, completing the stage when it is done. A plugin's failures are counted and logged with
 * its tenant and id and never break a connection's processing or the broker.
 *
 * @since 1.0
 */
package io.stratus.sdk;
