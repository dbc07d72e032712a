package io.stratus.broker.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client that sends the frames a test chooses (an MQTT packet split over two frames, two
 * packets in one, a fragmented message, a text frame) and reads back the MQTT packets the broker
 * sends, whatever frames carry them.
 */
final class WebSocketTestClient implements AutoCloseable {

    private static final long WAIT_SECONDS = 5;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> handshake = new CompletableFuture<>();
    private final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final Channel channel;

    /** Connects and completes the WebSocket handshake, offering the "mqtt" subprotocol. */
    WebSocketTestClient(URI uri) throws Exception {
        WebSocketClientProtocolHandler protocol = new WebSocketClientProtocolHandler(
            WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, "mqtt", false,
                new DefaultHttpHeaders()), false);
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192), protocol,
                        new Recorder());
                }
            })
            .connect(uri.getHost(), uri.getPort()).sync().channel();
        channel.closeFuture().addListener(f -> closeStatus.complete(-1));
        try {
            handshake.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Sends one complete binary message per argument. */
    WebSocketTestClient sendFrames(byte[]... frames) throws InterruptedException {
        for (byte[] frame : frames) {
            channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frame))).sync();
        }
        return this;
    }

    /** Sends one binary message in fragments: a binary frame, then continuation frames, the last final. */
    WebSocketTestClient sendFragmented(byte[]... fragments) throws InterruptedException {
        for (int i = 0; i < fragments.length; i++) {
            boolean last = i == fragments.length - 1;
            WebSocketFrame frame = i == 0 ? new BinaryWebSocketFrame(last, 0, Unpooled.wrappedBuffer(fragments[i]))
                : new ContinuationWebSocketFrame(last, 0, Unpooled.wrappedBuffer(fragments[i]));
            channel.writeAndFlush(frame).sync();
        }
        return this;
    }

    /** Sends any frame (a text frame, say). */
    WebSocketTestClient send(WebSocketFrame frame) throws InterruptedException {
        channel.writeAndFlush(frame).sync();
        return this;
    }

    /** @return the next whole MQTT packet the broker sent; fails the test if none comes in time */
    byte[] readPacket() throws InterruptedException {
        while (true) {
            byte[] bytes = pending.toByteArray();
            int length = wholePacketLength(bytes);
            if (length > 0) {
                pending.reset();
                pending.write(bytes, length, bytes.length - length);
                return Arrays.copyOf(bytes, length);
            }
            byte[] next = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (next == null) {
                throw new AssertionError("no whole packet within " + WAIT_SECONDS + " s; have " + bytes.length + " bytes");
            }
            pending.writeBytes(next);
        }
    }

    /** @return the status code of the broker's close frame, or -1 if it closed without one; waits for the close */
    int awaitClose() throws Exception {
        return closeStatus.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** @return the length of the first packet if the bytes hold all of it, else 0 */
    private static int wholePacketLength(byte[] b) {
        int remaining = 0;
        int multiplier = 1;
        for (int i = 1; i < b.length && i <= 4; i++) {
            remaining += (b[i] & 0x7F) * multiplier;
            multiplier *= 128;
            if ((b[i] & 0x80) == 0) {
                int length = i + 1 + remaining;
                return b.length >= length ? length : 0;
            }
        }
        return 0;
    }

    private final class Recorder extends SimpleChannelInboundHandler<WebSocketFrame> {

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                handshake.complete(null);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            handshake.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            handshake.completeExceptionally(new IllegalStateException("closed before the handshake completed"));
            super.channelInactive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame close) {
                closeStatus.complete(close.statusCode());
                ctx.close();
            } else if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
                received.add(ByteBufUtil.getBytes(frame.content()));
            }
        }
    }
}
