package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.SubscriberInbox.Received;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker's statistics under {@code $SYS/broker/}, published every second in these tests. */
class SysTopicsTest {

    private static final String PREFIX = "$SYS/broker/";
    private static final Set<String> STATISTICS = Set.of("clients/connected", "clients/slow consumer disconnects",
        "messages/received", "messages/sent", "bytes/received", "bytes/sent", "subscriptions/count",
        "retained messages/count", "uptime", "version");

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @BeforeEach
    void startBroker() throws Exception {
        BrokerConfig d = BrokerConfig.defaults();
        fixture.start(new BrokerConfig(d.listeners(), d.limits(), true, 1, 5));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long number(Received r) {
        return Long.parseLong(r.payload());
    }

    @Test
    void aSubscriberReceivesEveryBrokerStatistic() throws Exception {
        // given
        SubscriberInbox inbox = new SubscriberInbox();
        MqttClient subscriber = fixture.clients().pahoV3("sys-all", inbox);

        // when
        subscriber.subscribe(PREFIX + "#", 0);

        // then: each statistic arrives (retained at once, or with the next round within a second)
        Map<String, String> latest = new HashMap<>();
        while (!latest.keySet().containsAll(STATISTICS)) {
            Received r = inbox.next();
            assertTrue(r.topic().startsWith(PREFIX), r.topic());
            latest.put(r.topic().substring(PREFIX.length()), r.payload());
        }
        assertTrue(latest.get("version").matches("Stratus \\d+\\.\\d+\\.\\d+.*"), latest.get("version"));
        assertTrue(latest.get("uptime").matches("\\d+ seconds"), latest.get("uptime"));
        assertTrue(Long.parseLong(latest.get("clients/connected")) >= 0);
        for (String counter : List.of("clients/slow consumer disconnects", "messages/received", "messages/sent",
            "bytes/received", "bytes/sent", "subscriptions/count", "retained messages/count")) {
            assertTrue(Long.parseLong(latest.get(counter)) >= 0, counter + " = " + latest.get(counter));
        }
    }

    @Test
    void statisticsReflectWhatClientsDo() throws Exception {
        // given: a subscriber to the statistics and to the application topic
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient subscriber = fixture.clients().hivemq("sys-watcher", inbox);
        subscriber.subscribeWith()
            .addSubscription().topicFilter(PREFIX + "#").qos(MqttQos.AT_MOST_ONCE).applySubscription()
            .addSubscription().topicFilter("app/+").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
            .send();
        Mqtt5BlockingClient publisher = fixture.clients().hivemq("sys-publisher", new SubscriberInbox());
        long retainedBefore = number(inbox.awaitMatching("a live retained-messages count",
            r -> r.topic().equals(PREFIX + "retained messages/count") && !r.retain()));

        // when: ten messages, three of them retained on new topics
        int n = 10;
        for (int i = 0; i < n; i++) {
            publisher.publishWith().topic("app/" + (i % 5)).payload(bytes("m" + i)).qos(MqttQos.AT_LEAST_ONCE)
                .retain(i >= n - 3).send();
        }

        // then: a later round of statistics shows them (awaited in the order a round publishes them)
        awaitStatistic(inbox, "clients/connected", v -> v == 2);
        awaitStatistic(inbox, "messages/received", v -> v >= n);
        awaitStatistic(inbox, "messages/sent", v -> v >= n);
        awaitStatistic(inbox, "bytes/received", v -> v > 0);
        awaitStatistic(inbox, "bytes/sent", v -> v > 0);
        awaitStatistic(inbox, "subscriptions/count", v -> v == 2);
        awaitStatistic(inbox, "retained messages/count", v -> v >= retainedBefore + 3);
    }

    /** Waits, within the inbox's bound, for a live value of the statistic that satisfies the condition. */
    private static void awaitStatistic(SubscriberInbox inbox, String name, LongPredicate condition)
        throws InterruptedException {
        inbox.awaitMatching(PREFIX + name + " satisfying the expectation",
            r -> r.topic().equals(PREFIX + name) && condition.test(number(r)));
    }

    @Test
    void clientsCannotPublishToSysTopics() throws Exception {
        // given
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient subscriber = fixture.clients().hivemq("sys-reader", inbox);
        subscriber.subscribeWith()
            .addSubscription().topicFilter(PREFIX + "version").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
            .addSubscription().topicFilter("marker").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
            .send();
        String version = inbox.awaitMatching("the version", r -> r.topic().equals(PREFIX + "version")).payload();
        Mqtt5BlockingClient intruder = fixture.clients().hivemq("sys-intruder", new SubscriberInbox());

        // when
        Mqtt5PubAckException refused = assertThrows(Mqtt5PubAckException.class, () -> intruder.publishWith()
            .topic(PREFIX + "version").payload(bytes("hacked")).qos(MqttQos.AT_LEAST_ONCE).retain(true).send());
        intruder.publishWith().topic("marker").payload(bytes("marker")).qos(MqttQos.AT_LEAST_ONCE).send();

        // then: refused with 0x87 Not authorized, and never delivered nor retained
        assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, refused.getMqttMessage().getReasonCode());
        assertTrue(inbox.until("marker").stream().allMatch(r -> r.payload().equals(version)));
        SubscriberInbox later = new SubscriberInbox();
        fixture.clients().hivemq("sys-later", later).subscribeWith().topicFilter(PREFIX + "version").qos(MqttQos.AT_LEAST_ONCE)
            .send();
        assertEquals(version, later.next().payload());
    }

    @Test
    void v311ClientsCannotPublishToSysTopicsEither() throws Exception {
        // given
        SubscriberInbox inbox = new SubscriberInbox();
        MqttClient subscriber = fixture.clients().pahoV3("sys-reader-311", inbox);
        subscriber.subscribe(new String[] {PREFIX + "version", "marker"}, new int[] {1, 1});
        String version = inbox.awaitMatching("the version", r -> r.topic().equals(PREFIX + "version")).payload();

        // when: 3.1.1 cannot say no in a PUBACK, so the broker acknowledges and drops it
        subscriber.publish(PREFIX + "version", bytes("hacked"), 1, true);
        subscriber.publish("marker", bytes("marker"), 1, false);

        // then
        assertTrue(inbox.until("marker").stream().allMatch(r -> r.payload().equals(version)));
        assertEquals(1, fixture.broker().metrics().publishDenied.sum());
    }
}
