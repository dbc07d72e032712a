package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.stratus.broker.metrics.TenantMetrics;
import io.stratus.broker.support.Packets.Connect;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second connection with a client id that is already connected: the first connection is closed,
 * and the session goes on or starts afresh as the new connection's Clean Start says.
 */
class SessionTakeoverTest {

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @Test
    void disconnectsTheOldMqtt5ConnectionWithSessionTakenOver() throws Exception {
        fixture.start();
        BlockingQueue<Throwable> causes = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient first = fixture.clients().hivemq("taken", context -> causes.add(context.getCause()));
        first.connect();
        Mqtt5BlockingClient second = fixture.clients().hivemq("taken");

        second.connect();

        // [MQTT-3.1.4-3] the existing connection gets DISCONNECT 0x8E before it is closed
        Throwable cause = causes.poll(5, TimeUnit.SECONDS);
        Mqtt5DisconnectException disconnect = assertInstanceOf(Mqtt5DisconnectException.class, cause);
        assertEquals(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER, disconnect.getMqttMessage().getReasonCode());
        assertTrue(second.getState().isConnected());
    }

    @Test
    void tellsAPaho5ClientThatItsSessionWasTakenOver() throws Exception {
        fixture.start();
        org.eclipse.paho.mqttv5.client.MqttClient first = fixture.clients().pahoV5("taken");
        SubscriberInbox firstInbox = new SubscriberInbox();
        first.setCallback(firstInbox.pahoV5());
        first.connect();
        Mqtt5BlockingClient second = fixture.clients().hivemq("taken");

        second.connect();

        Integer reasonCode = firstInbox.awaitDisconnectReason();
        assertNotNull(reasonCode, "the first client was not disconnected");
        assertEquals(0x8E, reasonCode); // [MQTT-3.1.4-3]
    }

    @Test
    void closesTheOldMqtt311ConnectionWhenTheSameClientIdConnects() throws Exception {
        fixture.start();
        MqttClient first = fixture.clients().pahoV3("taken");
        SubscriberInbox firstInbox = new SubscriberInbox();
        first.setCallback(firstInbox.pahoV3());
        first.connect(v311(true));
        MqttClient second = fixture.clients().pahoV3("taken");

        second.connect(v311(true));

        assertTrue(firstInbox.awaitConnectionLost(), "the first connection was not closed"); // [MQTT-3.1.4-2]
        assertTrue(second.isConnected());
    }

    @Test
    void continuesTheSessionWithItsSubscriptionAndUnacknowledgedMessagesWhenCleanSessionIsFalse() throws Exception {
        // a window of two: two messages are in flight to the first connection, the rest queued
        fixture.start(LimitsBuilder.with(l -> l.maxInflightOutbound(2)));
        RawClient first = fixture.clients().raw();
        first.send(Connect.v311("worker").cleanStart(false).bytes());
        assertEquals("20020000", first.readPacketHex());
        first.send(Packets.subscribe(4, 1, -1, "takeover/jobs", 1));
        assertEquals(Packets.SUBACK, PacketReader.type(first.readPacket()));
        MqttClient publisher = fixture.clients().pahoV3("publisher");
        publisher.connect(v311(true));
        for (int i = 0; i < 5; i++) {
            publisher.publish("takeover/jobs", payload("job-" + i), 1, false);
        }
        // the first connection reads its window full and never acknowledges
        assertEquals("job-0", PacketReader.parsePublish(4, first.readPacket()).payload());
        assertEquals("job-1", PacketReader.parsePublish(4, first.readPacket()).payload());
        MqttClient second = fixture.clients().pahoV3("worker");
        SubscriberInbox inbox = new SubscriberInbox();
        second.setCallback(inbox.pahoV3());

        boolean sessionPresent = second.connectWithResult(v311(false)).getSessionPresent();

        assertTrue(sessionPresent); // [MQTT-3.2.2-2]
        assertTrue(first.closedByBroker()); // [MQTT-3.1.4-2]
        // [MQTT-4.4.0-1] the unacknowledged ones are sent again, then the queued ones, in order
        assertEquals(List.of("job-0", "job-1", "job-2", "job-3", "job-4"),
            inbox.next(5).stream().map(SubscriberInbox.Received::payload).toList());
        publisher.publish("takeover/jobs", payload("job-5"), 1, false);
        assertEquals("job-5", inbox.next().payload(), "the subscription went on with the session");
    }

    @Test
    void continuesAnMqtt5SessionWhenCleanStartIsFalse() throws Exception {
        fixture.start();
        Mqtt5BlockingClient first = fixture.clients().hivemq("resumer");
        first.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        first.subscribeWith().topicFilter("takeover/news").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient second = fixture.clients().hivemq("resumer");
        SubscriberInbox inbox = new SubscriberInbox();
        second.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox.hivemq());

        boolean sessionPresent = second.connectWith().cleanStart(false).sessionExpiryInterval(60).send()
            .isSessionPresent();
        Mqtt5BlockingClient publisher = fixture.clients().hivemq("publisher");
        publisher.connect();
        publisher.publishWith().topic("takeover/news").qos(MqttQos.AT_LEAST_ONCE).payload(payload("extra")).send();

        assertTrue(sessionPresent); // [MQTT-3.1.2-5] (5.0)
        assertEquals("extra", inbox.next().payload(), "the subscription went on with the session");
    }

    @Test
    void discardsTheOldSessionWhenTheNewConnectionStartsClean() throws Exception {
        fixture.start();
        Mqtt5BlockingClient first = fixture.clients().hivemq("restarter");
        first.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        first.subscribeWith().topicFilter("takeover/old").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient second = fixture.clients().hivemq("restarter");
        SubscriberInbox inbox = new SubscriberInbox();
        second.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox.hivemq());

        boolean sessionPresent = second.connectWith().cleanStart(true).sessionExpiryInterval(60).send()
            .isSessionPresent();
        second.subscribeWith().topicFilter("takeover/marker").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient publisher = fixture.clients().hivemq("publisher");
        publisher.connect();
        publisher.publishWith().topic("takeover/old").qos(MqttQos.AT_LEAST_ONCE).payload(payload("old")).send();
        publisher.publishWith().topic("takeover/marker").qos(MqttQos.AT_LEAST_ONCE).payload(payload("marker")).send();

        assertFalse(sessionPresent); // [MQTT-3.1.2-4] (5.0), [MQTT-3.2.2-2]
        // the marker went the same way after the message on the old subscription: it would have come first
        assertEquals(List.of(), inbox.until("marker"), "the old session's subscription survived");
    }

    @ParameterizedTest(name = "clean start {0}")
    @ValueSource(booleans = {false, true})
    void countsConnectedClientsRightAcrossATakeover(boolean cleanStart) throws Exception {
        fixture.start();
        TenantMetrics metrics = fixture.broker().metrics();
        Mqtt5BlockingClient first = fixture.clients().hivemq("counted");
        first.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        Mqtt5BlockingClient second = fixture.clients().hivemq("counted");

        second.connectWith().cleanStart(cleanStart).sessionExpiryInterval(60).send();

        // The gauge moves on the session's lane when a connection ends, which nothing on the wire
        // signals; the second connection's connect is counted together with connectsTotal.
        Eventually.await(Duration.ofSeconds(5), "one client connected after the takeover",
            () -> metrics.connectsTotal.sum() == 2 && metrics.clientsConnected.get() == 1);

        second.disconnect();
        Eventually.await(Duration.ofSeconds(5), "no client connected after both left",
            () -> metrics.clientsConnected.get() == 0);

        // nothing late moves it further: a new client makes it exactly one again
        fixture.clients().hivemq("later").connect();
        Eventually.await(Duration.ofSeconds(5), "the third connect counted", () -> metrics.connectsTotal.sum() == 3);
        assertEquals(1, metrics.clientsConnected.get());
    }

    private static MqttConnectOptions v311(boolean cleanSession) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(cleanSession);
        return options;
    }

    private static byte[] payload(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
