package io.stratus.broker.robustness;

import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.Flood;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.PacketReader.Packet;
import io.stratus.broker.support.Packets.Connect;
import io.stratus.broker.support.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections that fall silent without closing, a thousand at once. Over loopback a peer cannot
 * vanish without its kernel saying so, but to the broker a client that keeps its socket open and
 * sends nothing is the same as a half-open connection whose peer is gone, and that is what these
 * clients do: half never send CONNECT (the connect timeout reaps them), half connect with a keep
 * alive and a will and then say nothing (one and a half keep alives reap them, and their wills go
 * out). Afterwards the broker holds nothing for any of them. A silent 5.0 client that also stopped
 * reading is reaped too, though the DISCONNECT meant for it cannot get out. {@code protocol.ConnectTest},
 * {@code KeepAliveTest} and {@code WillTest} cover one connection of each kind.
 */
class HalfOpenConnectionTest {

    private static final int EACH = 500;
    private static final long KEEP_ALIVE_MILLIS = 1000;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @Test
    void reapsAThousandSilentConnectionsAndPublishesTheWillsOfThoseThatHadConnected() throws Exception {
        // given: a connect timeout of 1 s, and a watcher of wills
        fixture.start(LimitsBuilder.with(l -> l.connectTimeoutSeconds(1)));
        RawClient watcher = fixture.clients().raw(4, "watcher");
        PacketReader.subscribeAndExpectGranted(watcher, false, 1, "will/#", 0);

        // when: 500 connections that never send CONNECT, and 500 that connect with a keep alive of 1 s
        // and a will, then send nothing more
        List<RawClient> silent = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            silent.add(fixture.clients().raw());
        }
        long firstConnectSent = System.nanoTime();
        List<RawClient> quiet = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            RawClient c = fixture.clients().raw();
            c.send(Connect.v311("quiet-" + i).keepAlive((int) (KEEP_ALIVE_MILLIS / 1000))
                .will("will/quiet-" + i, "gone", 0, false).bytes());
            quiet.add(c);
        }
        for (RawClient c : quiet) {
            assertEquals(0, PacketReader.connAckCode(c.readPacket()));
        }

        // then: the will of every connected one arrives, none sooner than one and a half keep alives
        // after the first CONNECT [MQTT-3.1.2-24]
        Set<String> wills = new HashSet<>();
        long firstWill = 0;
        while (wills.size() < EACH) {
            Packet will = PacketReader.expectPublish(watcher, false);
            firstWill = firstWill == 0 ? System.nanoTime() : firstWill;
            assertTrue(wills.add(will.topic()), "one will each: " + will.topic());
        }
        long firstWillMillis = TimeUnit.NANOSECONDS.toMillis(firstWill - firstConnectSent);
        assertTrue(firstWillMillis >= KEEP_ALIVE_MILLIS * 3 / 2 - 50, "first will after " + firstWillMillis + " ms");
        assertEquals(EACH, fixture.broker().metrics().willsPublished.sum());
        // every connection, connected or not, has been closed by the broker
        for (RawClient c : silent) {
            assertTrue(c.closedByBroker(), "closed at the connect timeout");
        }
        for (RawClient c : quiet) {
            assertTrue(c.closedByBroker(), "closed at the keep alive timeout");
        }
        // and the broker holds no connection but the watcher's (no packet tells when it has let go)
        Eventually.await(Duration.ofSeconds(5), "only the watcher's connection left",
            () -> fixture.broker().connectionCount() == 1 && fixture.broker().metrics().clientsConnected.get() == 1);
        assertEquals(1, fixture.broker().defaultTenant().sessions().size(), "the quiet ones' clean sessions ended");
    }

    @Test
    void closesASilentMqtt5ClientThatStoppedReadingThoughItsDisconnectCannotGetOut() throws Exception {
        // given: no slow-consumer timer and room in the queue for everything, so only the keep alive
        // can end it; a 5.0 client with a keep alive of 1 s and a will, which stops reading and sending
        // once subscribed
        fixture.start(LimitsBuilder.with(l -> l.slowConsumerTimeoutSeconds(0).maxQueuedBytes(64L * 1024 * 1024)));
        RawClient watcher = fixture.clients().raw(4, "watcher");
        PacketReader.subscribeAndExpectGranted(watcher, false, 1, "will/#", 0);
        RawClient silent = fixture.clients().rawWithReceiveBuffer(4096);
        silent.send(Connect.v5("silent").keepAlive(1).will("will/silent", "gone", 0, false).bytes());
        PacketReader.expectConnAck(silent, true);
        PacketReader.subscribeAndExpectGranted(silent, true, 1, "fill", 0);

        // when: more arrives for it than its socket buffers and its connection's 1 MiB high-water mark
        // hold, so the DISCONNECT 0x8D (keep alive timeout) has to wait behind what it does not read
        Flood.publishQos0(fixture.clients().raw(4, "publisher"), "fill", 4000, 4096);

        // then: the broker ends the connection all the same, and its will goes out
        Packet will = PacketReader.expectPublish(watcher, false);
        assertEquals("will/silent", will.topic());
        Eventually.await(Duration.ofSeconds(10), "the silent client's connection closed",
            () -> fixture.broker().connectionCount() == 2);
        assertTrue(silent.closedByBroker());
    }
}
