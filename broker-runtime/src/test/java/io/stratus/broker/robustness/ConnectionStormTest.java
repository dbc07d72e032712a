package io.stratus.broker.robustness;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Nine thousand MQTT connections opened as fast as one client thread can open them, all accepted,
 * all closed, and the broker's books back at zero.
 *
 * <p>Why 9,000 and not 10,000: the clients and the broker share this JVM, so every connection costs
 * two file descriptors, and the machines this runs on allow a process 20,000. 9,000 connections take
 * 18,000, which leaves about 2,000 for the JVM's own files, the broker's listeners and event loops,
 * and sockets other tests may still be closing. The test checks that headroom before it starts and is
 * skipped, saying so, where the limit is lower.
 */
class ConnectionStormTest {

    private static final int CONNECTIONS = 9_000;
    /** Descriptors left over besides the two per connection: the JVM, the broker, other tests' leftovers. */
    private static final long SPARE_DESCRIPTORS = 1_000;
    /**
     * Connection attempts under way at once: enough to keep both sides busy, few enough to stay clear
     * of the listen backlog (4,096), beyond which the kernel drops SYNs and retries only after a second.
     */
    private static final int ATTEMPTS_IN_FLIGHT = 1_000;
    private static final String CONNACK_ACCEPTED = "20020000";

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @Test
    void acceptsNineThousandConnectionsOpenedAtOnceAndForgetsThemAllWhenTheyClose() throws Exception {
        assumeDescriptorsFor(CONNECTIONS);
        // given: the default limits, which allow far more connections than this
        assertTrue(LimitsConfig.defaults().maxConnections() >= CONNECTIONS);
        TestBroker broker = fixture.start().broker();

        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
            try {
                // when: 9,000 3.1.1 clients (keep alive 60 s) connect as fast as they can
                CountDownLatch accepted = new CountDownLatch(CONNECTIONS);
                Queue<String> failures = new ConcurrentLinkedQueue<>();
                Semaphore attempts = new Semaphore(ATTEMPTS_IN_FLIGHT);
                Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .option(ChannelOption.TCP_NODELAY, true);
                for (int i = 0; i < CONNECTIONS; i++) {
                    assertTrue(attempts.tryAcquire(30, TimeUnit.SECONDS), "attempts stalled; failures: " + failures);
                    byte[] connect = Packets.connect311(String.format("storm-%05d", i), true);
                    ChannelFuture f = bootstrap.clone()
                        .handler(new ConnAckReader(connect, attempts, accepted, failures))
                        .connect(broker.host(), broker.port());
                    clients.add(f.channel());
                    f.addListener(done -> {
                        if (!done.isSuccess()) {
                            failures.add("connect: " + done.cause());
                            attempts.release();
                        }
                    });
                }

                // then: every one gets a CONNACK that accepts it, and the broker counts every one
                assertTrue(accepted.await(30, TimeUnit.SECONDS),
                    accepted.getCount() + " without CONNACK; failures: " + failures);
                assertTrue(failures.isEmpty(), failures.toString());
                assertEquals(CONNECTIONS, broker.metrics().clientsConnected.get());
                assertEquals(CONNECTIONS, broker.connectionCount());

                // and when they all close, the broker lets go of every one (nothing signals when)
                clients.close().awaitUninterruptibly();
                Eventually.await(Duration.ofSeconds(20), "no connection left on the broker",
                    () -> broker.metrics().clientsConnected.get() == 0 && broker.connectionCount() == 0);
                assertEquals(0, broker.defaultTenant().sessions().size(), "every clean session ended");
            } finally {
                clients.close().awaitUninterruptibly();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            }
        });
    }

    private static void assumeDescriptorsFor(int connections) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        assumeTrue(os instanceof UnixOperatingSystemMXBean, "file descriptors are counted on Unix only");
        UnixOperatingSystemMXBean unix = (UnixOperatingSystemMXBean) os;
        long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
        assumeTrue(free >= 2L * connections + SPARE_DESCRIPTORS, "needs " + (2L * connections + SPARE_DESCRIPTORS)
            + " free file descriptors, has " + free + " (raise ulimit -n)");
    }

    /** Sends the CONNECT once connected and checks the four bytes of the CONNACK. */
    private static final class ConnAckReader extends ChannelInboundHandlerAdapter {
        private final byte[] connect;
        private final Semaphore attempts;
        private final CountDownLatch accepted;
        private final Queue<String> failures;
        private final byte[] connAck = new byte[4];
        private int received;

        ConnAckReader(byte[] connect, Semaphore attempts, CountDownLatch accepted, Queue<String> failures) {
            this.connect = connect;
            this.attempts = attempts;
            this.accepted = accepted;
            this.failures = failures;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(connect));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf in = (ByteBuf) msg;
                if (received == connAck.length) {
                    return;
                }
                int n = Math.min(in.readableBytes(), connAck.length - received);
                in.readBytes(connAck, received, n);
                received += n;
                if (received == connAck.length) {
                    String hex = HexFormat.of().formatHex(connAck);
                    if (hex.equals(CONNACK_ACCEPTED)) {
                        accepted.countDown();
                    } else {
                        failures.add("CONNACK " + hex);
                    }
                    attempts.release();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (received < connAck.length) {
                failures.add("closed before its CONNACK");
                attempts.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failures.add(cause.toString());
            ctx.close();
        }
    }
}
