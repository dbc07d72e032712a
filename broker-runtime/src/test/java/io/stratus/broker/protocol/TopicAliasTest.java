package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.LibraryClient;
import io.stratus.broker.support.LibraryClient.Library;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.PacketReader.Packet;
import io.stratus.broker.support.PacketReader.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.UnaryOperator;

import static io.stratus.broker.support.LibraryClient.WAIT_SECONDS;
import static io.stratus.broker.support.Packets.DISCONNECT;
import static io.stratus.broker.support.Packets.PUBACK;
import static io.stratus.broker.support.Packets.SESSION_EXPIRY_INTERVAL;
import static io.stratus.broker.support.Packets.TOPIC_ALIAS;
import static io.stratus.broker.support.Packets.TOPIC_ALIAS_MAXIMUM;
import static io.stratus.broker.support.Packets.ack;
import static io.stratus.broker.support.Packets.connect5;
import static io.stratus.broker.support.PacketReader.expectConnAck;
import static io.stratus.broker.support.PacketReader.expectPublish;
import static io.stratus.broker.support.PacketReader.expectSuccessAck;
import static io.stratus.broker.support.Packets.fourByteProperty;
import static io.stratus.broker.support.RawClient.open5;
import static io.stratus.broker.support.Packets.properties;
import static io.stratus.broker.support.Packets.publish;
import static io.stratus.broker.support.PacketReader.subscribeAndExpectGranted;
import static io.stratus.broker.support.Packets.twoByteProperty;
import static io.stratus.broker.support.Packets.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Topic aliases in both directions (§3.3.2.3.4): the broker resolves the aliases a client sets up,
 * refuses invalid ones, and sets up its own only for clients that allow them, within their maximum.
 */
class TopicAliasTest {

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    // ---- client to broker ---------------------------------------------------------------------

    @Test
    void routesPublishWithAliasOnlyToTheTopicTheAliasWasSetUpFor() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (LibraryClient subscriber = LibraryClient.connect(Library.PAHO_V5, fixture.broker(), "sub");
             RawClient publisher = open5(fixture.broker(), "pub", true)) {
            subscriber.subscribe("alias/#", 1);

            publisher.send(aliased(1, "alias/a", 1, "first"));
            expectSuccessAck(publisher, true, PUBACK, 1);
            // [MQTT-3.3.2-12] an empty topic name with a known alias stands for alias/a
            publisher.send(aliased(2, "", 1, "second"));
            expectSuccessAck(publisher, true, PUBACK, 2);

            LibraryClient.Received first = subscriber.next();
            LibraryClient.Received second = subscriber.next();
            assertEquals("alias/a", first.topic());
            assertEquals("first", first.text());
            assertEquals("alias/a", second.topic());
            assertEquals("second", second.text());
        }
    }

    @Test
    void remapsAnAliasSentWithAnotherTopic() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (LibraryClient subscriber = LibraryClient.connect(Library.HIVEMQ_V5, fixture.broker(), "sub");
             RawClient publisher = open5(fixture.broker(), "pub", true)) {
            subscriber.subscribe("alias/#", 1);

            publisher.send(aliased(1, "alias/a", 3, "a"));
            expectSuccessAck(publisher, true, PUBACK, 1);
            publisher.send(aliased(2, "alias/b", 3, "b"));
            expectSuccessAck(publisher, true, PUBACK, 2);
            publisher.send(aliased(3, "", 3, "b again"));
            expectSuccessAck(publisher, true, PUBACK, 3);

            assertEquals("alias/a", subscriber.next().topic());
            assertEquals("alias/b", subscriber.next().topic());
            LibraryClient.Received remapped = subscriber.next();
            assertEquals("alias/b", remapped.topic());
            assertEquals("b again", remapped.text());
        }
    }

    @Test
    void acceptsEveryAliasUpToTheAnnouncedMaximum() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.topicAliasMaximum(2)));
        try (LibraryClient subscriber = LibraryClient.connect(Library.PAHO_V3, fixture.broker(), "sub");
             RawClient publisher = new RawClient(fixture.broker().host(), fixture.broker().port())) {
            subscriber.subscribe("alias/#", 1);
            publisher.send(connect5("pub", true));
            Packet connAck = expectConnAck(publisher, true);
            assertEquals(2, connAck.property(TOPIC_ALIAS_MAXIMUM).number());

            publisher.send(aliased(1, "alias/max", 2, "set"));
            expectSuccessAck(publisher, true, PUBACK, 1);
            publisher.send(aliased(2, "", 2, "used"));
            expectSuccessAck(publisher, true, PUBACK, 2);

            assertEquals("alias/max", subscriber.next().topic());
            LibraryClient.Received used = subscriber.next();
            assertEquals("alias/max", used.topic());
            assertEquals("used", used.text());
        }
    }

    @Test
    void disconnectsClientThatSendsTopicAliasZero() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (RawClient publisher = open5(fixture.broker(), "pub", true)) {
            publisher.send(aliased(1, "alias/zero", 0, "x")); // [MQTT-3.3.2-8]

            expectDisconnect(publisher, 0x94);
        }
    }

    @Test
    void disconnectsClientThatSendsAliasAboveTheBrokersMaximum() throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.topicAliasMaximum(2)));
        try (RawClient publisher = open5(fixture.broker(), "pub", true)) {
            publisher.send(aliased(1, "alias/high", 3, "x")); // [MQTT-3.3.2-9]

            expectDisconnect(publisher, 0x94);
        }
    }

    @Test
    void disconnectsClientThatUsesAnAliasItNeverSetUp() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (RawClient publisher = open5(fixture.broker(), "pub", true)) {
            publisher.send(aliased(1, "", 5, "x"));

            expectDisconnect(publisher, 0x82); // Protocol Error (§3.3.2.3.4)
        }
    }

    @Test
    void forgetsTheClientsAliasesWhenItsConnectionEnds() throws Exception {
        fixture.start(UnaryOperator.identity());
        byte[] persistent = fourByteProperty(SESSION_EXPIRY_INTERVAL, 300);
        try (RawClient first = open5(fixture.broker(), "pub", false, persistent)) {
            first.send(aliased(1, "alias/old", 1, "set"));
            expectSuccessAck(first, true, PUBACK, 1);
        }
        try (RawClient second = open5(fixture.broker(), "pub", false, persistent)) {
            // [MQTT-3.3.2-7] the session goes on, its connection's aliases do not
            second.send(aliased(2, "", 1, "stale"));

            expectDisconnect(second, 0x82);
        }
    }

    @Test
    void routesPublishesOfAHivemqClientThatMayUseAliases() throws Exception {
        fixture.start(UnaryOperator.identity());
        // the HiveMQ client maps topics it publishes to repeatedly onto aliases when the broker allows it
        Mqtt5AsyncClient publisher = MqttClient.builder().useMqttVersion5().identifier("pub")
            .serverHost(fixture.broker().host()).serverPort(fixture.broker().port()).buildAsync();
        try (LibraryClient subscriber = LibraryClient.connect(Library.PAHO_V3, fixture.broker(), "sub")) {
            subscriber.subscribe("often/#", 1);
            publisher.connectWith().restrictions().sendTopicAliasMaximum(4).applyRestrictions().send()
                .get(WAIT_SECONDS, SECONDS);

            for (int i = 0; i < 10; i++) {
                publisher.publishWith().topic(i % 2 == 0 ? "often/even" : "often/odd").payload(utf8("m" + i))
                    .qos(MqttQos.AT_LEAST_ONCE).send().get(WAIT_SECONDS, SECONDS);
            }

            for (int i = 0; i < 10; i++) {
                LibraryClient.Received r = subscriber.next();
                assertEquals("m" + i, r.text());
                assertEquals(i % 2 == 0 ? "often/even" : "often/odd", r.topic());
            }
        } finally {
            publisher.disconnect().get(WAIT_SECONDS, SECONDS);
        }
    }

    // ---- broker to client ---------------------------------------------------------------------

    @Test
    void sendsTopicWithNewAliasFirstAndThenTheAliasAlone() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (RawClient subscriber = open5(fixture.broker(), "sub", true, twoByteProperty(TOPIC_ALIAS_MAXIMUM, 4));
             LibraryClient publisher = LibraryClient.connect(Library.HIVEMQ_V3, fixture.broker(), "pub")) {
            subscribeAndExpectGranted(subscriber, true, 1, "out/#", 0);

            publisher.publish("out/a", "1", 0);
            publisher.publish("out/a", "2", 0);
            publisher.publish("out/b", "3", 0);
            publisher.publish("out/b", "4", 0);

            Packet p1 = expectPublish(subscriber, true);
            Packet p2 = expectPublish(subscriber, true);
            Packet p3 = expectPublish(subscriber, true);
            Packet p4 = expectPublish(subscriber, true);
            int aliasA = aliasOf(p1);
            int aliasB = aliasOf(p3);
            assertEquals("out/a", p1.topic(), "a new alias comes with its topic");
            assertEquals("", p2.topic(), "then the alias alone");
            assertEquals(aliasA, aliasOf(p2));
            assertEquals("out/b", p3.topic());
            assertEquals("", p4.topic());
            assertEquals(aliasB, aliasOf(p4));
            assertTrue(aliasA != aliasB, "each topic its own alias");
            for (int alias : new int[] {aliasA, aliasB}) {
                assertTrue(alias >= 1 && alias <= 4, "[MQTT-3.3.2-11] alias " + alias + " within 1..4");
            }
        }
    }

    @Test
    void neverUsesMoreAliasesThanTheClientAllows() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (RawClient subscriber = open5(fixture.broker(), "sub", true, twoByteProperty(TOPIC_ALIAS_MAXIMUM, 1));
             LibraryClient publisher = LibraryClient.connect(Library.PAHO_V3, fixture.broker(), "pub")) {
            subscribeAndExpectGranted(subscriber, true, 1, "few/#", 0);
            String[] topics = {"few/a", "few/b", "few/c", "few/a", "few/b", "few/c"};
            for (String topic : topics) {
                publisher.publish(topic, topic, 0);
            }

            AliasResolver resolver = new AliasResolver(1);
            for (String topic : topics) {
                Packet p = expectPublish(subscriber, true);
                assertEquals(topic, resolver.resolve(p), "[MQTT-3.3.2-11] in " + p);
                assertEquals(topic, p.payloadText());
            }
        }
    }

    @Test
    void neverSendsAnAliasToAClientWithoutTopicAliasMaximum() throws Exception {
        fixture.start(UnaryOperator.identity());
        try (RawClient subscriber = open5(fixture.broker(), "sub", true);
             LibraryClient publisher = LibraryClient.connect(Library.PAHO_V5, fixture.broker(), "pub")) {
            subscribeAndExpectGranted(subscriber, true, 1, "plain", 0);

            for (int i = 0; i < 3; i++) {
                publisher.publish("plain", "m" + i, 0);
            }

            for (int i = 0; i < 3; i++) {
                Packet p = expectPublish(subscriber, true);
                assertEquals("plain", p.topic());
                assertNull(p.property(TOPIC_ALIAS), "Topic Alias Maximum 0 means no aliases: " + p);
            }
        }
    }

    @Test
    void doesNotCarryItsAliasesIntoTheClientsNextConnection() throws Exception {
        fixture.start(UnaryOperator.identity());
        byte[][] connectProperties = {fourByteProperty(SESSION_EXPIRY_INTERVAL, 300),
            twoByteProperty(TOPIC_ALIAS_MAXIMUM, 4)};
        try (LibraryClient publisher = LibraryClient.connect(Library.HIVEMQ_V5, fixture.broker(), "pub")) {
            try (RawClient subscriber = open5(fixture.broker(), "sub", false, connectProperties)) {
                subscribeAndExpectGranted(subscriber, true, 1, "carry", 1);
                publisher.publish("carry", "acknowledged", 1);
                Packet first = expectPublish(subscriber, true);
                subscriber.send(ack(PUBACK, first.packetId()));
                publisher.publish("carry", "unacknowledged", 1);
                Packet second = expectPublish(subscriber, true);
                assertEquals("", second.topic(), "sent with the alias alone on this connection");
            }

            try (RawClient subscriber = new RawClient(fixture.broker().host(), fixture.broker().port())) {
                subscriber.send(connect5("sub", false, connectProperties));
                expectConnAck(subscriber, true);

                Packet resent = expectPublish(subscriber, true);
                assertTrue(resent.dup());
                assertEquals("unacknowledged", resent.payloadText());
                // [MQTT-3.3.2-7] a new connection starts without aliases: the topic is spelled out
                assertEquals("carry", new AliasResolver(4).resolve(resent));
            }
        }
    }

    @Test
    void hivemqSubscriberThatAllowsAliasesReceivesEveryMessageOnItsTopic() throws Exception {
        fixture.start(UnaryOperator.identity());
        // HiveMQ rather than Paho 5: Paho 1.2.5 hands an aliased message to the application with an
        // empty topic (eclipse-paho/paho.mqtt.java#866)
        BlockingQueue<String> topics = new LinkedBlockingQueue<>();
        Mqtt5AsyncClient subscriber = MqttClient.builder().useMqttVersion5().identifier("hive-sub")
            .serverHost(fixture.broker().host()).serverPort(fixture.broker().port()).buildAsync();
        try (LibraryClient publisher = LibraryClient.connect(Library.PAHO_V5, fixture.broker(), "pub")) {
            subscriber.connectWith().restrictions().topicAliasMaximum(3).applyRestrictions().send()
                .get(WAIT_SECONDS, SECONDS);
            subscriber.subscribeWith().topicFilter("hive/#").qos(MqttQos.AT_MOST_ONCE)
                .callback(p -> topics.add(p.getTopic().toString())).send().get(WAIT_SECONDS, SECONDS);

            for (int i = 0; i < 4; i++) {
                publisher.publish(i % 2 == 0 ? "hive/x" : "hive/y", "m" + i, 0);
            }

            for (int i = 0; i < 4; i++) {
                String topic = topics.poll(WAIT_SECONDS, SECONDS);
                assertNotNull(topic, "message " + i);
                assertEquals(i % 2 == 0 ? "hive/x" : "hive/y", topic);
            }
        } finally {
            subscriber.disconnect().get(WAIT_SECONDS, SECONDS);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** @return a QoS 1 PUBLISH with a Topic Alias property */
    private static byte[] aliased(int packetId, String topic, int alias, String payload) {
        return publish(1, false, false, packetId, topic, properties(twoByteProperty(TOPIC_ALIAS, alias)),
            utf8(payload));
    }

    private static int aliasOf(Packet p) {
        Property alias = p.property(TOPIC_ALIAS);
        assertNotNull(alias, "no Topic Alias in " + p);
        return (int) alias.number();
    }

    private static void expectDisconnect(RawClient client, int reasonCode) throws Exception {
        Packet disconnect = Packet.parse(client.readPacket(), true);
        disconnect.expectType(DISCONNECT);
        assertEquals(reasonCode, disconnect.reasonCode(), "reason code of " + disconnect);
        assertTrue(client.closedByBroker());
    }

    /** What a receiving client does with aliases, checking the sender keeps to the rules. */
    private static final class AliasResolver {
        private final int maximum;
        private final Map<Integer, String> aliases = new HashMap<>();

        AliasResolver(int maximum) {
            this.maximum = maximum;
        }

        String resolve(Packet p) {
            Property alias = p.property(TOPIC_ALIAS);
            if (alias == null) {
                assertFalse(p.topic().isEmpty(), "empty topic without alias: " + p);
                return p.topic();
            }
            int value = (int) alias.number();
            assertTrue(value >= 1 && value <= maximum, "alias " + value + " outside 1.." + maximum);
            if (!p.topic().isEmpty()) {
                aliases.put(value, p.topic());
                return p.topic();
            }
            String topic = aliases.get(value);
            assertNotNull(topic, "alias " + value + " used before it was set up: " + p);
            return topic;
        }
    }
}
