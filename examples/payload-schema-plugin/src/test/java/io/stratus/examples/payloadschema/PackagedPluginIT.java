package io.stratus.examples.payloadschema;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.stratus.testkit.PluginTestKit;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The built JAR, with the JSON Schema library and Jackson inside it, loaded as the broker loads it in
 * production: in a class loader of its own that sees only the SDK and the JDK. Runs after
 * {@code package} ({@code mvn verify}).
 */
class PackagedPluginIT {

    @Test
    void theBuiltJarRunsInItsOwnClassLoaderWithTheLibrariesItBundles() throws Exception {
        String built = System.getProperty("plugin.jar");
        assumeTrue(built != null, "runs in the verify phase, which names the JAR it built");
        Path jar = Path.of(built);
        assertTrue(Files.isRegularFile(jar), "built first: " + jar);

        try (PluginTestKit kit = PluginTestKit.builder().pluginJar(jar)
            .configuration(PayloadSchemaPluginTest.CONFIG).start()) {
            assertEquals("payload-schema", kit.pluginId());
            assertTrue(kit.pluginRunning());
            Mqtt5BlockingClient subscriber = kit.connect("subscriber");
            try (Mqtt5BlockingClient.Mqtt5Publishes received = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
                subscriber.subscribeWith().topicFilter("sensors/#").qos(MqttQos.AT_LEAST_ONCE).send();
                Mqtt5BlockingClient publisher = kit.connect("publisher");

                assertEquals(Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, PayloadSchemaPluginTest.publish(
                    publisher, "sensors/k/temperature", "{\"celsius\": \"warm\"}"));
                PayloadSchemaPluginTest.publish(publisher, "sensors/k/temperature", "{\"celsius\": 20}");

                assertEquals(List.of("{\"celsius\": 20}"), PayloadSchemaPluginTest.receivedUntilMarker(publisher, received));
            }
        }
    }
}
