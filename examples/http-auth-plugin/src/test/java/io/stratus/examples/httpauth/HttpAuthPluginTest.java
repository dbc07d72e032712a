package io.stratus.examples.httpauth;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stratus.testkit.PluginTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plugin as the tenant's authenticator in a real broker, asking a real HTTP endpoint on this
 * machine. The endpoint answers by user name: {@code alice} 200 (with a {@code site} attribute),
 * {@code bob} 401, {@code carol} 403, {@code dave} 404, {@code erin} 500, {@code frank} never.
 */
class HttpAuthPluginTest {

    private HttpServer endpoint;
    private ExecutorService endpointThreads;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch releaseFrank = new CountDownLatch(1);
    private PluginTestKit kit;

    @BeforeEach
    void startEndpoint() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpointThreads = Executors.newCachedThreadPool();
        endpoint.setExecutor(endpointThreads);
        endpoint.createContext("/mqtt-auth", this::answer);
        endpoint.start();
    }

    @AfterEach
    void stop() {
        releaseFrank.countDown();
        if (kit != null) {
            kit.close();
        }
        endpoint.stop(0);
        endpointThreads.shutdownNow();
    }

    private void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(exchange.getRequestMethod() + " " + body);
        int status;
        if (body.contains("\"username\":\"alice\"")) {
            exchange.getResponseHeaders().add("X-Stratus-Attribute-Site", "north");
            status = 200;
        } else if (body.contains("\"username\":\"bob\"")) {
            status = 401;
        } else if (body.contains("\"username\":\"carol\"")) {
            status = 403;
        } else if (body.contains("\"username\":\"dave\"")) {
            status = 404;
        } else if (body.contains("\"username\":\"frank\"")) {
            try {
                releaseFrank.await(); // answers only once the test is over
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            status = 200;
        } else {
            status = 500;
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private PluginTestKit start(Map<String, String> extra) {
        Map<String, String> config = new java.util.HashMap<>(extra);
        config.put("url", "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/mqtt-auth");
        kit = PluginTestKit.builder().plugin(HttpAuthPlugin.class).configuration(config).authenticatesClients()
            .timeouts(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofSeconds(1)).start();
        return kit;
    }

    private Mqtt5ConnAckReasonCode refusal(String clientId, String username, String password) {
        return assertThrows(Mqtt5ConnAckException.class, () -> kit.connect(clientId, username, password))
            .getMqttMessage().getReasonCode();
    }

    @Test
    void letsInAClientTheEndpointAllowsAndSendsItItsCredentialsAsJson() {
        start(Map.of());

        assertTrue(kit.connect("device-1", "alice", "pa\"ss").getState().isConnected());

        assertEquals(List.of("POST {\"clientId\":\"device-1\",\"password\":\"pa\\\"ss\",\"username\":\"alice\"}"), requests);
    }

    @Test
    void refusesWithTheCodeTheEndpointsAnswerStandsFor() {
        start(Map.of());

        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusal("d-2", "bob", "x"));
        assertEquals(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED, refusal("d-3", "carol", "x"));
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusal("d-4", "dave", "x"),
            "404 passes to the next method, and the test kit's tenant has none to accept the password");
    }

    @Test
    void refusesWithServerBusyWhenTheEndpointFailsOrIsTooSlow() {
        start(Map.of("timeout-ms", "300"));

        assertEquals(Mqtt5ConnAckReasonCode.SERVER_BUSY, refusal("d-5", "erin", "x"));
        assertEquals(Mqtt5ConnAckReasonCode.SERVER_BUSY, refusal("d-6", "frank", "x"));

        assertEquals(2, kit.stats().metrics().snapshot().get("http.failures"));
        assertEquals(0, kit.stats().failures() + kit.stats().timeouts(),
            "the plugin answered the broker in time each time: it is the endpoint that failed");
    }

    @Test
    void asksTheEndpointOnceForTheSameCredentialsWhileTheDecisionIsCached() {
        start(Map.of());

        kit.connect("device-1", "alice", "secret").disconnect();
        kit.connect("device-1", "alice", "secret").disconnect();
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusal("device-2", "bob", "x"));
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusal("device-2", "bob", "x"));

        assertEquals(2, requests.size(), "one request for alice, one for bob: " + requests);
        assertEquals(2, kit.stats().metrics().snapshot().get("cache.hits"));
    }

    @Test
    void doesNotCacheAFailureToDecide() {
        start(Map.of());

        assertEquals(Mqtt5ConnAckReasonCode.SERVER_BUSY, refusal("d-7", "erin", "x"));
        assertEquals(Mqtt5ConnAckReasonCode.SERVER_BUSY, refusal("d-7", "erin", "x"));

        assertEquals(2, requests.size());
    }

    @Test
    void refusesToStartWithoutAnEndpoint() {
        kit = PluginTestKit.builder().plugin(HttpAuthPlugin.class).configuration(Map.of()).start();

        assertTrue(!kit.pluginRunning(), "its configuration lacks url, so the plugin does not start");
    }
}
