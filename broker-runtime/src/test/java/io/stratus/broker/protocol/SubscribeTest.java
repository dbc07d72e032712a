package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAck;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.SubscriberInbox.Received;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SUBSCRIBE and UNSUBSCRIBE end to end: matching, per-filter results, replacement, overlaps, limits. */
class SubscribeTest {

    private static final int V311 = 4;
    private static final int V5 = 5;
    private static final long TIMEOUT = 5000;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @BeforeEach
    void startBroker() throws Exception {
        fixture.use(TestBroker.start());
    }


    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void deliversThroughSingleAndMultiLevelWildcards() throws Exception {
        // given
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient subscriber = fixture.clients().hivemq("wildcard-sub", inbox);
        subscriber.subscribeWith()
            .addSubscription().topicFilter("sensors/+/temp").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
            .addSubscription().topicFilter("home/#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
            .send();
        MqttClient publisher = fixture.clients().pahoV3("wildcard-pub", new SubscriberInbox());

        // when: one publisher, so the subscriber sees its messages in publication order
        for (String topic : List.of("sensors/kitchen/temp", "sensors/kitchen/humidity", "sensors/a/b/temp",
            "sensors/temp", "sensors//temp", "home", "home/a/b", "homes/a", "house/home")) {
            publisher.publish(topic, bytes(topic), 1, false);
        }
        publisher.publish("home/done", bytes("marker"), 1, false);

        // then: '+' matches exactly one level (an empty one too), '#' its parent and any depth [MQTT-4.7.1-1]
        List<String> topics = inbox.until("marker").stream().map(Received::topic).toList();
        assertEquals(List.of("sensors/kitchen/temp", "sensors//temp", "home", "home/a/b"), topics);
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {V311, V5})
    void refusesEachInvalidFilterWhileGrantingTheValidOnesInTheSameSubscribe(int version) throws Exception {
        // given
        RawClient raw = fixture.clients().raw(version, "mixed-filters-" + version);

        // when
        raw.send(Packets.subscribe(version, 7, -1,
            "a/#/b", 1, "valid/one", 1, "a+", 0, "#x", 0, "", 0, "valid/two", 2));

        // then: one code per filter, in order [MQTT-3.8.4-5], [MQTT-3.8.4-6], [MQTT-3.9.3-1]
        byte[] subAck = raw.readPacket();
        int failure = version == V5 ? 0x8F : 0x80;
        assertEquals(7, PacketReader.packetId(subAck));
        assertArrayEquals(new int[] {failure, 1, failure, failure, failure, 2}, PacketReader.ackCodes(version, subAck));
        // and the granted filters are live
        raw.send(Packets.publish(version, "valid/one", 0, false, 0, "ping"));
        PacketReader.Publish echo = PacketReader.parsePublish(version, raw.readPacket());
        assertEquals("valid/one", echo.topic());
        assertEquals("ping", echo.payload());
    }

    @Test
    void leadingWildcardsDoNotMatchDollarTopics() throws Exception {
        // given: a broker that publishes $SYS every second
        BrokerConfig d = BrokerConfig.defaults();
        fixture.use(TestBroker.start(new BrokerConfig(d.listeners(), d.limits(), true, 1, 5)));
        SubscriberInbox everything = new SubscriberInbox();
        Mqtt5BlockingClient hashSubscriber = fixture.clients().hivemq("hash-sub", everything);
        hashSubscriber.subscribeWith().topicFilter("#").qos(MqttQos.AT_MOST_ONCE).send();
        SubscriberInbox sharedEverything = new SubscriberInbox();
        fixture.clients().hivemq("shared-hash-sub", sharedEverything).subscribeWith()
            .addSubscription().topicFilter("$share/all/#").qos(MqttQos.AT_MOST_ONCE).applySubscription()
            .addSubscription().topicFilter("+/broker/#").qos(MqttQos.AT_MOST_ONCE).applySubscription()
            .send();
        SubscriberInbox sys = new SubscriberInbox();
        MqttClient sysSubscriber = fixture.clients().pahoV3("sys-sub", sys);
        sysSubscriber.subscribe("$SYS/#", 0);

        // when: a whole round of live $SYS updates is published after both subscriptions exist
        sys.awaitMatching("a live $SYS/broker/version",
            r -> r.topic().equals("$SYS/broker/version") && !r.retain());
        sys.awaitMatching("the live $SYS/broker/retained messages/count after it",
            r -> r.topic().equals("$SYS/broker/retained messages/count") && !r.retain());
        // a marker published after that round reaches '#' after anything of the round would have
        fixture.clients().pahoV3("marker-pub", new SubscriberInbox()).publish("marker", bytes("marker"), 0, false);

        // then: '$SYS/#' received them, filters that start with a wildcard neither the retained nor the
        // live ones, shared or not [MQTT-4.7.2-1]
        assertEquals(List.of(), everything.until("marker"));
        assertEquals(List.of(), sharedEverything.until("marker"));
    }

    @Test
    void grantsTheRequestedQosInSuback() {
        // given
        Mqtt5BlockingClient client = fixture.clients().hivemq("granted-5", new SubscriberInbox());

        // when
        Mqtt5SubAck subAck = client.subscribeWith()
            .addSubscription().topicFilter("q/0").qos(MqttQos.AT_MOST_ONCE).applySubscription()
            .addSubscription().topicFilter("q/1").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
            .addSubscription().topicFilter("q/2").qos(MqttQos.EXACTLY_ONCE).applySubscription()
            .send();

        // then [MQTT-3.9.3-1]
        assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_0, Mqtt5SubAckReasonCode.GRANTED_QOS_1,
            Mqtt5SubAckReasonCode.GRANTED_QOS_2), subAck.getReasonCodes());
    }

    @Test
    void grantsTheRequestedQosInSubackToV311Clients() throws Exception {
        // given
        MqttClient client = fixture.clients().pahoV3("granted-311", new SubscriberInbox());

        // when
        IMqttToken token = client.subscribeWithResponse(new String[] {"q/0", "q/1", "q/2"}, new int[] {0, 1, 2});

        // then
        assertArrayEquals(new int[] {0, 1, 2}, token.getGrantedQos());
    }

    @Test
    void unsubscribeStopsDelivery() throws Exception {
        // given
        SubscriberInbox inbox = new SubscriberInbox();
        MqttAsyncClient subscriber = fixture.clients().pahoV5("unsub-sub", inbox);
        subscriber.subscribe(new String[] {"news/today", "marker"}, new int[] {1, 1}).waitForCompletion(TIMEOUT);
        MqttClient publisher = fixture.clients().pahoV3("unsub-pub", new SubscriberInbox());
        publisher.publish("news/today", bytes("before"), 1, false);
        assertEquals("before", inbox.next().payload());

        // when
        subscriber.unsubscribe("news/today").waitForCompletion(TIMEOUT);
        publisher.publish("news/today", bytes("after"), 1, false);
        publisher.publish("marker", bytes("marker"), 1, false);

        // then
        assertEquals(List.of(), inbox.until("marker"));
    }

    @Test
    void unsubackSaysWhetherASubscriptionExisted() {
        // given
        Mqtt5BlockingClient client = fixture.clients().hivemq("unsuback", new SubscriberInbox());
        client.subscribeWith().topicFilter("exists/+").qos(MqttQos.AT_LEAST_ONCE).send();

        // when
        Mqtt5UnsubAck first = client.unsubscribeWith()
            .addTopicFilter("exists/+").addTopicFilter("never/subscribed").send();
        Mqtt5UnsubAck again = client.unsubscribeWith().topicFilter("exists/+").send();

        // then: the filter is compared character by character, wildcards included [MQTT-3.10.4-1]
        assertEquals(List.of(Mqtt5UnsubAckReasonCode.SUCCESS, Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED),
            first.getReasonCodes());
        assertEquals(List.of(Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED), again.getReasonCodes());
    }

    @Test
    void unsubackOfV311HasNoReasonCodes() throws Exception {
        // given
        RawClient raw = fixture.clients().raw(V311, "unsuback-311");
        raw.send(Packets.subscribe(V311, 1, -1, "a/b", 1));
        raw.readPacket();

        // when
        raw.send(Packets.unsubscribe(V311, 2, "a/b", "c/d"));

        // then: 3.1.1 UNSUBACK is the packet identifier alone, whatever existed [MQTT-3.10.4-4]
        assertEquals("b0020002", raw.readPacketHex());
    }

    @Test
    void subscribingToTheSameFilterAgainReplacesTheSubscriptionAndResendsRetained() throws Exception {
        // given: a retained QoS 2 message and a QoS 0 subscription that received it at QoS 0
        MqttClient publisher = fixture.clients().pahoV3("replace-pub", new SubscriberInbox());
        publisher.publish("state/door", bytes("open"), 2, true);
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient subscriber = fixture.clients().hivemq("replace-sub", inbox);
        subscriber.subscribeWith().topicFilter("state/door").qos(MqttQos.AT_MOST_ONCE).send();
        assertEquals(new Received("state/door", "open", 0, true, List.of()), inbox.next());

        // when
        Mqtt5SubAck subAck = subscriber.subscribeWith().topicFilter("state/door").qos(MqttQos.EXACTLY_ONCE).send();

        // then: the retained message comes again, now at QoS 2 [MQTT-3.8.4-3]
        assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_2), subAck.getReasonCodes());
        assertEquals(new Received("state/door", "open", 2, true, List.of()), inbox.next());
        // and live messages come once, at the new QoS: the subscription was replaced, not added
        publisher.publish("state/door", bytes("closed"), 2, false);
        publisher.publish("state/door", bytes("marker"), 2, false);
        assertEquals(List.of(new Received("state/door", "closed", 2, false, List.of())), inbox.until("marker"));
    }

    @Test
    void overlappingSubscriptionsGetOneCopyAtTheHighestQosWithEveryIdentifier() throws Exception {
        // given: one 5.0 client, two subscriptions that both match, each with its own identifier
        SubscriberInbox inbox = new SubscriberInbox();
        MqttAsyncClient subscriber = fixture.clients().pahoV5("overlap-5", inbox);
        subscribeWithId(subscriber, new MqttSubscription("a/#", 0), 1);
        subscribeWithId(subscriber, new MqttSubscription("a/+", 2), 2);
        MqttClient publisher = fixture.clients().pahoV3("overlap-pub", new SubscriberInbox());

        // when
        publisher.publish("a/b", bytes("reading"), 2, false);
        publisher.publish("a/b", bytes("marker"), 2, false);

        // then [MQTT-3.3.4-2], [MQTT-3.3.4-3]
        List<Received> before = inbox.until("marker");
        assertEquals(1, before.size(), "copies: " + before);
        Received copy = before.get(0);
        assertEquals(2, copy.qos());
        assertEquals(Set.of(1, 2), new HashSet<>(copy.subscriptionIds()));
        assertEquals(2, copy.subscriptionIds().size());
    }

    @Test
    void resubscribingWithoutAnIdentifierDropsTheOldOne() throws Exception {
        // given: a subscription with identifier 7, then the same filter again without one
        SubscriberInbox inbox = new SubscriberInbox();
        MqttAsyncClient subscriber = fixture.clients().pahoV5("resub-id", inbox);
        subscribeWithId(subscriber, new MqttSubscription("ids/t", 1), 7);
        Mqtt5BlockingClient publisher = fixture.clients().hivemq("resub-id-pub", new SubscriberInbox());
        publisher.publishWith().topic("ids/t").payload(bytes("first")).qos(MqttQos.AT_LEAST_ONCE).send();
        assertEquals(List.of(7), inbox.next().subscriptionIds());

        // when
        subscriber.subscribe(new MqttSubscription("ids/t", 1)).waitForCompletion(TIMEOUT);
        publisher.publishWith().topic("ids/t").payload(bytes("second")).qos(MqttQos.AT_LEAST_ONCE).send();

        // then: the replacement has no identifier, so neither has the message [MQTT-3.8.4-3]
        assertEquals(new Received("ids/t", "second", 1, false, List.of()), inbox.next());
    }

    @Test
    void retainedMessagesSentOnSubscribeCarryTheSubscriptionIdentifier() throws Exception {
        // given
        fixture.clients().hivemq("retained-id-pub", new SubscriberInbox()).publishWith().topic("ids/retained")
            .payload(bytes("kept")).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
        SubscriberInbox inbox = new SubscriberInbox();
        MqttAsyncClient subscriber = fixture.clients().pahoV5("retained-id", inbox);

        // when
        subscribeWithId(subscriber, new MqttSubscription("ids/+", 1), 42);

        // then [MQTT-3.3.4-3]
        assertEquals(new Received("ids/retained", "kept", 1, true, List.of(42)), inbox.next());
    }

    private static void subscribeWithId(MqttAsyncClient client, MqttSubscription subscription, int id)
        throws Exception {
        MqttProperties properties = new MqttProperties();
        properties.setSubscriptionIdentifier(id);
        client.subscribe(new MqttSubscription[] {subscription}, null, null, properties).waitForCompletion(TIMEOUT);
    }

    @Test
    void overlappingSubscriptionsOfAV311ClientGetOneCopyAtTheHighestQos() throws Exception {
        // given
        SubscriberInbox inbox = new SubscriberInbox();
        MqttClient subscriber = fixture.clients().pahoV3("overlap-311", inbox);
        subscriber.subscribe(new String[] {"a/#", "a/+"}, new int[] {0, 2});
        MqttClient publisher = fixture.clients().pahoV3("overlap-311-pub", new SubscriberInbox());

        // when
        publisher.publish("a/b", bytes("reading"), 2, false);
        publisher.publish("a/b", bytes("marker"), 2, false);

        // then
        List<Received> before = inbox.until("marker");
        assertEquals(List.of(new Received("a/b", "reading", 2, false, List.of())), before);
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {V311, V5})
    void treatsReservedSubscriptionOptionBitsAsMalformed(int version) throws Exception {
        // given
        RawClient raw = fixture.clients().raw(version, "reserved-bits-" + version);

        // when: QoS 1 with reserved bit 6 set
        raw.send(Packets.subscribe(version, 1, -1, "a/b", 0x41));

        // then: 5.0 [MQTT-3.8.3-5] DISCONNECT 0x81 Malformed Packet; 3.1.1 [MQTT-3-8.3-4] close, no SUBACK
        if (version == V5) {
            assertEquals(0x81, PacketReader.disconnectCode(raw.readPacket()));
        }
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void subscriptionIdentifierZeroIsAProtocolError() throws Exception {
        // given
        RawClient raw = fixture.clients().raw(V5, "sub-id-zero");

        // when
        raw.send(Packets.subscribe(V5, 1, 0, "a/b", 1));

        // then: the identifier must be 1 to 268,435,455 (§3.8.2.1.2)
        assertEquals(0x82, PacketReader.disconnectCode(raw.readPacket()));
        assertTrue(raw.closedByBroker());
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {V311, V5})
    void refusesSubscriptionsBeyondThePerClientLimit(int version) throws Exception {
        // given
        fixture.use(TestBroker.start(l -> new LimitsConfig(l.maxPacketSize(), l.maxTopicLength(), l.maxTopicLevels(),
            l.maxClientIdLength(), l.receiveMaximum(), l.maxInflightOutbound(), l.maxQueuedMessages(),
            l.maxQueuedBytes(), l.maxConnections(), l.maxKeepAliveSeconds(), l.topicAliasMaximum(),
            l.maxSessionExpirySeconds(), 2, l.connectTimeoutSeconds(), l.slowConsumerTimeoutSeconds())));
        RawClient raw = fixture.clients().raw(version, "limited-" + version);

        // when
        raw.send(Packets.subscribe(version, 1, -1, "l/1", 0, "l/2", 0, "l/3", 0));

        // then: the third is over quota (5.0: 0x97 Quota exceeded)
        int failure = version == V5 ? 0x97 : 0x80;
        assertArrayEquals(new int[] {0, 0, failure}, PacketReader.ackCodes(version, raw.readPacket()));
        // and replacing an existing subscription does not count against the limit
        raw.send(Packets.subscribe(version, 2, -1, "l/1", 1));
        assertArrayEquals(new int[] {1}, PacketReader.ackCodes(version, raw.readPacket()));
        // and the refused filter receives nothing: the marker on l/2 is the first PUBLISH back
        raw.send(Packets.publish(version, "l/3", 0, false, 0, "refused"));
        raw.send(Packets.publish(version, "l/2", 0, false, 0, "marker"));
        assertEquals("marker", PacketReader.parsePublish(version, raw.readPacket()).payload());
    }
}
