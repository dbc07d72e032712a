package io.stratus.examples.httpauth;

import io.stratus.sdk.PluginConfiguration;
import io.stratus.sdk.PluginContext;
import io.stratus.sdk.StratusPlugin;
import io.stratus.sdk.auth.AuthResult;
import io.stratus.sdk.auth.ConnectRequest;
import io.stratus.sdk.auth.DenyReason;
import io.stratus.sdk.service.Counter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Authenticates MQTT clients by asking an HTTP endpoint of the tenant's own: it POSTs the client id,
 * user name and password as JSON, and the response's status decides:
 * <ul>
 *   <li>200: the client is allowed; each response header {@code X-Stratus-Attribute-NAME: value} gives
 *       it an attribute the tenant's policies can name as {@code ${NAME}};</li>
 *   <li>401: refused, bad credentials (MQTT 5 0x86); 403: refused, not authorized (0x87);</li>
 *   <li>404: the endpoint does not know the client, so the tenant's next authentication method decides;</li>
 *   <li>anything else, no answer within {@code timeout-ms}, or a connection failure: the decision
 *       cannot be made, and the client is refused with "server busy" (0x89) rather than let in.</li>
 * </ul>
 * Decisions (allow and refuse, not failures) are cached for {@code cache-seconds}, under a hash of the
 * credentials, so a fleet reconnecting at once does not flood the endpoint.
 *
 * <p>Configuration: {@code url} (required), {@code timeout-ms} (2000), {@code cache-size} (10000),
 * {@code cache-seconds} (60). Metrics: {@code http.requests}, {@code http.failures}, {@code cache.hits}.
 */
public final class HttpAuthPlugin implements StratusPlugin {

    private static final String ATTRIBUTE_HEADER = "x-stratus-attribute-";

    private HttpClient http;
    private URI url;
    private Duration timeout;
    private DecisionCache cache;
    private Counter requests;
    private Counter failures;
    private Counter cacheHits;

    @Override
    public void start(PluginContext context) {
        PluginConfiguration config = context.configuration();
        url = URI.create(config.require("url"));
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
            throw new IllegalArgumentException("url must be an http or https URL: " + url);
        }
        timeout = Duration.ofMillis(config.getLong("timeout-ms", 2000));
        cache = new DecisionCache(config.getInt("cache-size", 10_000),
            Duration.ofSeconds(config.getLong("cache-seconds", 60)));
        requests = context.metrics().counter("http.requests");
        failures = context.metrics().counter("http.failures");
        cacheHits = context.metrics().counter("cache.hits");
        http = HttpClient.newBuilder().connectTimeout(timeout).build();
        context.registerAuthenticator(this::authenticate);
    }

    private CompletionStage<AuthResult> authenticate(ConnectRequest request) {
        String body = Json.object(Map.of(
            "clientId", request.clientId(),
            "username", request.username().orElse(""),
            "password", request.passwordAsUtf8().orElse("")));
        String key = DecisionCache.key(request.clientId(), request.username().orElse(""), request.password().orElse(null));
        AuthResult cached = cache.get(key);
        if (cached != null) {
            cacheHits.increment();
            return CompletableFuture.completedFuture(cached);
        }
        requests.increment();
        HttpRequest post = HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
        // asynchronous: the broker's plugin thread is not held while the endpoint thinks
        return http.sendAsync(post, HttpResponse.BodyHandlers.discarding())
            .handle((response, error) -> {
                if (error != null) {
                    failures.increment();
                    return AuthResult.deny(DenyReason.SERVER_BUSY, "the authentication endpoint failed: "
                        + error.getClass().getSimpleName());
                }
                AuthResult result = decide(response);
                if (result.denyReason().filter(DenyReason.SERVER_BUSY::equals).isPresent()) {
                    failures.increment(); // no decision was made: ask again next time
                } else {
                    cache.put(key, result);
                }
                return result;
            });
    }

    private static AuthResult decide(HttpResponse<Void> response) {
        return switch (response.statusCode()) {
            case 200 -> {
                AuthResult.Builder allow = AuthResult.allowBuilder();
                response.headers().map().forEach((name, values) -> {
                    String lower = name.toLowerCase(Locale.ROOT);
                    if (lower.startsWith(ATTRIBUTE_HEADER) && !values.isEmpty()) {
                        allow.attribute(lower.substring(ATTRIBUTE_HEADER.length()), values.get(0));
                    }
                });
                yield allow.build();
            }
            case 401 -> AuthResult.deny(DenyReason.BAD_CREDENTIALS, "the endpoint refused the credentials");
            case 403 -> AuthResult.deny(DenyReason.NOT_AUTHORIZED, "the endpoint refused the client");
            case 404 -> AuthResult.next();
            default -> AuthResult.deny(DenyReason.SERVER_BUSY, "the endpoint answered " + response.statusCode());
        };
    }
}
