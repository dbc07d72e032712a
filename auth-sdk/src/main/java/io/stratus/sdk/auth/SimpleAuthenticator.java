package io.stratus.sdk.auth;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a connecting client may connect, from its CONNECT packet alone: user name and
 * password, a token in the password, its certificate, its address. Register one with
 * {@link io.stratus.sdk.PluginContext#registerAuthenticator(SimpleAuthenticator)}.
 *
 * <p><b>Timeout and fallback.</b> The broker waits for the returned stage for the tenant's
 * authentication timeout (5 seconds unless the tenant configures another). If the stage does not
 * complete in time, completes exceptionally, is null, or this method throws, the broker denies the
 * client with {@link DenyReason#SERVER_BUSY} (the decision could not be made; the credentials were
 * not judged), counts the failure and logs it with the tenant and plugin. The connection's
 * processing and the broker carry on.
 *
 * <p><b>Threads.</b> The broker calls this on threads it shares between plugins, which must not block:
 * return an already completed stage for decisions made in memory, and for blocking I/O (a database,
 * an HTTP call with a blocking client) run the work on the plugin's own executor and complete the
 * stage from there. A call that blocks anyway is answered with the fallback at the timeout, and a
 * plugin that keeps several threads blocked gets the fallback without being called until it
 * releases them. The same instance is called concurrently for different clients, so it must be
 * thread-safe.
 *
 * @since 1.0
 */
@FunctionalInterface
public interface SimpleAuthenticator {

    /**
     * Authenticates a connecting client.
     *
     * @param request the client's CONNECT and what is known of its connection
     * @return a stage that completes with {@link AuthResult#allow()}, a
     *     {@link AuthResult#deny(DenyReason, String) deny} or {@link AuthResult#next()}
     * @since 1.0
     */
    CompletionStage<AuthResult> authenticate(ConnectRequest request);
}
