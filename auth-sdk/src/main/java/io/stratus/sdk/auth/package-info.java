/**
 * Authentication and authorization callbacks and the values they exchange with the broker.
 *
 * <p>A tenant's authentication chain runs its methods (built-in ones and plugins') in a configured
 * order: each {@link io.stratus.sdk.auth.SimpleAuthenticator} allows, denies or passes with
 * {@link io.stratus.sdk.auth.AuthResult#next()}; the first allow or deny decides, and a client nobody
 * decides on is denied. An {@link io.stratus.sdk.auth.EnhancedAuthenticator} serves the MQTT 5
 * authentication method it is registered for. {@link io.stratus.sdk.auth.Authorizer}s are asked for
 * every publish and subscribe, and their decisions combine with the tenant's own policies so that a
 * deny from any of them wins.
 *
 * <p>All values here are immutable and safe to share between threads.
 *
 * @since 1.0
 */
package io.stratus.sdk.auth;
