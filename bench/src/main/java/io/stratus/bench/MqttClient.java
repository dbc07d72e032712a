package io.stratus.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One MQTT client connection with a lean codec of its own: packets are parsed in place from the
 * inbound buffer (no message objects) and outbound packets are encoded into one pooled batch
 * buffer that is written and flushed once per read or send burst. Speaks MQTT 3.1.1 (protocol
 * level 4) or 5.0 (level 5, with empty property sets). Everything runs on the channel's event
 * loop; fields meant for other threads are published through volatile snapshots.
 */
abstract class MqttClient extends ByteToMessageDecoder {

    static final int CONNECT = 1;
    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int PUBREC = 5;
    static final int PUBREL = 6;
    static final int PUBCOMP = 7;
    static final int SUBSCRIBE = 8;
    static final int SUBACK = 9;
    static final int PINGREQ = 12;
    static final int PINGRESP = 13;
    static final int DISCONNECT = 14;

    private static final int BATCH_SIZE = 16 * 1024;
    private static final byte[] PROTOCOL_NAME = "MQTT".getBytes(StandardCharsets.US_ASCII);

    protected final boolean v5;
    private final byte[] clientId;
    private final int keepAlive;
    /** User name and password of the CONNECT, or null for none (set before connecting). */
    private byte[] username;
    private byte[] password;

    protected ChannelHandlerContext ctx;
    private ByteBuf batch;
    private ScheduledFuture<?> pinger;
    private int nextSubscribeId = 1;

    /** Completes with the CONNACK return/reason code (0 is success) or fails if the connection ends first. */
    final CompletableFuture<Integer> connAck = new CompletableFuture<>();
    /** Completes with the first SUBACK return code (0-2 granted, 0x80 and up refused). */
    final CompletableFuture<Integer> subAck = new CompletableFuture<>();
    /** Completes when the connection has closed. */
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    /** Set when this side decided to close: a close without it is unexpected. */
    volatile boolean closing;
    /** The reason code of a DISCONNECT the broker sent (5.0), or -1. */
    volatile int serverDisconnectReason = -1;
    volatile Throwable error;

    MqttClient(boolean v5, String clientId, int keepAlive) {
        this.v5 = v5;
        this.clientId = clientId.getBytes(StandardCharsets.UTF_8);
        this.keepAlive = keepAlive;
    }

    /** Sends these credentials in the CONNECT; call before the connection opens. */
    final void credentials(byte[] user, byte[] secret) {
        this.username = user;
        this.password = secret;
    }

    // ---- callbacks ----------------------------------------------------------------------------

    /**
     * A PUBLISH arrived. The payload is at {@code payloadIndex} in {@code buf} for {@code payloadLength}
     * bytes and is only valid during the call.
     */
    protected void onPublish(ByteBuf buf, int qos, int packetId, int payloadIndex, int payloadLength) {
    }

    protected void onPubAck(int packetId, int reason) {
    }

    protected void onPubRec(int packetId, int reason) {
    }

    protected void onPubRel(int packetId) {
        writePubReply(PUBCOMP, packetId);
    }

    protected void onPubComp(int packetId, int reason) {
    }

    /** Called after a burst of reads, before the batch is flushed. */
    protected void afterRead() {
    }

    protected void onWritable() {
    }

    // ---- channel events -----------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        writeConnect();
        flush();
        if (keepAlive > 0) {
            long period = Math.max(1, keepAlive * 1000L / 2);
            pinger = ctx.executor().scheduleAtFixedRate(() -> {
                out(2).writeByte(PINGREQ << 4).writeByte(0);
                flush();
            }, period, period, TimeUnit.MILLISECONDS);
        }
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            int start = in.readerIndex();
            int readable = in.readableBytes();
            if (readable < 2) {
                return;
            }
            int remaining = 0;
            int multiplier = 1;
            int i = 1;
            while (true) {
                if (i >= readable) {
                    return;
                }
                int b = in.getUnsignedByte(start + i++);
                remaining += (b & 0x7F) * multiplier;
                if ((b & 0x80) == 0) {
                    break;
                }
                multiplier <<= 7;
                if (i > 4) {
                    throw new IllegalStateException("malformed remaining length from the broker");
                }
            }
            if (readable < i + remaining) {
                return;
            }
            int body = start + i;
            in.readerIndex(body + remaining);
            dispatch(in, in.getUnsignedByte(start), body, remaining);
        }
    }

    private void dispatch(ByteBuf in, int first, int body, int length) {
        int type = first >>> 4;
        switch (type) {
            case PUBLISH -> {
                int qos = (first >>> 1) & 3;
                int p = body + 2 + in.getUnsignedShort(body);
                int packetId = 0;
                if (qos > 0) {
                    packetId = in.getUnsignedShort(p);
                    p += 2;
                }
                if (v5) {
                    p = skipProperties(in, p);
                }
                onPublish(in, qos, packetId, p, body + length - p);
            }
            case PUBACK -> onPubAck(in.getUnsignedShort(body), length > 2 ? in.getUnsignedByte(body + 2) : 0);
            case PUBREC -> onPubRec(in.getUnsignedShort(body), length > 2 ? in.getUnsignedByte(body + 2) : 0);
            case PUBREL -> onPubRel(in.getUnsignedShort(body));
            case PUBCOMP -> onPubComp(in.getUnsignedShort(body), length > 2 ? in.getUnsignedByte(body + 2) : 0);
            case CONNACK -> connAck.complete((int) in.getUnsignedByte(body + 1));
            case SUBACK -> {
                int p = body + 2;
                if (v5) {
                    p = skipProperties(in, p);
                }
                subAck.complete(p < body + length ? (int) in.getUnsignedByte(p) : 0x80);
            }
            case PINGRESP -> { }
            case DISCONNECT -> serverDisconnectReason = length > 0 ? in.getUnsignedByte(body) : 0;
            default -> throw new IllegalStateException("unexpected packet type " + type + " from the broker");
        }
    }

    private static int skipProperties(ByteBuf in, int p) {
        int length = 0;
        int multiplier = 1;
        int b;
        do {
            b = in.getUnsignedByte(p++);
            length += (b & 0x7F) * multiplier;
            multiplier <<= 7;
        } while ((b & 0x80) != 0);
        return p + length;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        afterRead();
        flush();
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            onWritable();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releaseBatch();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (pinger != null) {
            pinger.cancel(false);
        }
        releaseBatch();
        connAck.completeExceptionally(new IllegalStateException("connection closed before CONNACK"));
        subAck.completeExceptionally(new IllegalStateException("connection closed before SUBACK"));
        closed.complete(null);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (error == null) {
            error = cause;
        }
        ctx.close();
    }

    // ---- writing ------------------------------------------------------------------------------

    /** @return the batch buffer with at least {@code bytes} writable */
    protected final ByteBuf out(int bytes) {
        ByteBuf b = batch;
        if (b != null && b.writableBytes() >= bytes) {
            return b;
        }
        if (b != null) {
            ctx.write(b, ctx.voidPromise());
        }
        b = ctx.alloc().directBuffer(Math.max(bytes, BATCH_SIZE));
        batch = b;
        return b;
    }

    /** @return bytes waiting in the batch buffer */
    protected final int batched() {
        return batch == null ? 0 : batch.readableBytes();
    }

    /** Writes the batch so far and then {@code buf} (which the channel releases), keeping the order. */
    protected final void writeAfterBatch(ByteBuf buf) {
        writeBatch();
        ctx.write(buf, ctx.voidPromise());
    }

    protected final void flush() {
        writeBatch();
        ctx.flush();
    }

    /** Hands the batch so far to the channel (or drops it if empty); the next write starts a new one. */
    private void writeBatch() {
        ByteBuf b = batch;
        if (b != null) {
            batch = null;
            if (b.isReadable()) {
                ctx.write(b, ctx.voidPromise());
            } else {
                b.release();
            }
        }
    }

    private void releaseBatch() {
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }

    private void writeConnect() {
        int variable = 2 + PROTOCOL_NAME.length + 1 + 1 + 2 + (v5 ? 1 : 0);
        int remaining = variable + 2 + clientId.length + (username == null ? 0 : 2 + username.length)
            + (password == null ? 0 : 2 + password.length);
        ByteBuf b = out(5 + remaining);
        b.writeByte(CONNECT << 4);
        writeVarInt(b, remaining);
        b.writeShort(PROTOCOL_NAME.length).writeBytes(PROTOCOL_NAME);
        b.writeByte(v5 ? 5 : 4);
        // clean session / clean start, and the user name and password flags
        b.writeByte(0x02 | (username == null ? 0 : 0x80) | (password == null ? 0 : 0x40));
        b.writeShort(keepAlive);
        if (v5) {
            b.writeByte(0); // no properties
        }
        b.writeShort(clientId.length).writeBytes(clientId);
        if (username != null) {
            b.writeShort(username.length).writeBytes(username);
        }
        if (password != null) {
            b.writeShort(password.length).writeBytes(password);
        }
    }

    /** Sends SUBSCRIBE for one filter; {@link #subAck} completes with the answer. */
    final void subscribe(String filter, int qos) {
        ctx.executor().execute(() -> {
            byte[] f = filter.getBytes(StandardCharsets.UTF_8);
            int remaining = 2 + (v5 ? 1 : 0) + 2 + f.length + 1;
            ByteBuf b = out(5 + remaining);
            b.writeByte((SUBSCRIBE << 4) | 0x02);
            writeVarInt(b, remaining);
            b.writeShort(nextSubscribeId++);
            if (v5) {
                b.writeByte(0);
            }
            b.writeShort(f.length).writeBytes(f);
            b.writeByte(qos);
            flush();
        });
    }

    /** Sends DISCONNECT and closes. Thread-safe. */
    final void disconnect() {
        closing = true;
        if (ctx == null) {
            return;
        }
        ctx.executor().execute(() -> {
            if (ctx.channel().isActive()) {
                out(2).writeByte(DISCONNECT << 4).writeByte(0);
                flush();
            }
            ctx.close();
        });
    }

    protected final void writePubReply(int type, int packetId) {
        out(4).writeByte((type << 4) | (type == PUBREL ? 0x02 : 0)).writeByte(2).writeShort(packetId);
    }

    /** Writes the fixed header, topic and packet id of a PUBLISH; the caller writes the payload. */
    protected final ByteBuf publishHeader(byte[] topic, int qos, int packetId, int payloadLength, int extra) {
        int remaining = 2 + topic.length + (qos > 0 ? 2 : 0) + (v5 ? 1 : 0) + payloadLength;
        ByteBuf b = out(5 + remaining - payloadLength + extra);
        b.writeByte((PUBLISH << 4) | (qos << 1));
        writeVarInt(b, remaining);
        b.writeShort(topic.length).writeBytes(topic);
        if (qos > 0) {
            b.writeShort(packetId);
        }
        if (v5) {
            b.writeByte(0);
        }
        return b;
    }

    static void writeVarInt(ByteBuf b, int value) {
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            if (value > 0) {
                digit |= 0x80;
            }
            b.writeByte(digit);
        } while (value > 0);
    }

    /** @return true if the connection ended without this side asking for it */
    boolean closedUnexpectedly() {
        return closed.isDone() && !closing;
    }
}
