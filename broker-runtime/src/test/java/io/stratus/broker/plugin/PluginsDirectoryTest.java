package io.stratus.broker.plugin;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.TenantClients;
import io.stratus.broker.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker's plugins directory: a JAR copied in while the broker runs starts for the tenants that
 * enable it, and what it publishes through the SDK reaches the tenant's clients.
 */
class PluginsDirectoryTest {

    @TempDir
    Path work;

    @Test
    void startsAPluginWhoseJarArrivesWhileTheBrokerRunsInTheTenantsThatEnableIt() throws Exception {
        try (TestBroker broker = TestBroker.withPlugins("""
                {"tenants": [
                  {"id": "acme", "plugins": [{"id": "probe", "config": {"user": "carol"}}], "auth": [{"type": "anonymous"}]},
                  {"id": "globex", "auth": [{"type": "anonymous"}]}
                ]}""", Map.of(), 0);
             TenantClients clients = new TenantClients(broker)) {
            SubscriberInbox acme = new SubscriberInbox();
            SubscriberInbox globex = new SubscriberInbox();
            TenantClients.subAck(clients.receiving("watcher", "w@acme", acme), "probe/#");
            TenantClients.subAck(clients.receiving("watcher", "w@globex", globex), "probe/#");

            new PluginJars(work).probe("probe", "2.0", "lib-1").writeTo(Path.of(broker.config().pluginsDir(), "probe.jar"));

            // the directory is scanned every two seconds and a JAR loaded once two scans agree on it
            SubscriberInbox.Received started = acme.poll(15, TimeUnit.SECONDS);
            assertNotNull(started, "the plugin did not start within 15 s");
            assertEquals("probe/started", started.topic());
            assertTrue(started.payload().contains("tenant=acme;user=carol"), started.payload());
            Mqtt5BlockingClient publisher = clients.connected("p", "p@globex");
            TenantClients.publish(publisher, "probe/marker", "marker");
            assertEquals(0, globex.until("marker").size(), "the plugin's message stayed in its tenant");
        }
    }
}
