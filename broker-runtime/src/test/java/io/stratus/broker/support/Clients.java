package io.stratus.broker.support;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedListener;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

import javax.net.SocketFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Opens clients of every kind against one {@link TestBroker} and closes whatever is still open at the
 * end of the test, newest first and quietly, so that a failing assertion (or a stopped broker) never
 * leaves a connection behind. The one-argument factories return clients that are not connected yet:
 * the test connects them with the options it is about. The factories that take a
 * {@link SubscriberInbox} return clients connected with a clean session that record what they receive.
 */
public final class Clients implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 5000;

    private final TestBroker broker;
    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    public Clients(TestBroker broker) {
        this.broker = broker;
    }

    // ---- not connected -------------------------------------------------------------------------

    /** @return a Paho 3 client (3.1 or 3.1.1, as its connect options say) with in-memory persistence */
    public MqttClient pahoV3(String clientId) {
        return pahoV3(broker.uri(), clientId);
    }

    /**
     * @param uri any address Paho takes: {@code tcp://}, {@code ssl://}, {@code ws://}, {@code wss://}
     * @return a Paho 3 client with in-memory persistence
     */
    public MqttClient pahoV3(String uri, String clientId) {
        try {
            MqttClient c = new MqttClient(uri, clientId, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            open.push(() -> {
                if (c.isConnected()) {
                    c.disconnectForcibly(0, 1000);
                }
                c.close(true);
            });
            return c;
        } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a Paho 5 client with in-memory persistence */
    public org.eclipse.paho.mqttv5.client.MqttClient pahoV5(String clientId) {
        try {
            org.eclipse.paho.mqttv5.client.MqttClient c = new org.eclipse.paho.mqttv5.client.MqttClient(
                broker.uri(), clientId, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            open.push(() -> {
                if (c.isConnected()) {
                    c.disconnectForcibly(0, 1000);
                }
                c.close(true);
            });
            return c;
        } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param clientId the identifier, or null to send none (the broker then assigns one) */
    public Mqtt5BlockingClient hivemq(String clientId) {
        return hivemq(clientId, (MqttClientDisconnectedListener) null);
    }

    /**
     * @param clientId       the identifier, or null to send none (the broker then assigns one)
     * @param onDisconnected told when the connection ends, with the cause (e.g. the broker's DISCONNECT)
     */
    public Mqtt5BlockingClient hivemq(String clientId, MqttClientDisconnectedListener onDisconnected) {
        Mqtt5ClientBuilder builder = Mqtt5Client.builder().serverHost(broker.host()).serverPort(broker.port());
        if (clientId != null) {
            builder.identifier(clientId);
        }
        if (onDisconnected != null) {
            builder.addDisconnectedListener(onDisconnected);
        }
        return hivemqFrom(builder);
    }

    /** @return a HiveMQ 5.0 client as the test configured it (address, TLS, WebSocket), not connected */
    public Mqtt5BlockingClient hivemqFrom(Mqtt5ClientBuilder builder) {
        Mqtt5BlockingClient c = builder.buildBlocking();
        open.push(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    /** @return a raw socket that has not sent anything yet */
    public RawClient raw() {
        return raw(broker.port());
    }

    /** @return a raw socket to the listener on the given port that has not sent anything yet */
    public RawClient raw(int port) {
        return rawWithReceiveBuffer(port, 0);
    }

    /**
     * @param receiveBufferBytes the socket's receive buffer (0 for the system's default): a small one
     *     makes a client that does not read fill up after a few kilobytes
     * @return a raw socket that has not sent anything yet
     */
    public RawClient rawWithReceiveBuffer(int receiveBufferBytes) {
        return rawWithReceiveBuffer(broker.port(), receiveBufferBytes);
    }

    private RawClient rawWithReceiveBuffer(int port, int receiveBufferBytes) {
        try {
            RawClient c = new RawClient(broker.host(), port, receiveBufferBytes);
            open.push(c);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param factory opens the socket: a TLS factory for {@code ssl://} and {@code wss://}
     * @return options for a 3.1.1 clean session that give up connecting after five seconds
     */
    public static MqttConnectOptions pahoV3Options(SocketFactory factory) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setConnectionTimeout(5);
        options.setSocketFactory(factory);
        return options;
    }

    // ---- connected -----------------------------------------------------------------------------

    /** @return a Paho 3.1.1 client connected with a clean session, recording into the inbox */
    public MqttClient pahoV3(String clientId, SubscriberInbox inbox) throws Exception {
        MqttClient client = pahoV3(clientId);
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

    /**
     * @return a Paho 5.0 asynchronous client connected with a clean start, recording into the inbox;
     *     call {@code waitForCompletion} on the tokens it returns
     */
    public MqttAsyncClient pahoV5(String clientId, SubscriberInbox inbox) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(broker.uri(), clientId,
            new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        open.push(() -> {
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
     * @return a HiveMQ 5.0 client connected with a clean start; every PUBLISH it receives goes to the
     *     inbox, and so does the reason code of a DISCONNECT from the broker
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
        Mqtt5BlockingClient blocking = hivemq(clientId, context -> {
            if (context.getCause() instanceof Mqtt5DisconnectException e) {
                inbox.recordDisconnect(e.getMqttMessage().getReasonCode().getCode());
            }
        });
        Mqtt5AsyncClient client = blocking.toAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, inbox.hivemq());
        blocking.connectWith().cleanStart(true)
            .restrictions().receiveMaximum(receiveMaximum).applyRestrictions()
            .send();
        return blocking;
    }

    /** @return a raw socket that has sent a CONNECT (clean start, keep alive 60 s) and read a successful CONNACK */
    public RawClient raw(int version, String clientId) throws Exception {
        RawClient client = raw();
        client.send(Packets.connect(version, clientId));
        PacketReader.expectConnAck(client, version == 5);
        return client;
    }

    /** Closes every client, newest first; a client that fails to close does not keep the others open. */
    @Override
    public void close() {
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                // the connection may already be gone (that is often what the test was about)
            }
        }
    }
}
