package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A tenant's keys fetched from its JWKS endpoint and cached.
 *
 * <ul>
 *   <li>While a fetched set is younger than its TTL, keys come from memory with no I/O.</li>
 *   <li>An older set is still answered at once while a refresh runs in the background, so a TTL expiry
 *       never delays a CONNECT.</li>
 *   <li>A token with an unknown key id triggers a refresh, but fetches start at most once per
 *       {@link JwksSettings#minRefreshInterval()} whatever asks for them, and concurrent requests share
 *       one fetch: a storm of tokens with made-up key ids costs the identity provider one request.</li>
 *   <li>A failed fetch (unreachable, slow, non-200, oversized, unparsable, no usable key) keeps the last
 *       good set in service.</li>
 * </ul>
 *
 * <p>Thread-safe. Fetches run on the {@link HttpClient}'s threads and stages complete there.
 */
public final class JwksKeySource implements JwtKeySource {

    private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);

    private record Snapshot(List<JWK> keys, Instant fetchedAt) {
    }

    private final JwksSettings settings;
    private final HttpClient http;
    private final Clock clock;
    private final String where;
    private final Object lock = new Object();

    private volatile Snapshot current;
    /** Guarded by {@link #lock}: the fetch under way, if any, and when the last one started. */
    private CompletableFuture<List<JWK>> inFlight;
    private Instant lastAttempt;

    /**
     * @param settings the endpoint and its cache settings
     * @param http     the client to fetch with; its connect timeout and redirect policy apply
     * @param clock    measures the TTL and the rate limit
     */
    public JwksKeySource(JwksSettings settings, HttpClient http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.where = describe(settings.uri());
    }

    /**
     * A client suited to JWKS fetches: the given connect timeout and no redirects (a redirect could
     * lead a fetch to a host the tenant did not name). One client can serve every tenant.
     */
    public static HttpClient newHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    }

    @Override
    public CompletionStage<List<JWK>> keys() {
        Snapshot s = current;
        if (s == null) {
            return fetchIfAllowed();
        }
        if (!clock.instant().isBefore(s.fetchedAt().plus(settings.cacheTtl()))) {
            fetchIfAllowed(); // refresh in the background; this caller gets the set it has
        }
        return CompletableFuture.completedStage(s.keys());
    }

    @Override
    public CompletionStage<List<JWK>> keysAfterUnknownKey() {
        return fetchIfAllowed();
    }

    /** @return when the key set in service was fetched, if one was */
    public Optional<Instant> fetchedAt() {
        Snapshot s = current;
        return s == null ? Optional.empty() : Optional.of(s.fetchedAt());
    }

    /**
     * Joins the fetch under way, or starts one if the rate limit allows, or else answers with the keys
     * in service (failing if there are none).
     */
    private CompletionStage<List<JWK>> fetchIfAllowed() {
        CompletableFuture<List<JWK>> started;
        synchronized (lock) {
            if (inFlight != null) {
                return inFlight.minimalCompletionStage();
            }
            Instant now = clock.instant();
            if (lastAttempt != null && now.isBefore(lastAttempt.plus(settings.minRefreshInterval()))) {
                return inService(null);
            }
            lastAttempt = now;
            inFlight = started = new CompletableFuture<>();
        }
        download().whenComplete((keys, error) -> finish(started, keys, error));
        return started.minimalCompletionStage();
    }

    private void finish(CompletableFuture<List<JWK>> fetch, List<JWK> keys, Throwable error) {
        if (error == null) {
            current = new Snapshot(keys, clock.instant());
            LOG.debug("JWKS from {}: {} usable keys", where, keys.size());
        } else {
            LOG.warn("JWKS fetch from {} failed ({}); {}", where, reason(error),
                current == null ? "no key set yet" : "keeping the key set fetched at " + current.fetchedAt());
        }
        synchronized (lock) {
            inFlight = null;
        }
        inService(error).whenComplete((k, e) -> {
            if (e == null) {
                fetch.complete(k);
            } else {
                fetch.completeExceptionally(e);
            }
        });
    }

    private CompletionStage<List<JWK>> inService(Throwable cause) {
        Snapshot s = current;
        if (s != null) {
            return CompletableFuture.completedStage(s.keys());
        }
        String why = cause == null ? "the last fetch failed less than " + settings.minRefreshInterval().toSeconds()
            + " s ago" : reason(cause);
        return CompletableFuture.failedStage(new KeysUnavailableException("no key set from " + where + ": " + why));
    }

    private CompletableFuture<List<JWK>> download() {
        HttpRequest request = HttpRequest.newBuilder(settings.uri())
            .timeout(settings.requestTimeout())
            .header("Accept", "application/jwk-set+json, application/json")
            .GET()
            .build();
        CompletableFuture<HttpResponse<byte[]>> response;
        try {
            response = http.sendAsync(request, BoundedBodySubscriber.handler(settings.maxDocumentBytes()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        // The request timeout covers the response headers only; this bounds the body as well.
        CompletableFuture<List<JWK>> keys = response.copy()
            .orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .thenApply(r -> parse(r.body()));
        keys.whenComplete((k, e) -> {
            if (e != null) {
                response.cancel(true);
            }
        });
        return keys;
    }

    private static List<JWK> parse(byte[] document) {
        List<JWK> all;
        try {
            all = JWKSet.parse(new String(document, StandardCharsets.UTF_8)).getKeys();
        } catch (ParseException e) {
            throw new CompletionException(new KeysUnavailableException("not a JWK set: " + e.getMessage()));
        }
        List<JWK> usable = all.stream().map(VerificationKeys::usable).flatMap(Optional::stream).toList();
        if (usable.isEmpty()) {
            throw new CompletionException(new KeysUnavailableException(
                "no usable signature key among " + all.size() + " keys"));
        }
        return usable;
    }

    private static String reason(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof TimeoutException || e instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The URL without user info or query, which may carry credentials and must not reach the log. */
    private static String describe(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
            + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
