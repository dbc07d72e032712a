package io.stratus.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The generator's event loops (epoll when the native transport loads, NIO otherwise) and how a
 * client connects: TCP_NODELAY, the pooled allocator, and a small write-buffer high-water mark so
 * that a publisher stops as soon as the kernel's socket buffer is full.
 */
final class Transport implements AutoCloseable {

    private final EventLoopGroup group;
    private final Bootstrap template;
    private final InetSocketAddress remote;
    private final int sourceAddresses;
    /** What every client sends in its CONNECT, or null for no user name and password. */
    private final byte[] username;
    private final byte[] password;
    final boolean epoll;

    Transport(Options o) {
        epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(o.threads, io);
        Class<? extends Channel> type = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        template = new Bootstrap()
            .group(group)
            .channel(type)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024));
        remote = new InetSocketAddress(o.host, o.port);
        sourceAddresses = o.sourceAddresses;
        username = o.username == null ? null : o.username.getBytes(StandardCharsets.UTF_8);
        password = o.password();
    }

    /**
     * Opens a connection for the client; the client sends CONNECT as soon as it is up.
     *
     * @param n the client's number, which picks its source address when there are several
     */
    ChannelFuture connect(MqttClient client, int n) {
        if (username != null || password != null) {
            client.credentials(username, password);
        }
        Bootstrap b = template.clone().handler(client);
        if (sourceAddresses > 1) {
            InetSocketAddress local = new InetSocketAddress("127.0.0." + (1 + n % sourceAddresses), 0);
            return b.connect(remote, local);
        }
        return b.connect(remote);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
