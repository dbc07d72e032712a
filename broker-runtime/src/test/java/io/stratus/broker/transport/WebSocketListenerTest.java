package io.stratus.broker.transport;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.stratus.broker.config.Transport;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.Clients;
import io.stratus.broker.support.LogCapture;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.TestPki;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.SocketFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MQTT over WebSocket and secure WebSocket, with real clients and with frames chosen by the test. */
class WebSocketListenerTest {

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @TempDir
    Path dir;

    @Test
    void pahoPublishesAndReceivesOverWebSocket() throws Exception {
        TestBroker broker = start(new ListenerSettings().listener("ws", "ws"));
        SubscriberInbox inbox = new SubscriberInbox();
        MqttClient client = paho("ws://127.0.0.1:" + broker.port("ws") + "/mqtt", "paho-ws", SocketFactory.getDefault());
        client.setCallback(inbox.pahoV3());

        client.subscribe("ws/#", 1);
        client.publish("ws/paho", "framed".getBytes(StandardCharsets.UTF_8), 1, false);

        assertEquals("framed", inbox.next().payload());
        TransportInfo info = broker.onlyConnection("ws");
        assertEquals(Transport.WS, info.transport());
        assertNull(info.tlsProtocol());
    }

    @Test
    void hivemqClientPublishesAndReceivesOverWebSocket() throws Exception {
        TestBroker broker = start(new ListenerSettings().listener("ws", "ws"));
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient client = fixture.clients().hivemqFrom(Mqtt5Client.builder().identifier("hivemq-ws")
            .serverHost("127.0.0.1").serverPort(broker.port("ws"))
            .webSocketConfig().serverPath("mqtt").applyWebSocketConfig());
        client.connect();
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox.hivemq());

        client.subscribeWith().topicFilter("ws/#").qos(MqttQos.AT_LEAST_ONCE).send();
        client.publishWith().topic("ws/hivemq").payload("framed".getBytes(StandardCharsets.UTF_8))
            .qos(MqttQos.AT_LEAST_ONCE).send();

        assertEquals("framed", inbox.next().payload());
        assertEquals(Transport.WS, broker.onlyConnection("ws").transport());
    }

    @Test
    void servesTheConfiguredPath() throws Exception {
        TestBroker broker = start(new ListenerSettings().listener("ws", "ws").set("ws", "ws.path", "/broker/mqtt"));

        MqttClient client = paho("ws://127.0.0.1:" + broker.port("ws") + "/broker/mqtt", "custom-path",
            SocketFactory.getDefault());

        assertEquals(Transport.WS, broker.onlyConnection("ws").transport());
        client.disconnect();
    }

    @Test
    void refusesAnotherPathWithNotFound() throws Exception {
        TestBroker broker = start(new ListenerSettings().listener("ws", "ws"));
        MqttClient wrongPath = fixture.clients().pahoV3("ws://127.0.0.1:" + broker.port("ws") + "/other", "lost");

        assertThrows(MqttException.class,
            () -> wrongPath.connect(Clients.pahoV3Options(SocketFactory.getDefault())));

        try (Socket socket = new Socket("127.0.0.1", broker.port("ws"))) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader response = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 404 Not Found", response.readLine());
        }
        assertEquals(List.of(), broker.connections("ws"));
    }

    @Test
    void aRequestForThePathWithoutAnUpgradeGetsBadRequest() throws Exception {
        TestBroker broker = start(new ListenerSettings().listener("ws", "ws"));
        try (LogCapture logs = new LogCapture(); Socket socket = new Socket("127.0.0.1", broker.port("ws"))) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));

            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

            assertTrue(response.startsWith("HTTP/1.1 400 Bad Request"), response);
            assertEquals(List.of(), logs.messages());
        }
    }

    @Test
    void pahoPublishesAndReceivesOverSecureWebSocket() throws Exception {
        TestPki.Authority ca = TestPki.authority("Stratus WSS CA");
        TestPki.PemFiles files = ca.server().writeTo(dir.resolve("server.crt"), dir.resolve("server.key"));
        TestBroker broker = start(new ListenerSettings().listener("wss", "wss", files));
        SubscriberInbox inbox = new SubscriberInbox();
        MqttClient client = paho("wss://127.0.0.1:" + broker.port("wss") + "/mqtt", "paho-wss",
            ca.socketFactory(null));
        client.setCallback(inbox.pahoV3());

        client.subscribe("wss/#", 1);
        client.publish("wss/paho", "encrypted frames".getBytes(StandardCharsets.UTF_8), 1, false);

        assertEquals("encrypted frames", inbox.next().payload());
        TransportInfo info = broker.onlyConnection("wss");
        assertEquals(Transport.WSS, info.transport());
        assertNotNull(info.tlsProtocol());
    }

    @Test
    void packetsNeedNotLineUpWithFrames() throws Exception {
        TestBroker broker = start(new ListenerSettings().listener("ws", "ws"));
        try (LogCapture logs = new LogCapture();
             WebSocketTestClient client = new WebSocketTestClient(uri(broker))) {
            byte[] connect = Packets.connect(4, "framed");

            // [MQTT-6.0.0-2] one packet across two frames
            client.sendFrames(Arrays.copyOfRange(connect, 0, 5), Arrays.copyOfRange(connect, 5, connect.length));
            assertEquals(Packets.CONNACK, client.readPacket()[0] & 0xFF);

            // one packet across the fragments of one message
            byte[] subscribe = Packets.subscribe(false, 1, "frames/#", 1);
            client.sendFragmented(Arrays.copyOfRange(subscribe, 0, 3), Arrays.copyOfRange(subscribe, 3, subscribe.length));
            assertEquals(Packets.SUBACK, client.readPacket()[0] & 0xFF);

            // two packets in one frame
            byte[] publish = Packets.publish311(0, 0, "frames/both", "together");
            client.sendFrames(Packets.concat(publish, Packets.hex("c0 00")));
            assertArrayEquals(publish, client.readPacket());
            assertArrayEquals(Packets.hex("d0 00"), client.readPacket());
            assertEquals(List.of(), logs.messages());
        }
    }

    @Test
    void aTextFrameEndsTheConnection() throws Exception {
        TestBroker broker = start(new ListenerSettings().listener("ws", "ws"));
        try (WebSocketTestClient client = new WebSocketTestClient(uri(broker))) {
            client.sendFrames(Packets.connect(4, "texter"));
            assertEquals(Packets.CONNACK, client.readPacket()[0] & 0xFF);

            client.send(new TextWebSocketFrame("10 0d 00 04 4d 51 54 54"));

            // [MQTT-6.0.0-1] MQTT travels in binary frames only
            assertEquals(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(), client.awaitClose());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private TestBroker start(ListenerSettings settings) throws Exception {
        return fixture.start(settings.load()).broker();
    }

    private static URI uri(TestBroker broker) {
        return URI.create("ws://127.0.0.1:" + broker.port("ws") + "/mqtt");
    }

    private MqttClient paho(String uri, String clientId, SocketFactory factory) throws MqttException {
        MqttClient client = fixture.clients().pahoV3(uri, clientId);
        client.connect(Clients.pahoV3Options(factory));
        return client;
    }
}
