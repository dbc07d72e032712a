package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code broker.close()}: what connected clients see and what happens to messages already accepted. */
class GracefulShutdownTest {

    private static final long TIMEOUT = 5000;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @BeforeEach
    void startBroker() throws Exception {
        fixture.start();
    }

    @Test
    void tellsMqtt5ClientsTheServerIsShuttingDown() throws Exception {
        // given
        SubscriberInbox hivemq = new SubscriberInbox();
        fixture.clients().hivemq("shutdown-hivemq", hivemq);
        SubscriberInbox paho = new SubscriberInbox();
        fixture.clients().pahoV5("shutdown-paho5", paho);
        RawClient raw = fixture.clients().raw(5, "shutdown-raw5");

        // when
        fixture.broker().close();

        // then: DISCONNECT 0x8B Server shutting down [MQTT-4.13.2-1]
        assertEquals(0x8B, hivemq.nextDisconnectReason());
        assertEquals(0x8B, paho.nextDisconnectReason());
        assertEquals(0x8B, PacketReader.disconnectCode(raw.readPacket()));
        assertTrue(raw.closedByBroker());
    }

    @Test
    void closesV311ConnectionsWithoutADisconnectPacket() throws Exception {
        // given
        RawClient raw = fixture.clients().raw(4, "shutdown-raw311");

        // when
        fixture.broker().close();

        // then: 3.1.1 has no server DISCONNECT; the connection just ends
        assertThrows(EOFException.class, raw::readPacket);
    }

    @Test
    void deliversEveryAcknowledgedQos1MessageBeforeClosingTheSubscribersConnection() throws Exception {
        // given: an online subscriber that takes 5 unacknowledged messages at a time, so that most of
        // the 200 are still queued for it in the broker when close() starts
        SubscriberInbox inbox = new SubscriberInbox();
        fixture.clients().hivemq("drain-sub", inbox, 5).subscribeWith().topicFilter("drain/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5AsyncClient publisher = fixture.clients().hivemq("drain-pub", new SubscriberInbox()).toAsync();
        int n = 200;
        List<CompletableFuture<?>> acks = new ArrayList<>();
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < n; i++) {
            sent.add("m-" + i);
            acks.add(publisher.publishWith().topic("drain/" + (i % 7)).payload(("m-" + i).getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send());
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(TIMEOUT, TimeUnit.MILLISECONDS);

        // when: every PUBACK has reached the publisher
        fixture.broker().close();

        // then: the subscriber got all of them before its connection closed
        Set<String> received = inbox.next(n).stream().map(SubscriberInbox.Received::payload).collect(Collectors.toSet());
        assertEquals(sent, received);
        assertEquals(0x8B, inbox.nextDisconnectReason());
    }

    @Test
    void deliversEveryAcknowledgedQos1MessageToAV311SubscriberBeforeClosing() throws Exception {
        // given: a broker that sends 5 QoS 1 messages at a time before it waits for PUBACKs
        fixture.clients().close();
        fixture.broker().close();
        fixture.start(l -> new LimitsConfig(l.maxPacketSize(), l.maxTopicLength(), l.maxTopicLevels(),
            l.maxClientIdLength(), l.receiveMaximum(), 5, l.maxQueuedMessages(), l.maxQueuedBytes(),
            l.maxConnections(), l.maxKeepAliveSeconds(), l.topicAliasMaximum(), l.maxSessionExpirySeconds(),
            l.maxSubscriptionsPerClient(), l.connectTimeoutSeconds(), l.slowConsumerTimeoutSeconds()));
        SubscriberInbox inbox = new SubscriberInbox();
        MqttClient subscriber = fixture.clients().pahoV3("drain-sub-311", inbox);
        subscriber.subscribe("drain/#", 1);
        Mqtt5AsyncClient publisher = fixture.clients().hivemq("drain-pub-311", new SubscriberInbox()).toAsync();
        int n = 200;
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            acks.add(publisher.publishWith().topic("drain/x").payload(("m-" + i).getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send());
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(TIMEOUT, TimeUnit.MILLISECONDS);

        // when
        fixture.broker().close();

        // then
        assertEquals(n, inbox.next(n).stream().map(SubscriberInbox.Received::payload).distinct().count());
    }

    @Test
    void refusesNewConnectionsOnceClosingHasStarted() throws Exception {
        // given: a connected 5.0 client, and a socket that is open but has not sent CONNECT yet
        SubscriberInbox inbox = new SubscriberInbox();
        fixture.clients().hivemq("already-connected", inbox);
        RawClient early = fixture.clients().raw();
        int port = fixture.broker().port();

        // when: close runs in the background; its DISCONNECT to the connected client shows it has started
        CompletableFuture<Void> closing = CompletableFuture.runAsync(fixture.broker()::close);
        assertEquals(0x8B, inbox.nextDisconnectReason());

        // then: the listener no longer accepts connections
        assertThrows(ConnectException.class, () -> new Socket(fixture.broker().host(), port).close());
        // and the early socket is not let in either: closed, or refused with 0x8B
        assertTrue(refusedOrClosed(early));
        closing.get(TIMEOUT, TimeUnit.MILLISECONDS);
    }

    @Test
    void takesOnlyAcknowledgementsOnceClosingHasStarted() throws Exception {
        // given: a 5.0 subscriber holding one unacknowledged QoS 1 message, which close() waits for
        RawClient holder = fixture.clients().raw(5, "holder");
        holder.send(Packets.subscribe(5, 1, -1, "held/t", 1));
        holder.readPacket();
        SubscriberInbox watcherInbox = new SubscriberInbox();
        fixture.clients().hivemq("watcher", watcherInbox).publishWith().topic("held/t")
            .payload("held".getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE).send();
        PacketReader.Publish held = PacketReader.parsePublish(5, holder.readPacket());

        // when: close starts (the watcher, owed nothing, is told at once) and the holder publishes,
        // then acknowledges what it holds
        CompletableFuture<Void> closing = CompletableFuture.runAsync(fixture.broker()::close);
        assertEquals(0x8B, watcherInbox.nextDisconnectReason());
        holder.send(Packets.publish(5, "held/t", 1, false, 9, "too late"));
        holder.send(Packets.pubAck(held.packetId()));

        // then: the late PUBLISH gets neither a PUBACK nor delivered (the holder subscribes to its
        // topic), and the acknowledgement lets the broker end the connection
        assertEquals(0x8B, PacketReader.disconnectCode(holder.readPacket()));
        closing.get(TIMEOUT, TimeUnit.MILLISECONDS);
    }

    private static boolean refusedOrClosed(RawClient client) {
        try {
            client.send(Packets.connect(5, "too-late"));
            return PacketReader.connAckCode(client.readPacket()) == 0x8B;
        } catch (IOException e) {
            return true; // closed by the broker (end of stream or reset)
        }
    }
}
