package io.stratus.broker.support;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttMessage;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Collects what a Paho 3 client receives, for tests to wait on with a timeout. */
public final class Paho3Inbox implements MqttCallback {

    /** One received message. */
    public record Received(String topic, String payload, int qos, boolean retained, boolean duplicate) {
    }

    private final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    private final CountDownLatch lost = new CountDownLatch(1);

    @Override
    public void connectionLost(Throwable cause) {
        lost.countDown();
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        messages.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos(),
            message.isRetained(), message.isDuplicate()));
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }

    /** @return the next message, or null if none arrives within five seconds */
    public Received next() throws InterruptedException {
        return messages.poll(5, TimeUnit.SECONDS);
    }

    /** @return a message already received and not yet taken, or null */
    public Received nextIfAny() {
        return messages.poll();
    }

    /** @return true if the connection was lost within five seconds */
    public boolean awaitConnectionLost() throws InterruptedException {
        return lost.await(5, TimeUnit.SECONDS);
    }
}
