package io.stratus.testkit;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.stratus.sdk.StratusPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginTestKitTest {

    /** Publishes on {@code topic} and returns what a subscriber to it receives. */
    private static String roundTrip(PluginTestKit kit, String topic, String payload) throws InterruptedException {
        Mqtt5BlockingClient subscriber = kit.connect("subscriber");
        subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            kit.connect("publisher").publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
            Mqtt5Publish received = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            return new String(received.getPayloadAsBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void runsAPluginFromTheClassPathWithItsConfiguration() throws Exception {
        try (PluginTestKit kit = PluginTestKit.start(ShoutingPlugin.class, Map.of("suffix", "!!"))) {
            assertEquals("HELLO!!", roundTrip(kit, "greetings", "hello"));
            assertEquals("shouting-plugin", kit.pluginId());
            assertTrue(kit.pluginRunning());
        }
    }

    @Test
    void putsThePluginsAuthenticatorInFrontOfTheBroker() {
        try (PluginTestKit kit = PluginTestKit.builder().plugin(ShoutingPlugin.class)
            .configuration(Map.of("user", "alice")).authenticatesClients().start()) {

            assertTrue(kit.connect("c-1", "alice", null).getState().isConnected());
            Mqtt5ConnAckException refused = assertThrows(Mqtt5ConnAckException.class,
                () -> kit.connect("c-2", "mallory", "pw"));
            assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused.getMqttMessage().getReasonCode());
        }
    }

    @Test
    void countsWhatThePluginGetsWrong() throws Exception {
        try (PluginTestKit kit = PluginTestKit.start(ShoutingPlugin.class, Map.of())) {
            Mqtt5BlockingClient publisher = kit.connect("publisher");

            publisher.publishWith().topic("boom").qos(MqttQos.AT_LEAST_ONCE).send();

            assertEquals(1, kit.stats().failures());
            assertEquals("QUIET!", roundTrip(kit, "after", "quiet"), "the broker carries on");
        }
    }

    @Test
    void runsAPluginFromAJarAsTheBrokerDoesInProduction(@TempDir Path dir) throws Exception {
        Path jar = jarOf(ShoutingPlugin.class, dir.resolve("shout.jar"), "shouter");

        try (PluginTestKit kit = PluginTestKit.builder().pluginJar(jar).configuration(Map.of("suffix", "?")).start()) {
            assertEquals("shouter", kit.pluginId());
            assertEquals("WHAT?", roundTrip(kit, "questions", "what"));
        }
    }

    @Test
    void namesAPluginAfterItsClass() {
        assertEquals("http-auth-plugin", PluginTestKit.Builder.idOf(HttpAuthPlugin.class));
    }

    @Test
    void refusesToStartWithoutAPlugin() {
        assertThrows(IllegalStateException.class, () -> PluginTestKit.builder().start());
    }

    /** Only its name matters. */
    private abstract static class HttpAuthPlugin implements StratusPlugin {
    }

    /** Packs one plugin class, as its own build would, into a JAR with a manifest naming its id. */
    private static Path jarOf(Class<? extends StratusPlugin> type, Path jar, String id) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Stratus-Plugin-Id", id);
        String classFile = type.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream bytes = type.getClassLoader().getResourceAsStream(classFile)) {
            out.putNextEntry(new JarEntry("META-INF/services/" + StratusPlugin.class.getName()));
            out.write((type.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            out.putNextEntry(new JarEntry(classFile));
            bytes.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}
