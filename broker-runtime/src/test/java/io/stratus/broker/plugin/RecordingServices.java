package io.stratus.broker.plugin;

import io.stratus.broker.tenant.TenantId;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.message.PublishPacket;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The broker's side of the plugin services, for tests: it records what plugins publish, so a test can
 * wait for a plugin's report, and knows no connected clients.
 */
final class RecordingServices implements PluginRuntimeServices {

    record Published(TenantId tenant, String topic, String payload) {

        /** @return the payload's {@code key=value;key=value} pairs */
        Map<String, String> fields() {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String pair : payload.split(";")) {
                int eq = pair.indexOf('=');
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            return fields;
        }
    }

    private final BlockingQueue<Published> published = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Void> publish(TenantId tenant, PublishPacket packet) {
        published.add(new Published(tenant, packet.topic(), new String(packet.payloadBytes(), StandardCharsets.UTF_8)));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Boolean> disconnect(TenantId tenant, String clientId, String reason) {
        return CompletableFuture.completedFuture(false);
    }

    @Override
    public Optional<ClientIdentity> identity(TenantId tenant, String clientId) {
        return Optional.empty();
    }

    /** Waits for the next message plugins publish. */
    Published next() throws InterruptedException {
        Published p = published.poll(10, TimeUnit.SECONDS);
        if (p == null) {
            throw new AssertionError("no plugin published anything within 10 s");
        }
        return p;
    }

    /** @return whether nothing was published that no test took yet */
    boolean isEmpty() {
        return published.isEmpty();
    }
}
