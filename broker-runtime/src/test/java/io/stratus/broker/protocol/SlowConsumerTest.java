package io.stratus.broker.protocol;

import io.stratus.broker.support.EmbeddedMqttChannel;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.LogCapture;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.PacketReader.Packet;
import io.stratus.broker.support.Packets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that does not take what it is sent, on the listener's real pipeline over an embedded
 * channel whose clock the test moves: nothing more is written to its connection while it is
 * unwritable, and the broker gives up on it after {@code slow-consumer-timeout} of unwritability, or
 * at once when a message for it overflows its session's queue meanwhile. Writability is switched
 * directly (netty's user-defined writability), which is what a full outbound buffer looks like to
 * the broker. The end-to-end cases over real sockets are in {@code robustness.NeverReadingClientTest}.
 */
class SlowConsumerTest {

    private static final int TIMEOUT_SECONDS = 5;
    private static final int QUOTA_EXCEEDED = 0x97;
    private static final int REASON_STRING = 0x1F;

    private EmbeddedMqttChannel client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void closesAConnectionThatStaysUnwritableForTheTimeoutButNotBefore() throws Exception {
        // given
        connect(EmbeddedMqttChannel.CONNECT_311, l -> l.slowConsumerTimeoutSeconds(TIMEOUT_SECONDS));

        // when
        setWritable(false);
        client.advanceTimeBy(TIMEOUT_SECONDS * 1000L - 1, TimeUnit.MILLISECONDS);

        // then: open up to the timeout, closed at it, and counted
        assertTrue(client.isOpen(), "still open just before the timeout");
        client.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        assertFalse(client.isOpen(), "closed at the timeout");
        assertEquals(1, client.defaultTenant().metrics().slowConsumerDisconnects.sum());
    }

    @Test
    void tellsAnMqtt5ClientWhyWithQuotaExceededAndLogsItOnTheAuditLogger() throws Exception {
        // given
        connect(EmbeddedMqttChannel.CONNECT_5, l -> l.slowConsumerTimeoutSeconds(TIMEOUT_SECONDS));

        try (LogCapture audit = LogCapture.of("stratus.audit")) {
            // when
            setWritable(false);
            client.advanceTimeBy(TIMEOUT_SECONDS, TimeUnit.SECONDS);

            // then: DISCONNECT 0x97 with a reason string [MQTT-4.13.2-1], then the connection closes
            List<byte[]> packets = client.readPackets();
            assertEquals(1, packets.size(), Packets.hex(packets));
            Packet disconnect = Packet.parse(packets.get(0), true);
            disconnect.expectType(Packets.DISCONNECT);
            assertEquals(QUOTA_EXCEEDED, disconnect.reasonCode());
            assertEquals("slow consumer", disconnect.property(REASON_STRING).string());
            assertFalse(client.isOpen());
            assertTrue(audit.messages().stream().anyMatch(m -> m.startsWith("slow consumer tenant=default client=c ")),
                audit.messages().toString());
        }
    }

    @Test
    void keepsAConnectionThatDrainsBeforeTheTimeout() throws Exception {
        // given
        connect(EmbeddedMqttChannel.CONNECT_311, l -> l.slowConsumerTimeoutSeconds(TIMEOUT_SECONDS));
        setWritable(false);
        client.advanceTimeBy(TIMEOUT_SECONDS - 1, TimeUnit.SECONDS);

        // when: it drains, and later falls behind again for less than the timeout
        setWritable(true);
        client.advanceTimeBy(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        setWritable(false);
        client.advanceTimeBy(TIMEOUT_SECONDS - 1, TimeUnit.SECONDS);

        // then: each spell is timed on its own, and neither was long enough
        assertTrue(client.isOpen());
        assertEquals(0, client.defaultTenant().metrics().slowConsumerDisconnects.sum());
    }

    @Test
    void neverClosesForUnwritabilityAloneWhenTheTimerIsOff() throws Exception {
        // given
        connect(EmbeddedMqttChannel.CONNECT_311, l -> l.slowConsumerTimeoutSeconds(0));

        // when: unwritable for longer than the default timeout (60 s), within the keep alive's 90 s
        setWritable(false);
        client.advanceTimeBy(80, TimeUnit.SECONDS);

        // then
        assertTrue(client.isOpen());
    }

    @Test
    void closesAtOnceWhenAMessageOverflowsTheQueueWhileTheConnectionIsUnwritable() throws Exception {
        // given: no timer, and room for 100 bytes of queue; the client subscribes to what it publishes
        connect(EmbeddedMqttChannel.CONNECT_311, l -> l.slowConsumerTimeoutSeconds(0).maxQueuedBytes(100));
        subscribe(0);
        setWritable(false);

        // when: a message of 200 bytes for it arrives while it cannot take more
        client.send(Packets.publish(4, "t", 0, false, 0, "x".repeat(200)));

        // then: dropped and counted, and the connection closed without waiting for any timer
        assertEquals(1, client.defaultTenant().metrics().droppedSlowConsumer.sum());
        assertFalse(client.isOpen());
        assertEquals(1, client.defaultTenant().metrics().slowConsumerDisconnects.sum());
    }

    @Test
    void holdsQos1MessagesBackWhileTheConnectionIsUnwritableAndSendsThemWhenItDrains() throws Exception {
        // given: a client subscribed at QoS 1 to what it publishes, whose connection cannot take more
        connect(EmbeddedMqttChannel.CONNECT_311, l -> l.slowConsumerTimeoutSeconds(0));
        subscribe(1);
        setWritable(false);

        // when: three QoS 1 messages for it, with a window of 100 open
        for (int id = 1; id <= 3; id++) {
            client.send(Packets.publish(4, "t", 1, false, id, "m" + id));
        }

        // then: only the PUBACKs of what it published go out; its messages wait in the queue
        assertEquals(List.of(Packets.PUBACK, Packets.PUBACK, Packets.PUBACK),
            client.readPackets().stream().map(PacketReader::type).toList());
        // until the connection drains, when they go out in order
        setWritable(true);
        List<byte[]> sent = client.readPackets();
        assertEquals(List.of("m1", "m2", "m3"), sent.stream().map(p -> Packet.parse(p, false).payloadText()).toList());
    }

    @Test
    void keepsAWritableConnectionWhoseQueueOverflowsBecauseItDoesNotAcknowledge() throws Exception {
        // given: one message in flight and one queued at the most, and a subscriber that never acknowledges
        connect(EmbeddedMqttChannel.CONNECT_311, l -> l.maxInflightOutbound(1).maxQueuedMessages(1));
        subscribe(1);

        // when: three QoS 1 messages for it
        for (int id = 1; id <= 3; id++) {
            client.send(Packets.publish(4, "t", 1, false, id, "m" + id));
        }

        // then: the third is dropped and counted, but a client that reads is no slow consumer
        assertEquals(1, client.defaultTenant().metrics().droppedQueueFull.sum());
        assertTrue(client.isOpen());
        assertEquals(0, client.defaultTenant().metrics().slowConsumerDisconnects.sum());
    }

    private void connect(String connect, UnaryOperator<LimitsBuilder> limits) throws Exception {
        client = EmbeddedMqttChannel.open(LimitsBuilder.with(limits));
        client.send(connect);
        assertEquals(0, PacketReader.connAckCode(client.readPackets().get(0)));
    }

    private void subscribe(int qos) {
        client.send(Packets.subscribe(false, 1, "t", qos));
        assertEquals(Packets.SUBACK, PacketReader.type(client.readPackets().get(0)));
    }

    /** What netty does when the outbound buffer passes its high-water mark, or falls below the low one. */
    private void setWritable(boolean writable) {
        client.channel().unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        client.channel().runPendingTasks();
    }
}
