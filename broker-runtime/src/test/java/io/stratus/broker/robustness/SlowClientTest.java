package io.stratus.broker.robustness;

import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that send their CONNECT a byte at a time, two hundred at once. The connect timeout is an
 * absolute deadline from the moment a connection opens: a trickled CONNECT is accepted if its last
 * byte arrives in time, whatever its pace, and the connection is closed at the deadline otherwise,
 * however recently its last byte came. Meanwhile the broker goes on serving its other clients.
 * ({@code protocol.ConnectTest} covers one connection that sends nothing or trickles too slowly.)
 *
 * <p>All the trickling connections are driven from the test's thread through one NIO selector,
 * which also notes the moment each one is closed, so the deadlines are measured, not slept through.
 */
class SlowClientTest {

    private static final int CONNECT_TIMEOUT_SECONDS = 2;
    private static final long TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(CONNECT_TIMEOUT_SECONDS);
    private static final int CLIENTS_PER_GROUP = 100;
    /** One byte per connection at this interval: a 22-byte CONNECT takes 0.7 s, a 112-byte one 3.4 s. */
    private static final long BYTE_INTERVAL_MILLIS = 30;
    /** How long the whole exchange may take before the test gives up on it. */
    private static final long LOOP_BOUND_MILLIS = 15_000;
    private static final String CONNACK_ACCEPTED = "20020000";
    private static final String PINGRESP = "d000";

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @Test
    void acceptsTrickledConnectsThatCompleteInTimeAndClosesTheOthersAtTheirDeadline() throws Exception {
        // given: a 2 s connect timeout and a connected bystander
        fixture.start(LimitsBuilder.with(l -> l.connectTimeoutSeconds(CONNECT_TIMEOUT_SECONDS)));
        RawClient bystander = fixture.clients().raw(4, "bystander");
        InetSocketAddress broker = new InetSocketAddress(fixture.broker().host(), fixture.broker().port());

        try (Selector selector = Selector.open()) {
            // 100 connections whose CONNECT (22 bytes) will be complete after 0.7 s, then 100 whose
            // CONNECT (112 bytes) would take 3.4 s; all open within a few milliseconds
            List<Trickle> inTime = new ArrayList<>();
            List<Trickle> tooSlow = new ArrayList<>();
            for (int i = 0; i < CLIENTS_PER_GROUP; i++) {
                inTime.add(new Trickle(broker, selector, String.format("in-time-%03d", i)));
            }
            for (int i = 0; i < CLIENTS_PER_GROUP; i++) {
                tooSlow.add(new Trickle(broker, selector, String.format("too-slow-%03d-", i) + "x".repeat(86)));
            }
            List<Trickle> all = new ArrayList<>(inTime);
            all.addAll(tooSlow);

            // when: each sends one byte every 30 ms until done or closed
            long started = System.nanoTime();
            boolean bystanderAnswered = false;
            long nextByte = started;
            while (!(inTime.stream().allMatch(t -> t.received().equals(CONNACK_ACCEPTED))
                && tooSlow.stream().allMatch(Trickle::isClosed))) {
                long now = System.nanoTime();
                assertTrue(now - started < TimeUnit.MILLISECONDS.toNanos(LOOP_BOUND_MILLIS),
                    "not settled within " + LOOP_BOUND_MILLIS + " ms");
                if (now >= nextByte) {
                    all.forEach(Trickle::sendNextByte);
                    nextByte += TimeUnit.MILLISECONDS.toNanos(BYTE_INTERVAL_MILLIS);
                }
                if (!bystanderAnswered && now - started > TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS / 2)) {
                    // halfway: the broker answers a connected client at once
                    bystander.send("c0 00");
                    assertEquals(PINGRESP, bystander.readPacketHex());
                    bystanderAnswered = true;
                }
                pump(selector, Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextByte - System.nanoTime())));
            }

            // then: each slow one was closed at its deadline, while it was still sending, never answered
            for (Trickle t : tooSlow) {
                long lived = t.livedMillis();
                assertTrue(lived >= TIMEOUT_MILLIS - 100, t + " closed early, after " + lived + " ms");
                assertTrue(lived < TIMEOUT_MILLIS + 1500, t + " closed late, after " + lived + " ms");
                assertTrue(t.sent < t.connect.length, t + " was cut off before its CONNECT was complete");
                assertEquals("", t.received(), t + " got no CONNACK");
            }
            // and the deadlines of the accepted ones, which opened first, have all passed: they are
            // still connected (the deadline went with their CONNECT)
            inTime.forEach(t -> t.send(Packets.hex("c0 00")));
            awaitAll(selector, "PINGRESP on every accepted connection",
                () -> inTime.stream().allMatch(t -> t.received().equals(CONNACK_ACCEPTED + PINGRESP)));
            assertTrue(bystanderAnswered);
            all.forEach(Trickle::close);
        }
    }

    /** Reads what has arrived on any connection, waiting up to the given time for something to. */
    private static void pump(Selector selector, long waitMillis) throws IOException {
        selector.select(waitMillis);
        for (SelectionKey key : selector.selectedKeys()) {
            ((Trickle) key.attachment()).read();
        }
        selector.selectedKeys().clear();
    }

    private static void awaitAll(Selector selector, String what, BooleanSupplier done) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOOP_BOUND_MILLIS);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within " + LOOP_BOUND_MILLIS + " ms: " + what);
            pump(selector, 100);
        }
    }

    /** One non-blocking connection that trickles its CONNECT and keeps what it receives. */
    private static final class Trickle {
        final String clientId;
        final byte[] connect;
        final SocketChannel channel;
        final long openedNanos;
        final ByteBuffer in = ByteBuffer.allocate(64);
        int sent;
        long closedNanos = -1;

        Trickle(InetSocketAddress broker, Selector selector, String clientId) throws IOException {
            this.clientId = clientId;
            this.connect = Packets.connect311(clientId, true);
            this.channel = SocketChannel.open(broker);
            this.openedNanos = System.nanoTime();
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, this);
        }

        void sendNextByte() {
            if (!isClosed() && sent < connect.length) {
                sent += send(new byte[] {connect[sent]});
            }
        }

        /** @return how many bytes went (a byte or two always fit an idle socket's buffer) */
        int send(byte[] bytes) {
            try {
                return channel.write(ByteBuffer.wrap(bytes));
            } catch (IOException reset) {
                markClosed();
                return 0;
            }
        }

        void read() {
            try {
                if (channel.read(in) < 0) {
                    markClosed();
                }
            } catch (IOException reset) {
                markClosed();
            }
        }

        private void markClosed() {
            if (closedNanos < 0) {
                closedNanos = System.nanoTime();
                close();
            }
        }

        boolean isClosed() {
            return closedNanos >= 0;
        }

        long livedMillis() {
            return TimeUnit.NANOSECONDS.toMillis(closedNanos - openedNanos);
        }

        /** @return everything received so far, as hex */
        String received() {
            return HexFormat.of().formatHex(in.array(), 0, in.position());
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing is all that was asked
            }
        }

        @Override
        public String toString() {
            return clientId + " (" + sent + "/" + connect.length + " bytes sent)";
        }
    }
}
