package io.stratus.broker.support;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * HiveMQ 5.0 clients of a multi-tenant {@link TestBroker}, connecting with a user name
 * ({@code user@tenant}) and password, and the answers the broker gives them; every client is
 * disconnected on {@link #close()}.
 */
public final class TenantClients implements AutoCloseable {

    private final TestBroker broker;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    public TenantClients(TestBroker broker) {
        this.broker = broker;
    }

    /** @return a client that has not connected yet */
    public Mqtt5BlockingClient client(String clientId) {
        return client(clientId, null);
    }

    private Mqtt5BlockingClient client(String clientId, SubscriberInbox inbox) {
        Mqtt5ClientBuilder builder = Mqtt5Client.builder().identifier(clientId).serverHost(broker.host())
            .serverPort(broker.port());
        if (inbox != null) {
            builder.addDisconnectedListener(context -> {
                if (context.getCause() instanceof Mqtt5DisconnectException e) {
                    inbox.recordDisconnect(e.getMqttMessage().getReasonCode().getCode());
                }
            });
        }
        Mqtt5BlockingClient c = builder.buildBlocking();
        clients.add(c);
        return c;
    }

    /** @return a client connected with a user name and no password */
    public Mqtt5BlockingClient connected(String clientId, String username) {
        return connected(clientId, username, (String) null);
    }

    /** @param password the password, or null to send none */
    public Mqtt5BlockingClient connected(String clientId, String username, String password) {
        Mqtt5BlockingClient c = client(clientId);
        connect(c, username, password);
        return c;
    }

    /**
     * @return a connected client whose received PUBLISHes, and the reason code of a DISCONNECT from the
     *     broker, go to the inbox
     */
    public Mqtt5BlockingClient receiving(String clientId, String username, SubscriberInbox inbox) {
        Mqtt5BlockingClient c = client(clientId, inbox);
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox.hivemq());
        connect(c, username, null);
        return c;
    }

    private static void connect(Mqtt5BlockingClient c, String username, String password) {
        var auth = c.connectWith().cleanStart(true).simpleAuth().username(username);
        if (password != null) {
            auth.password(password.getBytes(StandardCharsets.UTF_8));
        }
        auth.applySimpleAuth().send();
    }

    /** @return the CONNACK reason code the broker refuses the client with; fails if it connects */
    public Mqtt5ConnAckReasonCode refusal(String clientId, String username, String password) {
        Mqtt5BlockingClient c = client(clientId);
        Mqtt5ConnAckException e = assertThrows(Mqtt5ConnAckException.class, () -> connect(c, username, password));
        return e.getMqttMessage().getReasonCode();
    }

    /** @return the SUBACK's reason codes, one per filter (QoS 1 asked), whether or not some are errors */
    public static List<Mqtt5SubAckReasonCode> subAck(Mqtt5BlockingClient c, String... filters) {
        var builder = c.subscribeWith().addSubscription().topicFilter(filters[0]).qos(MqttQos.AT_LEAST_ONCE)
            .applySubscription();
        for (int i = 1; i < filters.length; i++) {
            builder = builder.addSubscription().topicFilter(filters[i]).qos(MqttQos.AT_LEAST_ONCE).applySubscription();
        }
        try {
            return builder.send().getReasonCodes();
        } catch (Mqtt5SubAckException e) {
            return e.getMqttMessage().getReasonCodes();
        }
    }

    /** @return the PUBACK's reason code for a QoS 1 PUBLISH, whether or not it is an error */
    public static Mqtt5PubAckReasonCode pubAck(Mqtt5BlockingClient c, String topic, String payload) {
        try {
            Mqtt5PublishResult r = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    /** Publishes at QoS 0. */
    public static void publish(Mqtt5BlockingClient c, String topic, String payload) {
        c.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    @Override
    public void close() {
        for (Mqtt5BlockingClient c : clients) {
            try {
                if (c.getState().isConnected()) {
                    c.disconnect();
                }
            } catch (RuntimeException e) {
                // already gone: often what the test was about
            }
        }
        clients.clear();
    }
}
