package io.stratus.broker.support;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Floods of numbered messages over raw sockets, fast enough to load the broker from a test: each
 * payload starts with its number (a four-byte integer), so that a receiver can check order and loss.
 * A publisher batches its writes and keeps as many QoS 1 messages unacknowledged as the broker's
 * Receive Maximum allows; a healthy subscriber reads and acknowledges on its own thread.
 */
public final class Flood {

    /** How long a flood waits for any one step (a window slot, a packet) before the test fails. */
    public static final long STEP_TIMEOUT_SECONDS = 10;
    private static final int BATCH_BYTES = 64 * 1024;
    /** PUBACKs a subscriber sends together; below any send window the broker uses here. */
    private static final int ACK_BATCH = 16;
    /**
     * Runs each blocking reader on a thread of its own: the common pool may have a single thread on a
     * small machine, and a reader blocked there would starve the other.
     */
    private static final Executor OWN_THREAD = task -> {
        Thread t = new Thread(task, "flood-reader");
        t.setDaemon(true);
        t.start();
    };

    private Flood() {
    }

    /** @return a payload of {@code size} bytes (at least 4) that starts with {@code n} */
    public static byte[] payload(int n, int size) {
        return ByteBuffer.allocate(size).putInt(n).array();
    }

    /**
     * Publishes {@code count} numbered QoS 1 messages, 0 first, and returns once the broker has
     * acknowledged them all. PUBACKs are read on another thread as they come.
     *
     * @param publisher a connected 3.1.1 client
     * @param window how many may be unacknowledged at once: at most the broker's Receive Maximum
     * @param pace   if not null, one permit is taken per message, so that a subscriber that releases
     *               one per message it receives keeps the publisher at most that many ahead of it
     */
    public static void publishQos1(RawClient publisher, String topic, int count, int payloadSize, int window,
                                   Semaphore pace) throws Exception {
        Semaphore slots = new Semaphore(window);
        CompletableFuture<Void> acks = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    assertEquals(Packets.PUBACK, PacketReader.type(publisher.readPacket()), "PUBACK " + i);
                    slots.release();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, OWN_THREAD);
        ByteArrayOutputStream batch = new ByteArrayOutputStream(BATCH_BYTES + payloadSize + 64);
        for (int i = 0; i < count; i++) {
            // when the window or the pace is full, what is batched goes out before the wait
            if (!slots.tryAcquire()) {
                send(publisher, batch);
                await(slots, "a free slot in the publisher's window", acks);
            }
            if (pace != null && !pace.tryAcquire()) {
                send(publisher, batch);
                await(pace, "the subscriber to catch up", acks);
            }
            batch.writeBytes(Packets.publish(1, false, false, i % 0xFFFF + 1, topic, null, payload(i, payloadSize)));
            if (batch.size() >= BATCH_BYTES) {
                send(publisher, batch);
            }
        }
        send(publisher, batch);
        acks.get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Publishes {@code count} numbered QoS 0 messages, 0 first, in large writes, then a QoS 1 marker
     * (topic {@code marker}, no subscribers) and waits for its PUBACK: the publisher's lane handles
     * packets in order, so by then every message has been routed.
     *
     * @param publisher a connected 3.1.1 client
     */
    public static void publishQos0(RawClient publisher, String topic, int count, int payloadSize) throws Exception {
        ByteArrayOutputStream batch = new ByteArrayOutputStream(BATCH_BYTES + payloadSize + 64);
        for (int i = 0; i < count; i++) {
            batch.writeBytes(Packets.publish(0, false, false, 0, topic, null, payload(i, payloadSize)));
            if (batch.size() >= BATCH_BYTES) {
                send(publisher, batch);
            }
        }
        batch.writeBytes(Packets.publish311(1, 7, "marker", "done"));
        send(publisher, batch);
        assertEquals(Packets.PUBACK, PacketReader.type(publisher.readPacket()));
    }

    private static void send(RawClient client, ByteArrayOutputStream batch) throws Exception {
        if (batch.size() > 0) {
            client.send(batch.toByteArray());
            batch.reset();
        }
    }

    /** Takes one permit, failing the test (with the PUBACK reader's error, if it failed) after a bound. */
    private static void await(Semaphore permits, String what, CompletableFuture<Void> acks) throws Exception {
        if (!permits.tryAcquire(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            if (acks.isCompletedExceptionally()) {
                acks.join();
            }
            throw new AssertionError("waited " + STEP_TIMEOUT_SECONDS + " s for " + what);
        }
    }

    /**
     * Reads {@code count} numbered PUBLISHes on another thread, acknowledging those at QoS 1 as a
     * healthy client does, and releasing one permit of {@code pace} (if not null) per message.
     *
     * @return the numbers in the order received
     */
    public static CompletableFuture<int[]> receive(RawClient subscriber, boolean v5, int count, Semaphore pace) {
        return receive(subscriber, v5, count, pace, true);
    }

    /**
     * Reads {@code count} numbered PUBLISHes on another thread and never acknowledges any.
     *
     * @return the numbers in the order received
     */
    public static CompletableFuture<int[]> receiveWithoutAcknowledging(RawClient subscriber, boolean v5, int count) {
        return receive(subscriber, v5, count, null, false);
    }

    private static CompletableFuture<int[]> receive(RawClient subscriber, boolean v5, int count, Semaphore pace,
                                                    boolean acknowledge) {
        return CompletableFuture.supplyAsync(() -> {
            int[] numbers = new int[count];
            ByteArrayOutputStream acks = new ByteArrayOutputStream();
            int pending = 0;
            try {
                for (int i = 0; i < count; i++) {
                    byte[] publish = subscriber.readPacket();
                    numbers[i] = number(publish, v5);
                    if (acknowledge && qos(publish) > 0) {
                        acks.writeBytes(Packets.pubAck(packetId(publish)));
                        pending++;
                    }
                    if (pending >= ACK_BATCH || i == count - 1) {
                        send(subscriber, acks);
                        pending = 0;
                    }
                    if (pace != null) {
                        pace.release();
                    }
                }
                return numbers;
            } catch (Exception e) {
                throw new IllegalStateException("expecting " + count + " messages", e);
            }
        }, OWN_THREAD);
    }

    /** Asserts the numbers are 0, 1, 2, ... with nothing lost, doubled or out of order. */
    public static void assertAllInOrder(int[] numbers) {
        for (int i = 0; i < numbers.length; i++) {
            if (numbers[i] != i) {
                throw new AssertionError("message " + i + " was number " + numbers[i]);
            }
        }
    }

    public static int qos(byte[] publish) {
        expectPublish(publish);
        return (publish[0] >> 1) & 0x03;
    }

    /** @return the packet identifier of a QoS 1 or 2 PUBLISH */
    public static int packetId(byte[] publish) {
        int topicAt = PacketReader.bodyOffset(publish);
        return PacketReader.readU16(publish, topicAt + 2 + PacketReader.readU16(publish, topicAt));
    }

    /** @return the number a PUBLISH's payload starts with */
    public static int number(byte[] publish, boolean v5) {
        int[] pos = {PacketReader.bodyOffset(publish)};
        pos[0] += 2 + PacketReader.readU16(publish, pos[0]);
        if (qos(publish) > 0) {
            pos[0] += 2;
        }
        if (v5) {
            int propertiesLength = PacketReader.readVarInt(publish, pos);
            pos[0] += propertiesLength;
        }
        return ByteBuffer.wrap(publish, pos[0], 4).getInt();
    }

    private static void expectPublish(byte[] packet) {
        if (PacketReader.type(packet) != Packets.PUBLISH) {
            throw new AssertionError("expected a PUBLISH, got " + Packets.hex(packet));
        }
    }
}
