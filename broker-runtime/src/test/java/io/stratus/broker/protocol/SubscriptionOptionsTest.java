package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.SubscriberInbox.Received;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MQTT 5.0 subscription options (§3.8.3.1), and how 3.1.1 subscribers see the RETAIN flag. */
class SubscriptionOptionsTest {

    private static final long TIMEOUT = 5000;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @BeforeEach
    void startBroker() throws Exception {
        fixture.start();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void publish(Mqtt5BlockingClient client, String topic, String payload, boolean retain) {
        client.publishWith().topic(topic).payload(bytes(payload)).qos(MqttQos.AT_LEAST_ONCE).retain(retain).send();
    }

    @Test
    void noLocalKeepsAPublishersOwnMessagesFromItsSubscription() throws Exception {
        // given: the publisher subscribes with No Local, another client without
        SubscriberInbox own = new SubscriberInbox();
        Mqtt5BlockingClient publisher = fixture.clients().hivemq("no-local-pub", own);
        publisher.subscribeWith()
            .addSubscription().topicFilter("chat/room").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).applySubscription()
            .addSubscription().topicFilter("chat/marker").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
            .send();
        SubscriberInbox other = new SubscriberInbox();
        fixture.clients().hivemq("no-local-other", other).subscribeWith().topicFilter("chat/room").qos(MqttQos.AT_LEAST_ONCE)
            .send();

        // when
        publish(publisher, "chat/room", "hello", false);
        publish(publisher, "chat/marker", "marker", false);

        // then [MQTT-3.8.3-3]
        assertEquals(List.of(), own.until("marker"));
        assertEquals("hello", other.next().payload());
    }

    @Test
    void noLocalOnASharedSubscriptionIsAProtocolError() throws Exception {
        // given
        RawClient raw = fixture.clients().raw(5, "no-local-shared");

        // when
        raw.send(Packets.subscribe(5, 1, -1, "$share/g/chat/room", 1 | Packets.NO_LOCAL));

        // then [MQTT-3.8.3-4]
        assertEquals(0x82, PacketReader.disconnectCode(raw.readPacket()));
        assertTrue(raw.closedByBroker());
    }

    @Test
    void retainAsPublishedDecidesTheRetainFlagOfForwardedMessages() throws Exception {
        // given
        SubscriberInbox asPublished = new SubscriberInbox();
        fixture.clients().hivemq("rap-1", asPublished).subscribeWith().topicFilter("rap/t").qos(MqttQos.AT_LEAST_ONCE)
            .retainAsPublished(true).send();
        SubscriberInbox cleared = new SubscriberInbox();
        fixture.clients().hivemq("rap-0", cleared).subscribeWith().topicFilter("rap/t").qos(MqttQos.AT_LEAST_ONCE)
            .retainAsPublished(false).send();
        Mqtt5BlockingClient publisher = fixture.clients().hivemq("rap-pub", new SubscriberInbox());

        // when
        publish(publisher, "rap/t", "retained", true);
        publish(publisher, "rap/t", "plain", false);

        // then [MQTT-3.3.1-12], [MQTT-3.3.1-13]
        assertEquals(List.of(new Received("rap/t", "retained", 1, true, List.of()),
            new Received("rap/t", "plain", 1, false, List.of())), asPublished.next(2));
        assertEquals(List.of(new Received("rap/t", "retained", 1, false, List.of()),
            new Received("rap/t", "plain", 1, false, List.of())), cleared.next(2));
    }

    @Test
    void retainHandlingZeroSendsRetainedMessagesOnEverySubscribe() throws Exception {
        // given
        publish(fixture.clients().hivemq("rh0-pub", new SubscriberInbox()), "rh/t", "kept", true);
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient subscriber = fixture.clients().hivemq("rh0-sub", inbox);

        // when
        for (int i = 0; i < 2; i++) {
            subscriber.subscribeWith().topicFilter("rh/t").qos(MqttQos.AT_LEAST_ONCE)
                .retainHandling(Mqtt5RetainHandling.SEND).send();
            // then [MQTT-3.3.1-9]
            assertEquals(new Received("rh/t", "kept", 1, true, List.of()), inbox.next());
        }
    }

    @Test
    void retainHandlingOneSendsRetainedMessagesOnlyForANewSubscription() throws Exception {
        // given
        Mqtt5BlockingClient publisher = fixture.clients().hivemq("rh1-pub", new SubscriberInbox());
        publish(publisher, "rh/t", "kept", true);
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient subscriber = fixture.clients().hivemq("rh1-sub", inbox);

        // when
        subscriber.subscribeWith().topicFilter("rh/t").qos(MqttQos.AT_LEAST_ONCE)
            .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST).send();
        Received first = inbox.next();
        subscriber.subscribeWith().topicFilter("rh/t").qos(MqttQos.AT_LEAST_ONCE)
            .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST).send();
        // retained messages of a SUBSCRIBE go out before anything published after its SUBACK
        publish(publisher, "rh/t", "marker", false);

        // then [MQTT-3.3.1-10]
        assertEquals(new Received("rh/t", "kept", 1, true, List.of()), first);
        assertEquals(List.of(), inbox.until("marker"));
    }

    @Test
    void retainHandlingTwoNeverSendsRetainedMessages() throws Exception {
        // given
        Mqtt5BlockingClient publisher = fixture.clients().hivemq("rh2-pub", new SubscriberInbox());
        publish(publisher, "rh/t", "kept", true);
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient subscriber = fixture.clients().hivemq("rh2-sub", inbox);

        // when
        subscriber.subscribeWith().topicFilter("rh/t").qos(MqttQos.AT_LEAST_ONCE)
            .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).send();
        publish(publisher, "rh/t", "marker", false);

        // then [MQTT-3.3.1-11]
        assertEquals(List.of(), inbox.until("marker"));
    }

    @Test
    void subscriptionOptionsAreReportedPerSubscriptionForPahoV5() throws Exception {
        // given: Retain As Published on one filter, not on the other, for the same client
        SubscriberInbox inbox = new SubscriberInbox();
        MqttAsyncClient subscriber = fixture.clients().pahoV5("options-paho5", inbox);
        MqttSubscription kept = new MqttSubscription("opt/kept", 1);
        kept.setRetainAsPublished(true);
        MqttSubscription cleared = new MqttSubscription("opt/cleared", 1);
        subscriber.subscribe(new MqttSubscription[] {kept, cleared}).waitForCompletion(TIMEOUT);
        Mqtt5BlockingClient publisher = fixture.clients().hivemq("options-pub", new SubscriberInbox());

        // when
        publish(publisher, "opt/kept", "a", true);
        publish(publisher, "opt/cleared", "b", true);

        // then [MQTT-3.3.1-12], [MQTT-3.3.1-13]
        List<Received> received = inbox.next(2);
        assertEquals(new Received("opt/kept", "a", 1, true, List.of()), received.get(0));
        assertEquals(new Received("opt/cleared", "b", 1, false, List.of()), received.get(1));
    }

    @Test
    void v311SubscribersReceiveLiveMessagesWithRetainCleared() throws Exception {
        // given
        SubscriberInbox inbox = new SubscriberInbox();
        MqttClient subscriber = fixture.clients().pahoV3("live-311", inbox);
        subscriber.subscribe("live/t", 1);

        // when
        publish(fixture.clients().hivemq("live-pub", new SubscriberInbox()), "live/t", "now", true);

        // then: 3.1.1 [MQTT-3.3.1-9] (5.0: Retain As Published is 0 for them, [MQTT-3.3.1-12])
        assertEquals(new Received("live/t", "now", 1, false, List.of()), inbox.next());
        // and a later subscription gets the stored copy with RETAIN set, 3.1.1 [MQTT-3.3.1-8]
        subscriber.unsubscribe("live/t");
        subscriber.subscribe("live/t", 1);
        assertEquals(new Received("live/t", "now", 1, true, List.of()), inbox.next());
    }
}
