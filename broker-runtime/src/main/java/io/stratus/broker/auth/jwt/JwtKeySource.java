package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.jwk.JWK;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The public keys one tenant's tokens are checked with.
 *
 * <p>Both methods return an already completed stage whenever the answer is in memory, so that the
 * common case costs no thread hop; a stage that is not yet complete completes on an HTTP client
 * thread, never on the caller's. Implementations are thread-safe.
 */
public interface JwtKeySource {

    /**
     * @return the current keys; fails (with {@link KeysUnavailableException}) only when no key set has
     *         ever been obtained
     */
    CompletionStage<List<JWK>> keys();

    /**
     * Called when no current key fits a token. A source that can refresh does so here, subject to its
     * rate limit, and answers with the refreshed keys; otherwise (or if the refresh fails) with the
     * current ones.
     *
     * @return the keys to try again with
     */
    CompletionStage<List<JWK>> keysAfterUnknownKey();

    /**
     * @param keys  the tenant's key settings
     * @param http  the client JWKS documents are fetched with (one can serve every tenant; see
     *              {@link JwksKeySource#newHttpClient})
     * @param clock the clock cache ages and rate limits are measured with
     * @return the key source those settings describe
     */
    static JwtKeySource of(JwtKeys keys, HttpClient http, Clock clock) {
        if (keys instanceof StaticKeys s) {
            return new StaticKeySource(s);
        }
        return new JwksKeySource((JwksSettings) keys, http, clock);
    }
}
