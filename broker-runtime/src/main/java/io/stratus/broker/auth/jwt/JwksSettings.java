package io.stratus.broker.auth.jwt;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A JWKS endpoint and how it is fetched and cached.
 *
 * <p>Plain {@code http} is refused except to a loopback host: keys fetched over an unauthenticated
 * channel let anyone on the path mint tokens for the tenant.
 *
 * @param uri                the JWKS document's URL ({@code https}, or {@code http} to a loopback host)
 * @param cacheTtl           how long a fetched key set is used before it is refreshed in the background
 * @param minRefreshInterval the least time between two fetches, whatever asks for them (unknown key ids,
 *                           expiry, retries after a failure), so that tokens with made-up key ids cannot
 *                           turn the broker into a load generator against the identity provider
 * @param requestTimeout     how long one fetch may take from sending the request to the last byte
 * @param maxDocumentBytes   the largest document accepted
 */
public record JwksSettings(URI uri, Duration cacheTtl, Duration minRefreshInterval, Duration requestTimeout,
                           int maxDocumentBytes) implements JwtKeys {

    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_DOCUMENT_BYTES = 1024 * 1024;

    /** @throws IllegalArgumentException naming the setting that is missing or out of range */
    public JwksSettings {
        Objects.requireNonNull(uri, "jwks uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http") && isLoopback(uri.getHost()))) {
            throw new IllegalArgumentException("jwks uri must be an https URL (http only to localhost): " + uri);
        }
        positive(cacheTtl, "jwks cache ttl");
        positive(minRefreshInterval, "jwks min refresh interval");
        positive(requestTimeout, "jwks request timeout");
        if (maxDocumentBytes < 1) {
            throw new IllegalArgumentException("jwks max document bytes must be at least 1: " + maxDocumentBytes);
        }
    }

    /** Settings for {@code uri} with the defaults: 10 min cache, 30 s between fetches, 5 s timeout, 1 MiB. */
    public static JwksSettings of(URI uri) {
        return new JwksSettings(uri, DEFAULT_CACHE_TTL, DEFAULT_MIN_REFRESH_INTERVAL, DEFAULT_REQUEST_TIMEOUT,
            DEFAULT_MAX_DOCUMENT_BYTES);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }
}
