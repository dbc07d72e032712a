package io.stratus.broker.robustness;

import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.EmbeddedMqttChannel;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.LimitsBuilder;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packets whose fixed header announces the largest Remaining Length MQTT can encode (268,435,455
 * bytes, {@code ff ff ff 7f}) and then sends only a few bytes, on hundreds of connections at once.
 * Refused at once when over the broker's limit, and never met with a buffer of the announced size:
 * 200 such buffers would be 50 GiB, so the memory the broker's allocator holds shows whether any was
 * made. Even the largest limit refuses that Remaining Length, since the limit counts the whole packet
 * and the fixed header adds five bytes; a packet of exactly the largest limit is waited for, holding
 * only what arrives. {@code protocol.PacketSizeTest} and {@code MalformedPacketTest} cover one
 * connection each.
 */
class HugeRemainingLengthTest {

    private static final int CONNECTIONS = 200;
    /** A fixed header of the largest Remaining Length: 268,435,455. */
    private static final String LARGEST = "ff ff ff 7f";
    /** The largest Remaining Length, and the largest packet size the broker can be configured to take. */
    private static final int LARGEST_REMAINING_LENGTH = 268_435_455;
    /** A quarter of one buffer of the announced size (256 MiB). */
    private static final long MEMORY_BOUND = 64L * 1024 * 1024;
    private static final int PACKET_TOO_LARGE = 0x95;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @Test
    void refusesAtOnceAPublishAnnouncingTheLargestLengthOnTwoHundredConnections() throws Exception {
        // given: the default limit of 1 MiB; 100 connected 5.0 clients and 100 connected 3.1.1 ones
        fixture.start();
        List<RawClient> v5 = new ArrayList<>();
        List<RawClient> v311 = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS / 2; i++) {
            v5.add(fixture.clients().raw(5, "v5-" + i));
            v311.add(fixture.clients().raw(4, "v311-" + i));
        }
        long memoryBefore = PeakSampler.allocatorBytes();

        try (PeakSampler memory = PeakSampler.of(PeakSampler::allocatorBytes)) {
            // when: each sends a PUBLISH header announcing 268,435,455 bytes, and the first few of them
            long sent = System.nanoTime();
            for (int i = 0; i < CONNECTIONS / 2; i++) {
                v5.get(i).send("30 " + LARGEST + " 00 01 74 00 70");
                v311.get(i).send("30 " + LARGEST + " 00 01 74 70");
            }

            // then: 5.0 clients get DISCONNECT 0x95 (Packet too large), 3.1.1 ones are closed without a
            // word, every one of them long before the announced bytes could have come
            for (RawClient c : v5) {
                assertEquals(PACKET_TOO_LARGE, PacketReader.disconnectCode(c.readPacket()));
                assertTrue(c.closedByBroker());
            }
            v311.forEach(PacketReader::expectClosedWithoutAnswer);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertTrue(tookMillis < 5000, "all refused after " + tookMillis + " ms");
            // and no buffer of the announced size was made on the way
            long growth = memory.peak() - memoryBefore;
            assertTrue(growth < MEMORY_BOUND, "allocator grew by " + growth + " bytes");
        }
        Eventually.await(Duration.ofSeconds(5), "the refused connections are gone",
            () -> fixture.broker().connectionCount() == 0);
    }

    @Test
    void refusesAtOnceAConnectAnnouncingTheLargestLengthOnTwoHundredConnections() throws Exception {
        // given: 200 new connections
        fixture.start();
        List<RawClient> headerOnly = new ArrayList<>();
        List<RawClient> withVersion = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS / 2; i++) {
            headerOnly.add(fixture.clients().raw());
            withVersion.add(fixture.clients().raw());
        }
        long memoryBefore = PeakSampler.allocatorBytes();

        try (PeakSampler memory = PeakSampler.of(PeakSampler::allocatorBytes)) {
            // when: each starts a CONNECT announcing 268,435,455 bytes; half send the fixed header
            // alone, half also the protocol name and level 5
            for (int i = 0; i < CONNECTIONS / 2; i++) {
                headerOnly.get(i).send("10 " + LARGEST);
                withVersion.get(i).send("10 " + LARGEST + " 00 04 4d 51 54 54 05");
            }

            // then: with no version to answer in, closed without a word; told CONNACK 0x95 (Packet
            // too large) in the 5.0 format once the version is known; and nothing that size allocated
            headerOnly.forEach(PacketReader::expectClosedWithoutAnswer);
            for (RawClient c : withVersion) {
                assertEquals(PACKET_TOO_LARGE, PacketReader.parseConnAck(c.readPacket(), true).code());
                assertTrue(c.closedByBroker());
            }
            long growth = memory.peak() - memoryBefore;
            assertTrue(growth < MEMORY_BOUND, "allocator grew by " + growth + " bytes");
        }
    }

    @Test
    void waitsForTheRestWithoutABufferOfTheAnnouncedSizeWhenTheLimitAllowsIt() throws Exception {
        // given: a limit at the largest size MQTT can encode
        try (EmbeddedMqttChannel client = EmbeddedMqttChannel.open(l -> LimitsBuilder.with(b ->
                b.maxPacketSize(LARGEST_REMAINING_LENGTH)).apply(l))) {
            client.send(EmbeddedMqttChannel.CONNECT_5);
            assertEquals(0, PacketReader.connAckCode(client.readPackets().get(0)));

            // when: a PUBLISH of exactly that size, fixed header included (so a Remaining Length of
            // 268,435,450), then 256 KiB of it in pieces of 16 KiB
            byte[] fixedHeader = Packets.concat(Packets.u8(0x30), Packets.varInt(LARGEST_REMAINING_LENGTH - 5));
            client.send(Packets.concat(fixedHeader, Packets.string("big"), Packets.noProperties()));
            for (int i = 0; i < 16; i++) {
                client.send(new byte[16 * 1024]);
            }

            // then: still waiting for the rest, having made room only for what came
            assertTrue(client.isOpen());
            assertEquals("", client.readHex());
            assertTrue(client.largestAllocation() <= 1024 * 1024,
                "a buffer of " + client.largestAllocation() + " bytes was allocated");
        }
    }
}
