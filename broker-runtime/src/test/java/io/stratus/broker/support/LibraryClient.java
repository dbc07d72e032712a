package io.stratus.broker.support;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One connected client of any of the client libraries on the test classpath behind the same small
 * interface, so that a test can run the same exchange with each of them. {@link #subscribe} returns
 * once the SUBACK granted the QoS; {@link #publish} returns once the library reports the publication
 * acknowledged (at once for QoS 0, at PUBACK for QoS 1; for QoS 2 at PUBCOMP with Paho and at PUBREC
 * with HiveMQ, whose future completes there). Received messages are collected in arrival order.
 */
public abstract class LibraryClient implements AutoCloseable {

    /** How long any single wait lasts before the test fails. */
    public static final long WAIT_SECONDS = 5;

    /** The client libraries and protocol versions. */
    public enum Library { PAHO_V3, PAHO_V5, HIVEMQ_V3, HIVEMQ_V5 }

    /** A message as the library handed it to the application. */
    public record Received(String topic, byte[] payload, int qos) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    protected final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();

    /** Connects a client with a clean session. */
    public static LibraryClient connect(Library library, TestBroker broker, String clientId) throws Exception {
        return switch (library) {
            case PAHO_V3 -> new PahoV3(broker, clientId);
            case PAHO_V5 -> new PahoV5(broker, clientId);
            case HIVEMQ_V3 -> new HiveMqV3(broker, clientId);
            case HIVEMQ_V5 -> new HiveMqV5(broker, clientId);
        };
    }

    /** Subscribes and fails unless the broker grants exactly {@code qos}. */
    public abstract void subscribe(String filter, int qos) throws Exception;

    /** Publishes and returns when the library reports the publication acknowledged. */
    public abstract void publish(String topic, byte[] payload, int qos) throws Exception;

    public void publish(String topic, String payload, int qos) throws Exception {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos);
    }

    /** @return the next message received; fails the test if none comes in time */
    public Received next() throws InterruptedException {
        Received r = inbox.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no message within " + WAIT_SECONDS + " s");
        }
        return r;
    }

    /** @return whatever has been received and not yet taken, without waiting */
    public List<Received> drain() {
        List<Received> all = new ArrayList<>();
        inbox.drainTo(all);
        return all;
    }

    private static void expectGranted(String library, int requested, int granted) {
        if (requested != granted) {
            throw new AssertionError(library + ": requested QoS " + requested + ", granted " + granted);
        }
    }

    private static final class PahoV3 extends LibraryClient {
        private final org.eclipse.paho.client.mqttv3.MqttClient client;

        PahoV3(TestBroker broker, String clientId) throws Exception {
            client = new org.eclipse.paho.client.mqttv3.MqttClient(broker.uri(), clientId,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            client.setTimeToWait(WAIT_SECONDS * 1000);
            client.connect(options);
        }

        @Override
        public void subscribe(String filter, int qos) throws Exception {
            IMqttToken token = client.subscribeWithResponse(filter, qos,
                (topic, m) -> inbox.add(new Received(topic, m.getPayload(), m.getQos())));
            expectGranted("Paho 3", qos, token.getGrantedQos()[0]);
        }

        @Override
        public void publish(String topic, byte[] payload, int qos) throws Exception {
            client.publish(topic, payload, qos, false);
        }

        @Override
        public void close() throws Exception {
            try {
                if (client.isConnected()) {
                    client.disconnect();
                }
            } finally {
                client.close();
            }
        }
    }

    private static final class PahoV5 extends LibraryClient {
        private final org.eclipse.paho.mqttv5.client.MqttClient client;

        PahoV5(TestBroker broker, String clientId) throws Exception {
            client = new org.eclipse.paho.mqttv5.client.MqttClient(broker.uri(), clientId, new MemoryPersistence());
            client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                @Override
                public void disconnected(MqttDisconnectResponse response) {
                }

                @Override
                public void mqttErrorOccurred(MqttException exception) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
                    inbox.add(new Received(topic, m.getPayload(), m.getQos()));
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverURI) {
                }

                @Override
                public void authPacketArrived(int reasonCode, MqttProperties properties) {
                }
            });
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            client.setTimeToWait(WAIT_SECONDS * 1000);
            client.connect(options);
        }

        @Override
        public void subscribe(String filter, int qos) throws Exception {
            org.eclipse.paho.mqttv5.client.IMqttToken token = client.subscribe(filter, qos);
            expectGranted("Paho 5", qos, token.getReasonCodes()[0]);
        }

        @Override
        public void publish(String topic, byte[] payload, int qos) throws Exception {
            client.publish(topic, payload, qos, false);
        }

        @Override
        public void close() throws Exception {
            try {
                if (client.isConnected()) {
                    client.disconnect();
                }
            } finally {
                client.close();
            }
        }
    }

    private static final class HiveMqV3 extends LibraryClient {
        private final Mqtt3AsyncClient client;

        HiveMqV3(TestBroker broker, String clientId) throws Exception {
            client = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost(broker.host()).serverPort(broker.port()).buildAsync();
            client.connectWith().cleanSession(true).send().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void subscribe(String filter, int qos) throws Exception {
            Mqtt3SubAck ack = client.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos))
                .callback(p -> inbox.add(new Received(p.getTopic().toString(), p.getPayloadAsBytes(),
                    p.getQos().getCode())))
                .send().get(WAIT_SECONDS, TimeUnit.SECONDS);
            expectGranted("HiveMQ 3", qos, ack.getReturnCodes().get(0).getCode());
        }

        @Override
        public void publish(String topic, byte[] payload, int qos) throws Exception {
            client.publishWith().topic(topic).payload(payload).qos(MqttQos.fromCode(qos)).send()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            if (client.getState().isConnected()) {
                client.disconnect().get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private static final class HiveMqV5 extends LibraryClient {
        private final Mqtt5AsyncClient client;

        HiveMqV5(TestBroker broker, String clientId) throws Exception {
            client = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost(broker.host()).serverPort(broker.port()).buildAsync();
            client.connectWith().cleanStart(true).send().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void subscribe(String filter, int qos) throws Exception {
            Mqtt5SubAck ack = client.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos))
                .callback(p -> inbox.add(new Received(p.getTopic().toString(), p.getPayloadAsBytes(),
                    p.getQos().getCode())))
                .send().get(WAIT_SECONDS, TimeUnit.SECONDS);
            expectGranted("HiveMQ 5", qos, ack.getReasonCodes().get(0).getCode());
        }

        @Override
        public void publish(String topic, byte[] payload, int qos) throws Exception {
            Mqtt5PublishResult result = client.publishWith().topic(topic).payload(payload)
                .qos(MqttQos.fromCode(qos)).send().get(WAIT_SECONDS, TimeUnit.SECONDS);
            if (result.getError().isPresent()) {
                throw new AssertionError("HiveMQ 5 publish failed", result.getError().get());
            }
        }

        @Override
        public void close() throws Exception {
            if (client.getState().isConnected()) {
                client.disconnect().get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }
}
