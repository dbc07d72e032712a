package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stratus.broker.auth.jwt.JwtOutcome.Accepted;
import io.stratus.broker.support.AuthFixtures;
import io.stratus.broker.support.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.stratus.broker.auth.jwt.JwtVerifierTest.assertRefused;
import static io.stratus.broker.auth.jwt.JwtVerifierTest.verify;
import static io.stratus.broker.support.AuthFixtures.ecKey;
import static io.stratus.broker.support.AuthFixtures.jwks;
import static io.stratus.broker.support.AuthFixtures.rsaKey;
import static io.stratus.broker.support.AuthFixtures.sign;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JWKS fetching against a real HTTP server on the loopback interface. */
class JwksKeySourceTest {

    private static final String ISSUER = "https://id.acme.example";
    private static final String AUDIENCE = "mqtt.stratus.example";
    private static final String CLIENT = "device-1";
    private static final ECKey KEY_1 = ecKey("key-1", Curve.P_256);
    private static final ECKey KEY_2 = ecKey("key-2", Curve.P_256);

    private final ManualClock clock = new ManualClock();
    private final JwksServer server = new JwksServer();
    private final HttpClient http = JwksKeySource.newHttpClient(Duration.ofSeconds(2));

    @BeforeEach
    void startServer() throws IOException {
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    @Test
    void fetchesOnFirstUseThenAnswersFromMemory() {
        server.serve(jwks(KEY_1));
        JwtVerifier verifier = verifier(settings());

        assertInstanceOf(Accepted.class, verify(verifier, token(KEY_1), CLIENT));
        CompletableFuture<JwtOutcome> second =
            verifier.verify(bytes(token(KEY_1)), CLIENT).toCompletableFuture();

        assertTrue(second.isDone(), "a cached key set needs no I/O");
        assertInstanceOf(Accepted.class, second.join());
        assertEquals(1, server.requests());
    }

    @Test
    void fetchesOnceWhenARotatedKeyAppears() {
        // given a key set already fetched, then rotated at the identity provider
        server.serve(jwks(KEY_1));
        JwtVerifier verifier = verifier(settings());
        assertInstanceOf(Accepted.class, verify(verifier, token(KEY_1), CLIENT));
        server.serve(jwks(KEY_1, KEY_2));
        clock.advance(JwksSettings.DEFAULT_MIN_REFRESH_INTERVAL);

        // when tokens signed with the new key arrive
        JwtOutcome first = verify(verifier, token(KEY_2), CLIENT);
        JwtOutcome second = verify(verifier, token(KEY_2), CLIENT);

        // then the new key was fetched once and serves both
        assertInstanceOf(Accepted.class, first);
        assertInstanceOf(Accepted.class, second);
        assertEquals(2, server.requests());
    }

    @Test
    void fetchesAtMostOncePerIntervalWhateverTheUnknownKeyIds() throws Exception {
        // given a fetched key set and a server that holds its next answer until released
        server.serve(jwks(KEY_1));
        JwtVerifier verifier = verifier(settings());
        assertInstanceOf(Accepted.class, verify(verifier, token(KEY_1), CLIENT));
        clock.advance(JwksSettings.DEFAULT_MIN_REFRESH_INTERVAL);
        server.holdResponses();

        // when 100 tokens with made-up key ids arrive at once from 8 threads
        List<CompletableFuture<JwtOutcome>> outcomes = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<CompletableFuture<JwtOutcome>>> submitted = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String forged = sign(KEY_2, header("made-up-" + i), claims().build());
                submitted.add(CompletableFuture.supplyAsync(
                    () -> verifier.verify(bytes(forged), CLIENT).toCompletableFuture(), senders));
            }
            for (CompletableFuture<CompletableFuture<JwtOutcome>> s : submitted) {
                outcomes.add(s.get(10, TimeUnit.SECONDS));
            }
        } finally {
            senders.shutdown();
        }
        server.releaseResponses();

        // then all are refused as unknown, and the identity provider saw one more request
        for (CompletableFuture<JwtOutcome> o : outcomes) {
            assertRefused(JwtRefusal.UNKNOWN_KEY, o.get(10, TimeUnit.SECONDS));
        }
        assertEquals(2, server.requests());

        // and another unknown key id within the interval causes no fetch at all
        assertRefused(JwtRefusal.UNKNOWN_KEY, verify(verifier, sign(KEY_2, header("made-up-x"), claims().build()), CLIENT));
        assertEquals(2, server.requests());
    }

    @Test
    void keepsServingTheLastGoodSetWhileTheServerIsDown() {
        // given a fetched key set, then the server goes away
        server.serve(jwks(KEY_1));
        JwksKeySource source = new JwksKeySource(settings(), http, clock);
        JwtVerifier verifier = new JwtVerifier(jwtSettings(settings()), source, clock);
        assertInstanceOf(Accepted.class, verify(verifier, token(KEY_1), CLIENT));
        Instant fetched = source.fetchedAt().orElseThrow();
        server.stop();

        // when the set is past its TTL and a token with an unknown key forces a refresh too
        clock.advance(JwksSettings.DEFAULT_CACHE_TTL.plusSeconds(1));
        JwtOutcome known = verify(verifier, token(KEY_1), CLIENT);
        awaitFetch(source);
        clock.advance(JwksSettings.DEFAULT_MIN_REFRESH_INTERVAL);
        JwtOutcome unknown = verify(verifier, token(KEY_2), CLIENT);

        // then the old set still serves: known keys pass, unknown ones are unknown, not unavailable
        assertInstanceOf(Accepted.class, known);
        assertRefused(JwtRefusal.UNKNOWN_KEY, unknown);
        assertInstanceOf(Accepted.class, verify(verifier, token(KEY_1), CLIENT));
        assertEquals(fetched, source.fetchedAt().orElseThrow());
    }

    @Test
    void dropsARemovedKeyOnceTheSetIsRefreshedAfterItsTtl() {
        server.serve(jwks(KEY_1));
        JwksKeySource source = new JwksKeySource(settings(), http, clock);
        JwtVerifier verifier = new JwtVerifier(jwtSettings(settings()), source, clock);
        assertInstanceOf(Accepted.class, verify(verifier, token(KEY_1), CLIENT));

        // when the identity provider retires key 1 and the TTL passes
        server.serve(jwks(KEY_2));
        clock.advance(JwksSettings.DEFAULT_CACHE_TTL);
        JwtOutcome duringRefresh = verify(verifier, token(KEY_1), CLIENT);
        awaitFetch(source);

        // then the request that noticed the TTL was not delayed, and later ones see the new set
        assertInstanceOf(Accepted.class, duringRefresh);
        assertRefused(JwtRefusal.UNKNOWN_KEY, verify(verifier, token(KEY_1), CLIENT));
        assertInstanceOf(Accepted.class, verify(verifier, token(KEY_2), CLIENT));
        assertEquals(2, server.requests());
    }

    @Test
    void refusesWithKeysUnavailableAndRateLimitsWhenTheFirstFetchFails() {
        server.fail(500);
        JwtVerifier verifier = verifier(settings());

        assertRefused(JwtRefusal.KEYS_UNAVAILABLE, verify(verifier, token(KEY_1), CLIENT));
        assertRefused(JwtRefusal.KEYS_UNAVAILABLE, verify(verifier, token(KEY_1), CLIENT));
        assertEquals(1, server.requests(), "a failing endpoint is not retried within the interval");

        server.serve(jwks(KEY_1));
        clock.advance(JwksSettings.DEFAULT_MIN_REFRESH_INTERVAL);

        assertInstanceOf(Accepted.class, verify(verifier, token(KEY_1), CLIENT));
        assertEquals(2, server.requests());
    }

    @Test
    void timesOutAServerThatDoesNotAnswer() {
        server.holdResponses();
        JwtVerifier verifier = verifier(withTimeout(Duration.ofMillis(300)));

        long start = System.nanoTime();
        JwtOutcome outcome = verify(verifier, token(KEY_1), CLIENT);

        assertRefused(JwtRefusal.KEYS_UNAVAILABLE, outcome);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "gave up at the timeout");
    }

    @Test
    void timesOutABodyThatNeverEnds() {
        server.serve(jwks(KEY_1));
        server.stallAfterHeaders();
        JwtVerifier verifier = verifier(withTimeout(Duration.ofMillis(300)));

        assertRefused(JwtRefusal.KEYS_UNAVAILABLE, verify(verifier, token(KEY_1), CLIENT));
    }

    @Test
    void refusesAnOversizedDocumentWhetherItsLengthIsDeclaredOrNot() {
        String oversized = oversizedJwks(JwksSettings.DEFAULT_MAX_DOCUMENT_BYTES + 1);

        server.serve(oversized);
        assertRefused(JwtRefusal.KEYS_UNAVAILABLE, verify(verifier(settings()), token(KEY_1), CLIENT));

        server.serveChunked(oversized);
        assertRefused(JwtRefusal.KEYS_UNAVAILABLE, verify(verifier(settings()), token(KEY_1), CLIENT));
        assertEquals(2, server.requests());
    }

    @Test
    void acceptsADocumentJustWithinTheLimit() {
        server.serveChunked(oversizedJwks(JwksSettings.DEFAULT_MAX_DOCUMENT_BYTES));

        assertInstanceOf(Accepted.class, verify(verifier(settings()), token(KEY_1), CLIENT));
    }

    @Test
    void refusesDocumentsWithoutAUsableKey() {
        RSAKey weak = rsaKey("weak", 1024);
        OctetSequenceKey hmacKey = new OctetSequenceKey.Builder(new byte[32]).keyID("key-1").build();

        for (String document : List.of("{not json", "{\"keys\":[]}", "{\"keys\":[" + hmacKey.toJSONString() + "]}",
            jwks(weak))) {
            server.serve(document);
            assertRefused(JwtRefusal.KEYS_UNAVAILABLE, verify(verifier(settings()), token(KEY_1), CLIENT));
        }
    }

    @Test
    void refusesPlainHttpToAnotherHost() {
        assertThrows(IllegalArgumentException.class, () -> JwksSettings.of(URI.create("http://id.acme.example/jwks")));
        assertThrows(IllegalArgumentException.class, () -> JwksSettings.of(URI.create("file:///etc/jwks.json")));
        JwksSettings.of(URI.create("https://id.acme.example/jwks"));
    }

    // ----- helpers

    private JwksSettings settings() {
        return JwksSettings.of(server.uri());
    }

    private JwksSettings withTimeout(Duration timeout) {
        JwksSettings d = settings();
        return new JwksSettings(d.uri(), d.cacheTtl(), d.minRefreshInterval(), timeout, d.maxDocumentBytes());
    }

    private static JwtSettings jwtSettings(JwksSettings jwks) {
        return JwtSettings.of(ISSUER, Set.of(AUDIENCE), jwks);
    }

    private JwtVerifier verifier(JwksSettings jwks) {
        return new JwtVerifier(jwtSettings(jwks), JwtKeySource.of(jwks, http, clock), clock);
    }

    /** Waits for the fetch under way, if any (joining it never starts one within the interval). */
    private static void awaitFetch(JwksKeySource source) {
        source.keysAfterUnknownKey().toCompletableFuture().handle((k, e) -> null).join();
    }

    private com.nimbusds.jwt.JWTClaimsSet.Builder claims() {
        return AuthFixtures.claims(ISSUER, AUDIENCE, CLIENT, clock.instant());
    }

    private String token(JWK key) {
        return sign(key, JWSAlgorithm.ES256, claims().build());
    }

    private static JWSHeader header(String kid) {
        return new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build();
    }

    private static byte[] bytes(String token) {
        return token.getBytes(StandardCharsets.US_ASCII);
    }

    /** A valid JWKS with KEY_1, padded with an extra member to exactly {@code size} bytes. */
    private static String oversizedJwks(int size) {
        String head = "{\"keys\":[" + KEY_1.toPublicJWK().toJSONString() + "],\"padding\":\"";
        String tail = "\"}";
        return head + "x".repeat(size - head.length() - tail.length()) + tail;
    }

    /** A JWKS endpoint on 127.0.0.1 whose answers the test controls. */
    private static final class JwksServer {
        private final AtomicInteger requests = new AtomicInteger();
        private final CountDownLatch released = new CountDownLatch(1);
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private HttpServer http;
        private int port;
        private volatile String document = "{\"keys\":[]}";
        private volatile int status = 200;
        private volatile boolean chunked;
        private volatile boolean hold;
        private volatile boolean stall;

        void start() throws IOException {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.setExecutor(threads);
            http.createContext("/jwks", this::handle);
            http.start();
        }

        URI uri() {
            if (port == 0) {
                port = http.getAddress().getPort();
            }
            return URI.create("http://127.0.0.1:" + port + "/jwks");
        }

        void serve(String json) {
            document = json;
            status = 200;
            chunked = false;
        }

        void serveChunked(String json) {
            serve(json);
            chunked = true;
        }

        void fail(int code) {
            status = code;
        }

        void holdResponses() {
            hold = true;
        }

        void releaseResponses() {
            released.countDown();
        }

        void stallAfterHeaders() {
            stall = true;
        }

        int requests() {
            return requests.get();
        }

        void stop() {
            released.countDown();
            if (http != null) {
                http.stop(0);
                http = null;
            }
            threads.shutdownNow();
        }

        private void handle(HttpExchange exchange) throws IOException {
            requests.incrementAndGet();
            try (exchange) {
                if (hold && !released.await(30, TimeUnit.SECONDS)) {
                    return;
                }
                byte[] body = document.getBytes(StandardCharsets.UTF_8);
                if (status != 200) {
                    exchange.sendResponseHeaders(status, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
                exchange.sendResponseHeaders(200, chunked || stall ? 0 : body.length);
                OutputStream out = exchange.getResponseBody();
                if (stall) {
                    out.write(body, 0, body.length / 2);
                    out.flush();
                    released.await(30, TimeUnit.SECONDS);
                    return;
                }
                out.write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
