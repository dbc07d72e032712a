package io.stratus.broker.support;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Collects what a Paho 5 client receives and how it was disconnected, for tests to wait on. */
public final class Paho5Inbox implements MqttCallback {

    /** One received message. */
    public record Received(String topic, MqttMessage message) {
    }

    private final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<MqttDisconnectResponse> disconnects = new LinkedBlockingQueue<>();

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        disconnects.add(response);
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        messages.add(new Received(topic, message));
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }

    /** @return the next message, or null if none arrives within five seconds */
    public Received next() throws InterruptedException {
        return messages.poll(5, TimeUnit.SECONDS);
    }

    /** @return how the broker disconnected the client, or null if it did not within five seconds */
    public MqttDisconnectResponse nextDisconnect() throws InterruptedException {
        return disconnects.poll(5, TimeUnit.SECONDS);
    }
}
