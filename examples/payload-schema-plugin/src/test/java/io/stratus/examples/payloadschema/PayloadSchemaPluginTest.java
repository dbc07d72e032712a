package io.stratus.examples.payloadschema;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.stratus.testkit.PluginTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The plugin's hook in an in-process broker: clients publish JSON that does and does not match the
 * schema of its topic, and a subscriber sees only what matched.
 */
class PayloadSchemaPluginTest {

    static final String TEMPERATURE_SCHEMA = """
        {"type": "object", "required": ["celsius"],
         "properties": {"celsius": {"type": "number", "minimum": -90, "maximum": 60}}}""";
    static final Map<String, String> CONFIG = Map.of("schema.sensors/+/temperature", TEMPERATURE_SCHEMA);

    private PluginTestKit kit;
    private Mqtt5BlockingClient publisher;
    private Mqtt5BlockingClient.Mqtt5Publishes received;

    @BeforeEach
    void start() {
        kit = PluginTestKit.start(PayloadSchemaPlugin.class, CONFIG);
        Mqtt5BlockingClient subscriber = kit.connect("subscriber");
        received = subscriber.publishes(MqttGlobalPublishFilter.ALL);
        subscriber.subscribeWith().topicFilter("sensors/#").qos(MqttQos.AT_LEAST_ONCE).send();
        publisher = kit.connect("publisher");
    }

    @AfterEach
    void stop() {
        received.close();
        kit.close();
    }

    /** @return the PUBACK's reason code for a QoS 1 publish */
    static Mqtt5PubAckReasonCode publish(Mqtt5BlockingClient client, String topic, String payload) {
        try {
            client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload.getBytes(StandardCharsets.UTF_8))
                .send();
            return Mqtt5PubAckReasonCode.SUCCESS;
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    /** @return the payloads the subscriber received up to the marker, which the test publishes last */
    static List<String> receivedUntilMarker(Mqtt5BlockingClient publisher, Mqtt5BlockingClient.Mqtt5Publishes received)
        throws InterruptedException {
        publish(publisher, "sensors/marker", "marker");
        List<String> payloads = new ArrayList<>();
        while (true) {
            Optional<Mqtt5Publish> p = received.receive(5, TimeUnit.SECONDS);
            String payload = new String(p.orElseThrow().getPayloadAsBytes(), StandardCharsets.UTF_8);
            if (payload.equals("marker")) {
                return payloads;
            }
            payloads.add(payload);
        }
    }

    @Test
    void passesAPayloadThatMatchesTheSchemaOfItsTopic() throws Exception {
        assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publish(publisher, "sensors/kitchen/temperature", "{\"celsius\": 21.5}"));

        assertEquals(List.of("{\"celsius\": 21.5}"), receivedUntilMarker(publisher, received));
        assertEquals(1L, kit.stats().metrics().snapshot().get("accepted"));
    }

    @Test
    void dropsAPayloadThatDoesNotMatchTellsThePublisherAndCountsIt() throws Exception {
        assertEquals(Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
            publish(publisher, "sensors/kitchen/temperature", "{\"celsius\": \"warm\"}"));
        assertEquals(Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
            publish(publisher, "sensors/kitchen/temperature", "{\"celsius\": 99}"));
        assertEquals(Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
            publish(publisher, "sensors/kitchen/temperature", "not json at all"));

        assertEquals(List.of(), receivedUntilMarker(publisher, received));
        Map<String, Long> metrics = kit.stats().metrics().snapshot();
        assertEquals(2L, metrics.get("rejected"));
        assertEquals(1L, metrics.get("not-json"));
        assertEquals(3, kit.stats().drops());
    }

    @Test
    void leavesTopicsWithoutASchemaAlone() throws Exception {
        publish(publisher, "sensors/kitchen/humidity", "anything");

        assertEquals(List.of("anything"), receivedUntilMarker(publisher, received));
    }

    @Test
    void refusesToStartWithASchemaThatIsNotOne() {
        try (PluginTestKit broken = PluginTestKit.start(PayloadSchemaPlugin.class,
            Map.of("schema.a/#", "{not json", "schema.b/#", TEMPERATURE_SCHEMA))) {
            assertFalse(broken.pluginRunning());
        }
        try (PluginTestKit broken = PluginTestKit.start(PayloadSchemaPlugin.class, Map.of("schema.a/#/b", "{}"))) {
            assertFalse(broken.pluginRunning());
        }
    }

    @Test
    void matchesTopicFiltersAsMqttDoes() {
        assertEquals(true, TopicFilters.matches("sensors/+/temperature", "sensors/k/temperature"));
        assertEquals(false, TopicFilters.matches("sensors/+/temperature", "sensors/k/l/temperature"));
        assertEquals(true, TopicFilters.matches("sensors/#", "sensors"));
        assertEquals(false, TopicFilters.matches("#", "$SYS/x"));
        assertThrows(IllegalArgumentException.class, () -> TopicFilters.check("a/b#"));
    }
}
