/**
 * Services the broker offers a plugin through its {@link io.stratus.sdk.PluginContext}: publishing,
 * client management, scheduling and metrics. Each is scoped to the plugin's tenant: a plugin can never
 * reach another tenant's clients or topics through them. All are implemented by the broker
 * ({@link io.stratus.sdk.annotation.DoNotImplement}) and are thread-safe.
 *
 * @since 1.0
 */
package io.stratus.sdk.service;
