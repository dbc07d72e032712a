package io.stratus.broker.support;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.protocol.BrokerServices;
import io.stratus.broker.routing.Router;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantSpace;
import io.stratus.broker.tenant.Tenants;
import io.stratus.broker.transport.MqttChannelInitializer;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * One client connection on a Netty {@link EmbeddedChannel} with the very pipeline a real listener
 * builds ({@link MqttChannelInitializer#configure}), for feeding the broker literal bytes. Everything
 * runs on the test's thread: the session lane is the embedded channel's own event loop, and each
 * {@link #send} runs the work it hands off before returning.
 */
public final class EmbeddedMqttChannel implements AutoCloseable {

    /** 3.1.1 CONNECT, client id "c", clean session, keep alive 60. */
    public static final String CONNECT_311 = "10 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 63";
    /** 5.0 CONNECT, client id "c", clean start, keep alive 60, no properties. */
    public static final String CONNECT_5 = "10 0e 00 04 4d 51 54 54 05 02 00 3c 00 00 01 63";

    private final BrokerServices services;
    private final EmbeddedChannel channel;
    private final RecordingAllocator allocator = new RecordingAllocator();

    private EmbeddedMqttChannel(UnaryOperator<LimitsConfig> limits) throws Exception {
        BrokerConfig defaults = BrokerConfig.defaults();
        services = new BrokerServices(defaults.withLimits(limits.apply(defaults.limits())), Clock.systemUTC(),
            new Router(), new Tenants(1000), new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE),
            new BrokerServices.ShutdownFlag());
        // registered only once the pipeline is complete, so that its handlers see channelActive
        channel = new EmbeddedChannel(false, false);
        channel.config().setAllocator(allocator);
        new MqttChannelInitializer(services).configure(channel.pipeline());
        channel.register();
    }

    /** A connection to a broker with the default limits; nothing has been sent yet. */
    public static EmbeddedMqttChannel open() throws Exception {
        return new EmbeddedMqttChannel(UnaryOperator.identity());
    }

    /** A connection to a broker with the limits the test changes. */
    public static EmbeddedMqttChannel open(UnaryOperator<LimitsConfig> limits) throws Exception {
        return new EmbeddedMqttChannel(limits);
    }

    /** A 3.1.1 connection whose CONNECT was accepted; the CONNACK is consumed. */
    public static EmbeddedMqttChannel connected311() throws Exception {
        return connected(CONNECT_311, "20020000");
    }

    /** A 5.0 connection whose CONNECT was accepted; the CONNACK is consumed. */
    public static EmbeddedMqttChannel connected5() throws Exception {
        return connected(CONNECT_5, null);
    }

    private static EmbeddedMqttChannel connected(String connect, String expectedConnAck) throws Exception {
        EmbeddedMqttChannel c = open();
        c.send(connect);
        List<byte[]> packets = c.readPackets();
        if (packets.size() != 1 || (packets.get(0)[0] & 0xFF) != 0x20
            || packets.get(0)[PacketReader.bodyOffset(packets.get(0)) + 1] != 0
            || (expectedConnAck != null && !expectedConnAck.equals(HexFormat.of().formatHex(packets.get(0))))) {
            c.close();
            throw new IllegalStateException("CONNECT not accepted: " + Packets.hex(packets));
        }
        return c;
    }

    /**
     * Writes bytes given as hex (spaces allowed) and runs the work they caused. Rethrows an exception
     * that reached the end of the pipeline, as {@link EmbeddedChannel} does.
     */
    public EmbeddedMqttChannel send(String hex) {
        return send(Packets.hex(hex));
    }

    public EmbeddedMqttChannel send(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        channel.runPendingTasks();
        channel.checkException();
        return this;
    }

    /** @return every byte written to the client since the last call, as whole packets; buffers released */
    public List<byte[]> readPackets() {
        channel.runPendingTasks();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            try {
                if (!(msg instanceof ByteBuf buf)) {
                    throw new AssertionError("not encoded to bytes: " + msg);
                }
                out.writeBytes(ByteBufUtil.getBytes(buf));
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        return PacketReader.split(out.toByteArray());
    }

    /** @return every byte written to the client since the last call, as lower-case hex */
    public String readHex() {
        return Packets.hex(readPackets());
    }

    /** Moves the embedded event loop's clock and runs the scheduled tasks that became due. */
    public void advanceTimeBy(long amount, TimeUnit unit) {
        channel.advanceTimeBy(amount, unit);
        channel.runPendingTasks();
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    public EmbeddedChannel channel() {
        return channel;
    }

    public TenantSpace defaultTenant() {
        return services.tenants().space(TenantId.DEFAULT);
    }

    /** @return the largest buffer any handler asked the channel's allocator for, in bytes */
    public int largestAllocation() {
        return allocator.largest.get();
    }

    /** Closes the connection as the client would (end of stream); rethrows an escaped exception. */
    public void closeFromClient() {
        channel.close();
        channel.runPendingTasks();
        channel.checkException();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }

    /** Remembers the largest buffer requested, to show that an announced size is never allocated. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        private final AtomicInteger largest = new AtomicInteger();

        RecordingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            largest.accumulateAndGet(initialCapacity, Math::max);
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            largest.accumulateAndGet(initialCapacity, Math::max);
            return Unpooled.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
