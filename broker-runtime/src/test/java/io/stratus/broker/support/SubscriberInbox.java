package io.stratus.broker.support;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The messages one subscribing client receives, in arrival order, whichever client library it uses.
 * Tests wait on it with a bounded timeout instead of sleeping.
 */
public final class SubscriberInbox {

    /** How long a test waits for a message that must come. */
    public static final long WAIT_SECONDS = 5;

    /**
     * One received PUBLISH as the client library reported it.
     *
     * @param subscriptionIds the Subscription Identifiers it carried (5.0 clients that expose them; empty otherwise)
     */
    public record Received(String topic, String payload, int qos, boolean retain, List<Integer> subscriptionIds) {
    }

    private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();
    private final BlockingQueue<Integer> disconnects = new LinkedBlockingQueue<>();
    private final BlockingQueue<org.eclipse.paho.mqttv5.common.MqttMessage> pahoV5Messages = new LinkedBlockingQueue<>();
    private final CountDownLatch connectionLost = new CountDownLatch(1);

    private volatile SubscriberInbox copyTo;

    /**
     * Sends a copy of everything this inbox receives to another one as well, so that a test can wait
     * for the messages of several clients together (a shared subscription's members) and still tell
     * which client got which.
     *
     * @return this inbox
     */
    public SubscriberInbox alsoTo(SubscriberInbox combined) {
        copyTo = combined;
        return this;
    }

    public void add(Received received) {
        queue.add(received);
        SubscriberInbox combined = copyTo;
        if (combined != null) {
            combined.add(received);
        }
    }

    /** @return the next message; fails the test if none arrives within {@link #WAIT_SECONDS} */
    public Received next() throws InterruptedException {
        Received r = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (r == null) {
            fail("no message arrived within " + WAIT_SECONDS + " s");
        }
        return r;
    }

    /** @return the next {@code n} messages; fails the test if they do not all arrive in time */
    public List<Received> next(int n) throws InterruptedException {
        List<Received> all = new ArrayList<>(n);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (all.size() < n) {
            Received r = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (r == null) {
                fail("only " + all.size() + " of " + n + " messages arrived within " + WAIT_SECONDS + " s"
                    + (all.isEmpty() ? "" : "; the last: " + all.get(all.size() - 1)));
            }
            all.add(r);
        }
        return all;
    }

    /**
     * Reads up to and including the first message with the marker payload.
     *
     * @return the messages that came before the marker; fails the test if the marker does not arrive
     */
    public List<Received> until(String markerPayload) throws InterruptedException {
        List<Received> before = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            Received r = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (r == null) {
                fail("marker '" + markerPayload + "' did not arrive within " + WAIT_SECONDS + " s; got " + before);
            }
            if (r.payload().equals(markerPayload)) {
                return before;
            }
            before.add(r);
        }
    }

    /**
     * Reads until a message satisfies the condition, discarding the others.
     *
     * @return that message; fails the test naming {@code what} if none arrives within {@link #WAIT_SECONDS}
     */
    public Received awaitMatching(String what, Predicate<Received> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            Received r = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (r == null) {
                fail("no message within " + WAIT_SECONDS + " s: " + what);
            }
            if (condition.test(r)) {
                return r;
            }
        }
    }

    /** @return the next message if one arrives within the timeout, else null */
    public Received poll(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
    }

    /** @return everything received so far and not yet taken, without waiting */
    public List<Received> drain() {
        List<Received> all = new ArrayList<>();
        queue.drainTo(all);
        return all;
    }

    // ---- adapters for the client libraries -----------------------------------------------------

    /** @return a Paho 3 callback that records every message */
    public org.eclipse.paho.client.mqttv3.MqttCallback pahoV3() {
        return new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                connectionLost.countDown();
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos(),
                    message.isRetained(), List.of()));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        };
    }

    /**
     * @return a Paho 5 callback that records every message with its subscription identifiers, and the
     *     reason code of a DISCONNECT from the broker
     */
    public org.eclipse.paho.mqttv5.client.MqttCallback pahoV5() {
        return new org.eclipse.paho.mqttv5.client.MqttCallback() {
            @Override
            public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {
                disconnects.add(response.getReturnCode());
            }

            @Override
            public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
                org.eclipse.paho.mqttv5.common.packet.MqttProperties props = message.getProperties();
                List<Integer> ids = props == null || props.getSubscriptionIdentifiers() == null ? List.of()
                    : List.copyOf(props.getSubscriptionIdentifiers());
                pahoV5Messages.add(message);
                add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos(),
                    message.isRetained(), ids));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
            }
        };
    }

    /** Records the reason code of a DISCONNECT the broker sent (5.0 clients). */
    public void recordDisconnect(int reasonCode) {
        disconnects.add(reasonCode);
    }

    /** @return the reason code of the broker's DISCONNECT; fails the test if none arrives in time */
    public int nextDisconnectReason() throws InterruptedException {
        Integer code = disconnects.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (code == null) {
            fail("no DISCONNECT from the broker within " + WAIT_SECONDS + " s");
        }
        return code;
    }

    /** @return the reason code of the broker's DISCONNECT, or null if none arrives in time */
    public Integer awaitDisconnectReason() throws InterruptedException {
        return disconnects.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** @return true if a Paho 3 client lost its connection within {@link #WAIT_SECONDS} */
    public boolean awaitConnectionLost() throws InterruptedException {
        return connectionLost.await(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * @return the next message a Paho 5 client received, as the library handed it over (with all its
     *     properties), or null if none arrives within {@link #WAIT_SECONDS}
     */
    public org.eclipse.paho.mqttv5.common.MqttMessage nextPahoV5Message() throws InterruptedException {
        return pahoV5Messages.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** @return a HiveMQ client consumer that records every message */
    public Consumer<Mqtt5Publish> hivemq() {
        return p -> add(new Received(p.getTopic().toString(), new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8),
            p.getQos().getCode(), p.isRetain(), List.of()));
    }
}
