package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.SubscriberInbox.Received;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Retained messages: storing, replacing, clearing, and what a new subscription gets. */
class RetainedMessageTest {

    private static final long TIMEOUT = 5000;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();
    private Mqtt5BlockingClient publisher;

    @BeforeEach
    void startBroker() throws Exception {
        fixture.start();
        publisher = fixture.clients().hivemq("retain-pub", new SubscriberInbox());
    }

    private void publish(String topic, String payload, MqttQos qos, boolean retain) {
        publisher.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8)).qos(qos)
            .retain(retain).send();
    }

    /** Subscribes a new client and returns what it receives before a marker published after its SUBACK. */
    private List<Received> retainedFor(String clientId, String filter, MqttQos qos) throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        fixture.clients().hivemq(clientId, inbox).subscribeWith()
            .addSubscription().topicFilter(filter).qos(qos).applySubscription()
            .addSubscription().topicFilter("marker").qos(MqttQos.AT_MOST_ONCE).applySubscription()
            .send();
        // retained messages for a subscription are sent before anything published after its SUBACK
        publish("marker", "marker", MqttQos.AT_MOST_ONCE, false);
        return inbox.until("marker");
    }

    @Test
    void aLaterSubscriberGetsTheLatestRetainedMessageOnly() throws Exception {
        // given
        publish("config/mode", "eco", MqttQos.AT_LEAST_ONCE, true);

        // when: a second retained message replaces it, a non-retained one leaves it alone
        publish("config/mode", "boost", MqttQos.AT_LEAST_ONCE, true);
        publish("config/mode", "transient", MqttQos.AT_LEAST_ONCE, false);

        // then [MQTT-3.3.1-5], [MQTT-3.3.1-8]
        assertEquals(List.of(new Received("config/mode", "boost", 1, true, List.of())),
            retainedFor("late", "config/mode", MqttQos.AT_LEAST_ONCE));
    }

    @Test
    void anEmptyRetainedPayloadClearsTheTopic() throws Exception {
        // given
        publish("config/mode", "eco", MqttQos.AT_LEAST_ONCE, true);
        SubscriberInbox live = new SubscriberInbox();
        fixture.clients().hivemq("live", live).subscribeWith().topicFilter("config/mode").qos(MqttQos.AT_LEAST_ONCE).send();
        assertEquals("eco", live.next().payload());

        // when
        publish("config/mode", "", MqttQos.AT_LEAST_ONCE, true);

        // then: it is forwarded like any message, but nothing stays for later subscribers
        // [MQTT-3.3.1-6], [MQTT-3.3.1-7]
        assertEquals(new Received("config/mode", "", 1, false, List.of()), live.next());
        assertEquals(List.of(), retainedFor("after-clear", "config/mode", MqttQos.AT_LEAST_ONCE));
        assertEquals(0, fixture.broker().defaultTenant().retained().size());
    }

    @Test
    void retainedMessagesAreDeliveredThroughWildcardsWithRetainSet() throws Exception {
        // given
        publish("sensors/kitchen/temp", "21", MqttQos.AT_LEAST_ONCE, true);
        publish("sensors/garage/temp", "12", MqttQos.AT_LEAST_ONCE, true);
        publish("sensors/kitchen/humidity", "40", MqttQos.AT_LEAST_ONCE, true);

        // when
        List<Received> temps = sorted(retainedFor("temps", "sensors/+/temp", MqttQos.AT_LEAST_ONCE));
        List<Received> all = sorted(retainedFor("all", "#", MqttQos.AT_LEAST_ONCE));

        // then: RETAIN is set on messages sent because of a new subscription [MQTT-3.3.1-9]
        assertEquals(List.of(new Received("sensors/garage/temp", "12", 1, true, List.of()),
            new Received("sensors/kitchen/temp", "21", 1, true, List.of())), temps);
        assertEquals(List.of(new Received("sensors/garage/temp", "12", 1, true, List.of()),
            new Received("sensors/kitchen/humidity", "40", 1, true, List.of()),
            new Received("sensors/kitchen/temp", "21", 1, true, List.of())), all);
    }

    private static List<Received> sorted(List<Received> received) {
        // retained messages come in no particular order
        return received.stream().sorted(Comparator.comparing(Received::topic)).toList();
    }

    @Test
    void retainedMessagesAreDeliveredAtTheLowerOfTheirQosAndTheSubscriptions() throws Exception {
        // given
        publish("q/two", "2", MqttQos.EXACTLY_ONCE, true);
        publish("q/zero", "0", MqttQos.AT_MOST_ONCE, true);

        // when
        List<Received> atOne = sorted(retainedFor("sub-qos1", "q/+", MqttQos.AT_LEAST_ONCE));
        List<Received> atTwo = sorted(retainedFor("sub-qos2", "q/+", MqttQos.EXACTLY_ONCE));

        // then [MQTT-3.8.4-8]
        assertEquals(List.of(new Received("q/two", "2", 1, true, List.of()),
            new Received("q/zero", "0", 0, true, List.of())), atOne);
        assertEquals(List.of(new Received("q/two", "2", 2, true, List.of()),
            new Received("q/zero", "0", 0, true, List.of())), atTwo);
    }

    @Test
    void v311AndPahoV5SubscribersGetRetainedMessagesWithRetainSet() throws Exception {
        // given
        publish("door", "open", MqttQos.EXACTLY_ONCE, true);

        // when
        SubscriberInbox v3 = new SubscriberInbox();
        MqttClient v3Subscriber = fixture.clients().pahoV3("retained-311", v3);
        v3Subscriber.subscribe("door", 1);
        SubscriberInbox v5 = new SubscriberInbox();
        MqttAsyncClient v5Subscriber = fixture.clients().pahoV5("retained-5", v5);
        v5Subscriber.subscribe("door", 2).waitForCompletion(TIMEOUT);

        // then: 3.1.1 [MQTT-3.3.1-8]; 5.0 §3.3.1.3
        assertEquals(new Received("door", "open", 1, true, List.of()), v3.next());
        assertEquals(new Received("door", "open", 2, true, List.of()), v5.next());
    }

    @Test
    void retainedMessagesAreNotSentToSharedSubscriptions() throws Exception {
        // given
        publish("jobs/next", "stale", MqttQos.AT_LEAST_ONCE, true);

        // when
        List<Received> shared = retainedFor("shared-member", "$share/workers/jobs/next", MqttQos.AT_LEAST_ONCE);

        // then: MQTT 5.0 §4.8.2, "the Server MUST NOT send retained messages" to a shared subscription
        assertEquals(List.of(), shared);
    }

    @Test
    void retainedMessagesAreNotSentToSharedSubscriptionsOfV311Clients() throws Exception {
        // given
        publish("jobs/next", "stale", MqttQos.AT_LEAST_ONCE, true);
        RawClient raw = fixture.clients().raw(4, "shared-311");

        // when
        raw.send(Packets.subscribe(4, 1, -1, "$share/workers/jobs/next", 1, "marker", 0));
        assertArrayEquals(new int[] {1, 0}, PacketReader.ackCodes(4, raw.readPacket()));
        publish("marker", "marker", MqttQos.AT_MOST_ONCE, false);

        // then: the first PUBLISH after the SUBACK is the marker
        assertEquals("marker", PacketReader.parsePublish(4, raw.readPacket()).topic());
    }
}
