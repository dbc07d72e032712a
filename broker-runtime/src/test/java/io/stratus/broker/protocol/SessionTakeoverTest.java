package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.stratus.broker.metrics.TenantMetrics;
import io.stratus.broker.support.ConnectPacket;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.MqttBytes;
import io.stratus.broker.support.OpenClients;
import io.stratus.broker.support.Paho3Inbox;
import io.stratus.broker.support.Paho5Inbox;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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

    private TestBroker broker;
    private OpenClients clients;

    @AfterEach
    void tearDown() {
        if (clients != null) {
            clients.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private void start() throws Exception {
        broker = TestBroker.start();
        clients = new OpenClients(broker);
    }

    @Test
    void disconnectsTheOldMqtt5ConnectionWithSessionTakenOver() throws Exception {
        start();
        BlockingQueue<Throwable> causes = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient first = clients.hivemq("taken", context -> causes.add(context.getCause()));
        first.connect();
        Mqtt5BlockingClient second = clients.hivemq("taken");

        second.connect();

        // [MQTT-3.1.4-3] the existing connection gets DISCONNECT 0x8E before it is closed
        Throwable cause = causes.poll(5, TimeUnit.SECONDS);
        Mqtt5DisconnectException disconnect = assertInstanceOf(Mqtt5DisconnectException.class, cause);
        assertEquals(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER, disconnect.getMqttMessage().getReasonCode());
        assertTrue(second.getState().isConnected());
    }

    @Test
    void tellsAPaho5ClientThatItsSessionWasTakenOver() throws Exception {
        start();
        org.eclipse.paho.mqttv5.client.MqttClient first = clients.pahoV5("taken");
        Paho5Inbox firstInbox = new Paho5Inbox();
        first.setCallback(firstInbox);
        first.connect();
        Mqtt5BlockingClient second = clients.hivemq("taken");

        second.connect();

        MqttDisconnectResponse response = firstInbox.nextDisconnect();
        assertNotNull(response, "the first client was not disconnected");
        assertEquals(0x8E, response.getReturnCode()); // [MQTT-3.1.4-3]
    }

    @Test
    void closesTheOldMqtt311ConnectionWhenTheSameClientIdConnects() throws Exception {
        start();
        MqttClient first = clients.pahoV3("taken");
        Paho3Inbox firstInbox = new Paho3Inbox();
        first.setCallback(firstInbox);
        first.connect(v311(true));
        MqttClient second = clients.pahoV3("taken");

        second.connect(v311(true));

        assertTrue(firstInbox.awaitConnectionLost(), "the first connection was not closed"); // [MQTT-3.1.4-2]
        assertTrue(second.isConnected());
    }

    @Test
    void continuesTheSessionWithItsSubscriptionAndUnacknowledgedMessagesWhenCleanSessionIsFalse() throws Exception {
        // a window of two: two messages are in flight to the first connection, the rest queued
        broker = TestBroker.start(LimitsBuilder.with(l -> l.maxInflightOutbound(2)));
        clients = new OpenClients(broker);
        RawClient first = clients.raw();
        first.send(ConnectPacket.v311("worker").cleanStart(false).bytes());
        assertEquals("20020000", first.readPacketHex());
        first.send(MqttBytes.subscribe(4, 1, -1, "takeover/jobs", 1));
        assertEquals(MqttBytes.SUBACK, MqttBytes.type(first.readPacket()));
        MqttClient publisher = clients.pahoV3("publisher");
        publisher.connect(v311(true));
        for (int i = 0; i < 5; i++) {
            publisher.publish("takeover/jobs", payload("job-" + i), 1, false);
        }
        // the first connection reads its window full and never acknowledges
        assertEquals("job-0", MqttBytes.parsePublish(4, first.readPacket()).payload());
        assertEquals("job-1", MqttBytes.parsePublish(4, first.readPacket()).payload());
        MqttClient second = clients.pahoV3("worker");
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
        start();
        Mqtt5BlockingClient first = clients.hivemq("resumer");
        first.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        first.subscribeWith().topicFilter("takeover/news").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient second = clients.hivemq("resumer");
        SubscriberInbox inbox = new SubscriberInbox();
        second.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox.hivemq());

        boolean sessionPresent = second.connectWith().cleanStart(false).sessionExpiryInterval(60).send()
            .isSessionPresent();
        Mqtt5BlockingClient publisher = clients.hivemq("publisher");
        publisher.connect();
        publisher.publishWith().topic("takeover/news").qos(MqttQos.AT_LEAST_ONCE).payload(payload("extra")).send();

        assertTrue(sessionPresent); // [MQTT-3.1.2-5] (5.0)
        assertEquals("extra", inbox.next().payload(), "the subscription went on with the session");
    }

    @Test
    void discardsTheOldSessionWhenTheNewConnectionStartsClean() throws Exception {
        start();
        Mqtt5BlockingClient first = clients.hivemq("restarter");
        first.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        first.subscribeWith().topicFilter("takeover/old").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient second = clients.hivemq("restarter");
        SubscriberInbox inbox = new SubscriberInbox();
        second.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox.hivemq());

        boolean sessionPresent = second.connectWith().cleanStart(true).sessionExpiryInterval(60).send()
            .isSessionPresent();
        second.subscribeWith().topicFilter("takeover/marker").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient publisher = clients.hivemq("publisher");
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
        start();
        TenantMetrics metrics = broker.metrics();
        Mqtt5BlockingClient first = clients.hivemq("counted");
        first.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        Mqtt5BlockingClient second = clients.hivemq("counted");

        second.connectWith().cleanStart(cleanStart).sessionExpiryInterval(60).send();

        // The gauge moves on the session's lane when a connection ends, which nothing on the wire
        // signals; the second connection's connect is counted together with connectsTotal.
        Eventually.await(Duration.ofSeconds(5), "one client connected after the takeover",
            () -> metrics.connectsTotal.sum() == 2 && metrics.clientsConnected.get() == 1);

        second.disconnect();
        Eventually.await(Duration.ofSeconds(5), "no client connected after both left",
            () -> metrics.clientsConnected.get() == 0);

        // nothing late moves it further: a new client makes it exactly one again
        clients.hivemq("later").connect();
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
