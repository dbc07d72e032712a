package io.stratus.broker.support;

import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedListener;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Creates clients of every kind against one {@link TestBroker} and closes whatever is still open at
 * the end of the test, so that a failing assertion never leaves a connection behind. Clients are not
 * connected: the test connects them with the options it is about.
 */
public final class OpenClients implements AutoCloseable {

    private final TestBroker broker;
    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    public OpenClients(TestBroker broker) {
        this.broker = broker;
    }

    /** @return a Paho 3 client (3.1 or 3.1.1, as its connect options say) with in-memory persistence */
    public org.eclipse.paho.client.mqttv3.MqttClient pahoV3(String clientId) {
        try {
            org.eclipse.paho.client.mqttv3.MqttClient c = new org.eclipse.paho.client.mqttv3.MqttClient(
                broker.uri(), clientId, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
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
        return hivemq(clientId, null);
    }

    /**
     * @param clientId the identifier, or null to send none (the broker then assigns one)
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
        Mqtt5BlockingClient c = builder.buildBlocking();
        open.push(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    /** @return a connected raw socket (nothing sent yet) */
    public RawClient raw() {
        try {
            RawClient c = new RawClient(broker.host(), broker.port());
            open.push(c);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
