package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.stratus.broker.support.LibraryClient;
import io.stratus.broker.support.LibraryClient.Library;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.PacketReader.Packet;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.UnaryOperator;

import static io.stratus.broker.support.LibraryClient.WAIT_SECONDS;
import static io.stratus.broker.support.Packets.MESSAGE_EXPIRY_INTERVAL;
import static io.stratus.broker.support.Packets.PUBACK;
import static io.stratus.broker.support.Packets.RECEIVE_MAXIMUM;
import static io.stratus.broker.support.Packets.SESSION_EXPIRY_INTERVAL;
import static io.stratus.broker.support.Packets.SUBACK;
import static io.stratus.broker.support.Packets.ack;
import static io.stratus.broker.support.Packets.connect5;
import static io.stratus.broker.support.PacketReader.expectConnAck;
import static io.stratus.broker.support.PacketReader.expectPublish;
import static io.stratus.broker.support.PacketReader.expectSuccessAck;
import static io.stratus.broker.support.Packets.fourByteProperty;
import static io.stratus.broker.support.RawClient.open5;
import static io.stratus.broker.support.Packets.properties;
import static io.stratus.broker.support.Packets.publish;
import static io.stratus.broker.support.Packets.publish5;
import static io.stratus.broker.support.Packets.subscribe;
import static io.stratus.broker.support.PacketReader.subscribeAndExpectGranted;
import static io.stratus.broker.support.Packets.twoByteProperty;
import static io.stratus.broker.support.Packets.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message Expiry Interval (§3.3.2.3.3): a message that waited longer than its interval, retained or
 * queued for a session, is not delivered [MQTT-3.3.2-5]; one delivered before that carries what is
 * left of its interval [MQTT-3.3.2-6]. The broker runs on a clock the tests move by hand.
 */
class MessageExpiryTest {

    private static final byte[] PERSISTENT = fourByteProperty(SESSION_EXPIRY_INTERVAL, 300);

    private TestBroker broker;

    @BeforeEach
    void startBroker() throws Exception {
        broker = TestBroker.startWithManualClock(UnaryOperator.identity());
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    // ---- retained -----------------------------------------------------------------------------

    @Test
    void deliversRetainedMessageWithWhatIsLeftOfItsInterval() throws Exception {
        try (RawClient publisher = open5(broker, "pub", true)) {
            publisher.send(retainedWithExpiry(1, "expiry/retained", 10, "still fresh"));
            expectSuccessAck(publisher, true, PUBACK, 1);
        }
        broker.clock().advance(Duration.ofSeconds(3));

        try (RawClient subscriber = open5(broker, "sub", true)) {
            subscribeAndExpectGranted(subscriber, true, 1, "expiry/retained", 1);

            Packet p = expectPublish(subscriber, true);
            assertEquals("still fresh", p.payloadText());
            assertTrue(p.retain());
            assertEquals(7, p.property(MESSAGE_EXPIRY_INTERVAL).number(), "[MQTT-3.3.2-6] 10 s less the 3 s waited");
        }
    }

    @Test
    void dropsRetainedMessageOnceItsIntervalHasPassed() throws Exception {
        try (RawClient publisher = open5(broker, "pub", true)) {
            publisher.send(retainedWithExpiry(1, "expiry/gone", 10, "stale"));
            expectSuccessAck(publisher, true, PUBACK, 1);
            publisher.send(publish(1, false, true, 2, "expiry/kept", properties(), utf8("kept")));
            expectSuccessAck(publisher, true, PUBACK, 2);
        }
        broker.clock().advance(Duration.ofSeconds(11));

        try (RawClient subscriber = open5(broker, "sub", true)) {
            subscriber.send(subscribe(true, 1, "expiry/gone", 1));
            subscriber.send(subscribe(true, 2, "expiry/kept", 1));

            // [MQTT-3.3.2-5] a retained message for the first filter would come between the two SUBACKs
            Packet.parse(subscriber.readPacket(), true).expectType(SUBACK);
            Packet second = Packet.parse(subscriber.readPacket(), true);
            second.expectType(SUBACK);
            assertEquals(2, second.packetId());
            Packet kept = expectPublish(subscriber, true);
            assertEquals("kept", kept.payloadText());
            assertNull(kept.property(MESSAGE_EXPIRY_INTERVAL), "no interval was set on it");
        }
    }

    // ---- queued for a session -----------------------------------------------------------------

    @Test
    void deliversQueuedMessageWithWhatIsLeftOfItsInterval() throws Exception {
        subscribeAndGoOffline("sub", "expiry/queued");
        publishWithHivemq("expiry/queued", 10, "waited");
        broker.clock().advance(Duration.ofSeconds(3));

        try (RawClient subscriber = reconnect("sub")) {
            Packet p = expectPublish(subscriber, true);
            assertEquals("waited", p.payloadText());
            assertEquals(7, p.property(MESSAGE_EXPIRY_INTERVAL).number(), "[MQTT-3.3.2-6] 10 s less the 3 s waited");
        }
    }

    @Test
    void dropsMessageQueuedForAnOfflineSessionOnceItsIntervalHasPassed() throws Exception {
        subscribeAndGoOffline("sub", "expiry/queued");
        publishWithHivemq("expiry/queued", 10, "too late");
        publishWithHivemq("expiry/queued", -1, "lasting");
        broker.clock().advance(Duration.ofSeconds(11));

        try (RawClient subscriber = reconnect("sub")) {
            Packet p = expectPublish(subscriber, true);
            assertEquals("lasting", p.payloadText(), "[MQTT-3.3.2-5] the expired one is not delivered");
            assertNull(p.property(MESSAGE_EXPIRY_INTERVAL));
            assertEquals(1, broker.metrics().droppedExpired.sum());
        }
    }

    @Test
    void dropsExpiredMessageQueuedForAnMqtt311Session() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        org.eclipse.paho.client.mqttv3.MqttClient subscriber =
            new org.eclipse.paho.client.mqttv3.MqttClient(broker.uri(), "old-sub", new MemoryPersistence());
        subscriber.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new String(message.getPayload()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions persistent = new MqttConnectOptions();
        persistent.setCleanSession(false);
        try {
            subscriber.connect(persistent);
            subscriber.subscribe("expiry/old", 1);
            subscriber.disconnect();
            // 3.1.1 subscribers never see the interval, but it applies to them all the same
            publishWithHivemq("expiry/old", 10, "too late");
            publishWithHivemq("expiry/old", 100, "in time");
            broker.clock().advance(Duration.ofSeconds(11));

            subscriber.connect(persistent);

            assertEquals("in time", received.poll(WAIT_SECONDS, SECONDS));
            assertEquals(1, broker.metrics().droppedExpired.sum());
        } finally {
            if (subscriber.isConnected()) {
                subscriber.disconnect();
            }
            subscriber.close();
        }
    }

    @Test
    void dropsMessageThatExpiresWhileWaitingForASlotInTheReceiveWindow() throws Exception {
        try (RawClient subscriber = open5(broker, "sub", true, twoByteProperty(RECEIVE_MAXIMUM, 1));
             RawClient publisher = open5(broker, "pub", true)) {
            subscribeAndExpectGranted(subscriber, true, 1, "expiry/window", 1);

            publisher.send(publish5(1, 1, "expiry/window", "in flight"));
            expectSuccessAck(publisher, true, PUBACK, 1);
            publisher.send(publish(1, false, false, 2, "expiry/window",
                properties(fourByteProperty(MESSAGE_EXPIRY_INTERVAL, 10)), utf8("waits too long")));
            expectSuccessAck(publisher, true, PUBACK, 2);
            publisher.send(publish5(1, 3, "expiry/window", "waits"));
            expectSuccessAck(publisher, true, PUBACK, 3);
            Packet inFlight = expectPublish(subscriber, true);
            assertEquals("in flight", inFlight.payloadText());

            broker.clock().advance(Duration.ofSeconds(11));
            subscriber.send(ack(PUBACK, inFlight.packetId()));

            assertEquals("waits", expectPublish(subscriber, true).payloadText());
            assertEquals(1, broker.metrics().droppedExpired.sum());
        }
    }

    @Test
    void forwardsTheFullIntervalWhenDeliveredAtOnce() throws Exception {
        BlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
        Mqtt5AsyncClient subscriber = MqttClient.builder().useMqttVersion5().identifier("sub")
            .serverHost(broker.host()).serverPort(broker.port()).buildAsync();
        try (LibraryClient publisher = LibraryClient.connect(Library.PAHO_V3, broker, "pub")) {
            subscriber.connect().get(WAIT_SECONDS, SECONDS);
            subscriber.subscribeWith().topicFilter("expiry/live").qos(MqttQos.AT_LEAST_ONCE)
                .callback(received::add).send().get(WAIT_SECONDS, SECONDS);

            publishWithHivemq("expiry/live", 10, "live");
            publisher.publish("expiry/live", "no interval", 1);

            Mqtt5Publish live = received.poll(WAIT_SECONDS, SECONDS);
            assertNotNull(live);
            assertEquals(10, live.getMessageExpiryInterval().orElseThrow());
            Mqtt5Publish plain = received.poll(WAIT_SECONDS, SECONDS);
            assertNotNull(plain);
            assertTrue(plain.getMessageExpiryInterval().isEmpty(), "none is added to a message without one");
        } finally {
            subscriber.disconnect().get(WAIT_SECONDS, SECONDS);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static byte[] retainedWithExpiry(int packetId, String topic, long expirySeconds, String payload) {
        return publish(1, false, true, packetId, topic, properties(fourByteProperty(MESSAGE_EXPIRY_INTERVAL,
            expirySeconds)), utf8(payload));
    }

    /** Leaves a session behind that subscribes to {@code filter} at QoS 1. */
    private void subscribeAndGoOffline(String clientId, String filter) throws Exception {
        try (RawClient subscriber = open5(broker, clientId, true, PERSISTENT)) {
            subscribeAndExpectGranted(subscriber, true, 1, filter, 1);
        }
        // nothing on the wire says when the broker has noticed the closed socket; until then a
        // message goes to the closing connection, and one whose delivery has started does not expire
        Eventually.await(Duration.ofSeconds(5), clientId + " offline",
            () -> !broker.defaultTenant().sessions().get(clientId).isOnline());
    }

    private RawClient reconnect(String clientId) throws Exception {
        RawClient subscriber = new RawClient(broker.host(), broker.port());
        subscriber.send(connect5(clientId, false, PERSISTENT));
        expectConnAck(subscriber, true);
        return subscriber;
    }

    /**
     * Publishes at QoS 1 and waits for the PUBACK, which the broker sends once the message is handed
     * to its subscribers' sessions; an expiry below 0 means none.
     */
    private void publishWithHivemq(String topic, long expirySeconds, String payload) throws Exception {
        Mqtt5AsyncClient publisher = MqttClient.builder().useMqttVersion5().identifier("hive-pub")
            .serverHost(broker.host()).serverPort(broker.port()).buildAsync();
        publisher.connect().get(WAIT_SECONDS, SECONDS);
        try {
            var send = publisher.publishWith().topic(topic).payload(utf8(payload)).qos(MqttQos.AT_LEAST_ONCE);
            if (expirySeconds >= 0) {
                send = send.messageExpiryInterval(expirySeconds);
            }
            send.send().get(WAIT_SECONDS, SECONDS);
        } finally {
            publisher.disconnect().get(WAIT_SECONDS, SECONDS);
        }
    }
}
