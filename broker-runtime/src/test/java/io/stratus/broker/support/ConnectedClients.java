package io.stratus.broker.support;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Connects clients of every kind to one {@link TestBroker} and closes them all at the end of a test,
 * whatever state they are in. Every client starts a clean session and records what it receives in
 * the {@link SubscriberInbox} it is given.
 */
public final class ConnectedClients implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 5000;

    private final TestBroker broker;
    private final List<AutoCloseable> open = new ArrayList<>();

    public ConnectedClients(TestBroker broker) {
        this.broker = broker;
    }

    /** @return a connected Paho 3.1.1 client */
    public MqttClient pahoV3(String clientId, SubscriberInbox inbox) throws Exception {
        MqttClient client = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
        open.add(() -> {
            if (client.isConnected()) {
                client.disconnect(0);
            }
            client.close(true);
        });
        client.setCallback(inbox.pahoV3());
        client.setTimeToWait(TIMEOUT_MILLIS);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setMaxInflight(1000);
        client.connect(options);
        return client;
    }

    /** @return a connected Paho 5.0 client; call {@code waitForCompletion} on the tokens it returns */
    public MqttAsyncClient pahoV5(String clientId, SubscriberInbox inbox) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(broker.uri(), clientId, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        open.add(() -> {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(1000);
            }
            client.close(true);
        });
        client.setCallback(inbox.pahoV5());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        client.connect(options).waitForCompletion(TIMEOUT_MILLIS);
        return client;
    }

    /**
     * @return a connected HiveMQ 5.0 client; every PUBLISH it receives goes to the inbox, and so does
     *     the reason code of a DISCONNECT from the broker
     */
    public Mqtt5BlockingClient hivemq(String clientId, SubscriberInbox inbox) {
        return hivemq(clientId, inbox, 65_535);
    }

    /**
     * @param receiveMaximum the Receive Maximum the client announces: how many QoS 1 and 2 PUBLISHes
     *     the broker may have unacknowledged towards it
     * @return a connected HiveMQ 5.0 client, as {@link #hivemq(String, SubscriberInbox)}
     */
    public Mqtt5BlockingClient hivemq(String clientId, SubscriberInbox inbox, int receiveMaximum) {
        Mqtt5AsyncClient client = Mqtt5Client.builder()
            .identifier(clientId)
            .serverHost(broker.host())
            .serverPort(broker.port())
            .addDisconnectedListener(context -> {
                if (context.getCause() instanceof Mqtt5DisconnectException e) {
                    inbox.recordDisconnect(e.getMqttMessage().getReasonCode().getCode());
                }
            })
            .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, inbox.hivemq());
        Mqtt5BlockingClient blocking = client.toBlocking();
        open.add(() -> {
            if (client.getState().isConnected()) {
                blocking.disconnect();
            }
        });
        blocking.connectWith().cleanStart(true)
            .restrictions().receiveMaximum(receiveMaximum).applyRestrictions()
            .send();
        return blocking;
    }

    /** @return a raw socket that has sent CONNECT and read a successful CONNACK */
    public RawClient raw(int version, String clientId) throws Exception {
        RawClient client = rawUnconnected();
        client.send(MqttBytes.connect(version, clientId));
        assertEquals(0, MqttBytes.connAckCode(client.readPacket()), "CONNACK code");
        return client;
    }

    /** @return a raw socket that has not sent anything yet */
    public RawClient rawUnconnected() throws Exception {
        RawClient client = new RawClient(broker.host(), broker.port());
        open.add(client);
        return client;
    }

    /** Closes every client, quietly: a test that has stopped the broker leaves them in any state. */
    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // the test is over; a client that cannot close cleanly has nothing more to tell
            }
        }
        open.clear();
    }
}
