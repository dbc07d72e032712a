package io.stratus.sdk.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Serves one MQTT 5 authentication method (SCRAM, a challenge signed with a device key, a one-time
 * code): the broker hands it every client whose CONNECT names that Authentication Method, and every
 * AUTH packet of the exchange that follows. Register one per method with
 * {@link io.stratus.sdk.PluginContext#registerEnhancedAuthenticator(String, EnhancedAuthenticator)}.
 * [MQTT-4.12]
 *
 * <p>A challenge/response exchange looks like this:
 * <pre>{@code
 * public CompletionStage<AuthStep> onConnect(ConnectRequest request) {
 *     byte[] nonce = randomNonce();
 *     return CompletableFuture.completedStage(AuthStep.continueWith(nonce, nonce));
 * }
 *
 * public CompletionStage<AuthStep> onAuth(AuthExchange exchange, byte[] response) {
 *     byte[] nonce = exchange.state(byte[].class).orElseThrow();
 *     return CompletableFuture.completedStage(verify(exchange.connectRequest().clientId(), nonce, response)
 *         ? AuthStep.success(AuthResult.allow())
 *         : AuthStep.failure(DenyReason.BAD_CREDENTIALS, "signature does not verify"));
 * }
 * }</pre>
 *
 * <p><b>Timeout and fallback.</b> Each step has the tenant's authentication timeout (5 seconds unless the
 * tenant configures another); the broker also bounds the number of steps and the time the client
 * takes to answer. If a stage does not complete in time, completes exceptionally, is null, or a
 * method throws, the step counts as {@link AuthStep#failure(DenyReason, String) failure} with
 * {@link DenyReason#SERVER_BUSY}: the client is refused (or, when re-authenticating, disconnected),
 * and the failure is counted and logged with the tenant and plugin.
 *
 * <p><b>Threads.</b> As for {@link SimpleAuthenticator}: never block the calling thread, and be
 * thread-safe, because exchanges of different clients run concurrently. Steps of one exchange are
 * called one after the other, never concurrently.
 *
 * @since 1.0
 */
public interface EnhancedAuthenticator {

    /**
     * Starts an exchange for a connecting client whose CONNECT names this authenticator's method. The
     * CONNECT's Authentication Data, if any, is in {@link ConnectRequest#authenticationData()}.
     *
     * @param request the client's CONNECT and what is known of its connection
     * @return a stage completing with the first step
     * @since 1.0
     */
    CompletionStage<AuthStep> onConnect(ConnectRequest request);

    /**
     * Continues an exchange with the client's answer (an AUTH packet with reason code 0x18).
     *
     * @param exchange the exchange, with the state the previous step kept
     * @param authData a copy of the Authentication Data of the client's AUTH packet; empty if it sent none
     * @return a stage completing with the next step
     * @since 1.0
     */
    CompletionStage<AuthStep> onAuth(AuthExchange exchange, byte[] authData);

    /**
     * Starts a re-authentication: a connected client sent AUTH with reason code 0x19. Later steps of
     * the exchange arrive in {@link #onAuth(AuthExchange, byte[])}, where
     * {@link AuthExchange#reauthentication()} is true. A failure disconnects the client.
     *
     * <p>The default refuses re-authentication with {@link DenyReason#NOT_AUTHORIZED}, which
     * disconnects the client; a method that supports it overrides this.
     *
     * @param exchange the exchange, with the client's identity
     * @param authData a copy of the Authentication Data of the client's AUTH packet; empty if it sent none
     * @return a stage completing with the first step
     * @since 1.0
     */
    default CompletionStage<AuthStep> onReauth(AuthExchange exchange, byte[] authData) {
        return CompletableFuture.completedStage(
            AuthStep.failure(DenyReason.NOT_AUTHORIZED, "re-authentication is not supported by this method"));
    }
}
