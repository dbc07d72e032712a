package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.stratus.broker.support.Packets.Connect;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.PacketReader;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.EOFException;
import java.io.IOException;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keep alive: silent clients are cut off, pinging ones are not, and 5.0 clients are told the limit. */
class KeepAliveTest {

    private static final int MAX_KEEP_ALIVE = 30;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    private void start(int maxKeepAliveSeconds) throws Exception {
        fixture.start(LimitsBuilder.with(l -> l.maxKeepAliveSeconds(maxKeepAliveSeconds)));
    }

    @Test
    void closesMqtt311ClientThatFallsSilentForOneAndAHalfKeepAlives() throws Exception {
        start(MAX_KEEP_ALIVE);
        RawClient raw = fixture.clients().raw();
        raw.send(Connect.v311("silent").keepAlive(1).bytes());
        assertEquals("20020000", raw.readPacketHex());
        long connected = System.nanoTime();

        assertThrows(EOFException.class, raw::readPacket); // closed without a word: 3.1.1 has no DISCONNECT

        // [MQTT-3.1.2-24] one and a half times the keep alive: 1.5 s, not before 1 s nor much after
        assertClosedAfterOneAndAHalfSeconds(connected);
    }

    @Test
    void disconnectsMqtt5ClientThatFallsSilentWithKeepAliveTimeout() throws Exception {
        start(MAX_KEEP_ALIVE);
        RawClient raw = fixture.clients().raw();
        raw.send(Connect.v5("silent").keepAlive(1).bytes());
        assertEquals(0x00, PacketReader.connAckCode(raw.readPacket()));
        long connected = System.nanoTime();

        // [MQTT-3.1.2-22] (5.0) DISCONNECT 0x8D (keep alive timeout), then close
        assertEquals(0x8D, PacketReader.disconnectCode(raw.readPacket()));
        assertThrows(EOFException.class, raw::readPacket);
        assertClosedAfterOneAndAHalfSeconds(connected);
    }

    @Test
    void answersPingreqWithPingresp() throws Exception {
        start(MAX_KEEP_ALIVE);
        RawClient raw = fixture.clients().raw();
        raw.send(Connect.v311("pinger").keepAlive(MAX_KEEP_ALIVE).bytes());
        assertEquals("20020000", raw.readPacketHex());

        raw.send("c0 00");

        assertEquals("d000", raw.readPacketHex()); // [MQTT-3.12.4-1]
    }

    @Test
    void keepsClientThatPingsWithinItsKeepAliveConnected() throws Exception {
        start(MAX_KEEP_ALIVE);
        RawClient raw = fixture.clients().raw();
        raw.send(Connect.v311("pinger").keepAlive(1).bytes());
        assertEquals("20020000", raw.readPacketHex());
        long connected = System.nanoTime();
        ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
        try {
            // a PINGREQ every 450 ms: the client is never silent for the 1.5 s that would end it
            pinger.scheduleAtFixedRate(() -> {
                try {
                    raw.send("c0 00");
                } catch (IOException closed) {
                    throw new IllegalStateException(closed); // ends the schedule; the read below fails
                }
            }, 450, 450, TimeUnit.MILLISECONDS);

            for (int i = 0; i < 4; i++) {
                assertEquals("d000", raw.readPacketHex(), "PINGRESP " + i);
            }
        } finally {
            pinger.shutdownNow();
        }

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connected);
        assertTrue(elapsedMillis >= 1800, "still connected well past 1.5 s: " + elapsedMillis + " ms");
    }

    @Test
    void grantsTheMaximumAsServerKeepAliveToMqtt5ClientAskingForNone() throws Exception {
        start(MAX_KEEP_ALIVE);
        Mqtt5BlockingClient client = fixture.clients().hivemq("no-keep-alive");

        Mqtt5ConnAck ack = client.connectWith().keepAlive(0).send();

        // [MQTT-3.2.2-21] the client must use the Server Keep Alive instead of its own
        assertEquals(OptionalInt.of(MAX_KEEP_ALIVE), ack.getServerKeepAlive());
    }

    @Test
    void grantsTheMaximumAsServerKeepAliveToMqtt5ClientAskingForMore() throws Exception {
        start(MAX_KEEP_ALIVE);
        Mqtt5BlockingClient client = fixture.clients().hivemq("long-keep-alive");

        Mqtt5ConnAck ack = client.connectWith().keepAlive(MAX_KEEP_ALIVE * 2).send();

        assertEquals(OptionalInt.of(MAX_KEEP_ALIVE), ack.getServerKeepAlive()); // [MQTT-3.2.2-21]
    }

    @Test
    void keepsTheKeepAliveOfAnMqtt5ClientWithinTheMaximum() throws Exception {
        start(MAX_KEEP_ALIVE);
        Mqtt5BlockingClient client = fixture.clients().hivemq("modest-keep-alive");

        Mqtt5ConnAck ack = client.connectWith().keepAlive(MAX_KEEP_ALIVE - 10).send();

        assertEquals(OptionalInt.empty(), ack.getServerKeepAlive(), "no Server Keep Alive: the client's own applies");
    }

    @Test
    void enforcesTheServerKeepAliveItGranted() throws Exception {
        start(1);
        RawClient raw = fixture.clients().raw();
        raw.send(Connect.v5("granted").keepAlive(0).bytes());
        assertEquals(0x00, PacketReader.connAckCode(raw.readPacket()));
        long connected = System.nanoTime();

        // the client asked for no keep alive but was granted 1 s: silence ends it all the same
        assertEquals(0x8D, PacketReader.disconnectCode(raw.readPacket()));
        assertClosedAfterOneAndAHalfSeconds(connected);
    }

    @Test
    void refusesMqtt311ClientWithKeepAliveAboveTheMaximum() throws Exception {
        start(MAX_KEEP_ALIVE);
        RawClient raw = fixture.clients().raw();

        raw.send(Connect.v311("too-long").keepAlive(MAX_KEEP_ALIVE + 1).bytes());

        // 3.1.1 cannot tell the client another keep alive; refused with 0x02 as other brokers do
        assertEquals("20020002", raw.readPacketHex());
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void refusesPahoMqtt311ClientWithKeepAliveAboveTheMaximum() throws Exception {
        start(MAX_KEEP_ALIVE);
        MqttClient client = fixture.clients().pahoV3("too-long");
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setKeepAliveInterval(MAX_KEEP_ALIVE * 2);
        MqttClient modest = fixture.clients().pahoV3("modest");
        MqttConnectOptions modestOptions = new MqttConnectOptions();
        modestOptions.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        modestOptions.setKeepAliveInterval(MAX_KEEP_ALIVE);

        MqttException refused = assertThrows(MqttException.class, () -> client.connect(options));
        modest.connect(modestOptions);

        assertEquals(MqttException.REASON_CODE_INVALID_CLIENT_ID, refused.getReasonCode());
        assertTrue(modest.isConnected(), "a keep alive of exactly the maximum is accepted");
    }

    private static void assertClosedAfterOneAndAHalfSeconds(long connectedNanos) {
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectedNanos);
        assertTrue(elapsedMillis >= 1000, "closed after only " + elapsedMillis + " ms");
        assertTrue(elapsedMillis < 4000, "closed only after " + elapsedMillis + " ms");
    }
}
