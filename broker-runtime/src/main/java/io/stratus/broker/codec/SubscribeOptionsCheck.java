package io.stratus.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;

/**
 * Refuses SUBSCRIBE packets whose subscription options have reserved bits set, which netty's decoder
 * silently drops: bits 6 and 7 on 5.0 [MQTT-3.8.3-5], bits 2 to 7 on 3.1.1 [MQTT-3-8.3-4]. Both are
 * a Malformed Packet.
 *
 * <p>It sits in front of the decoder and passes every read buffer on unchanged: it only walks the
 * fixed headers to find packet boundaries and copies the bytes of SUBSCRIBE packets, which are
 * small and rare, to look at their options. A packet announced larger than the limit is left to
 * the decoder, which refuses it before anything is buffered. On a bad SUBSCRIBE it passes on the
 * bytes before that packet, then a failed message (as the decoder would produce), and drops the
 * rest of the input.
 */
public final class SubscribeOptionsCheck extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<MqttVersion> CODEC_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    private static final int SUBSCRIBE = 8;

    private final int maxPacketSize;
    /** A fixed header split across reads: its first byte and up to four length digits. */
    private final byte[] header = new byte[5];
    private int headerLength;
    /** Bytes of the current packet still to come. */
    private long remainingInPacket;
    /** The variable header and payload of a SUBSCRIBE being read, or null. */
    private ByteBuf subscribe;
    /** A fixed header too long to be MQTT: from here on the decoder does the talking. */
    private boolean passAll;
    private boolean refused;

    public SubscribeOptionsCheck(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in) || passAll) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (refused) {
            in.release();
            return;
        }
        int start = in.readerIndex();
        int end = in.writerIndex();
        int pos = start;
        int packetStart = start; // where the current packet starts in this buffer (start if earlier)
        while (pos < end) {
            if (remainingInPacket > 0) {
                int n = (int) Math.min(remainingInPacket, end - pos);
                if (subscribe != null) {
                    subscribe.writeBytes(in, pos, n);
                }
                pos += n;
                remainingInPacket -= n;
                if (remainingInPacket == 0 && subscribe != null) {
                    boolean valid = optionsValid(subscribe, ctx.channel().attr(CODEC_VERSION).get());
                    subscribe.release();
                    subscribe = null;
                    if (!valid) {
                        refuse(ctx, in, start, packetStart);
                        return;
                    }
                }
                continue;
            }
            if (headerLength == 0) {
                packetStart = pos;
            }
            byte b = in.getByte(pos++);
            header[headerLength++] = b;
            if (headerLength == 1 || (b & 0x80) != 0) {
                if (headerLength == header.length) {
                    passAll = true; // a fifth length byte: malformed, and the decoder says so
                    break;
                }
                continue;
            }
            long remaining = 0;
            for (int i = headerLength - 1; i >= 1; i--) {
                remaining = (remaining << 7) | (header[i] & 0x7F);
            }
            int type = (header[0] & 0xF0) >> 4;
            headerLength = 0;
            remainingInPacket = remaining;
            if (type == SUBSCRIBE && remaining > 0 && remaining <= maxPacketSize) {
                subscribe = ctx.alloc().heapBuffer((int) Math.min(remaining, 256), (int) remaining);
            }
        }
        ctx.fireChannelRead(in);
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, int start, int packetStart) {
        refused = true;
        if (packetStart > start) {
            ctx.fireChannelRead(in.retainedSlice(start, packetStart - start));
        }
        in.release();
        ctx.fireChannelRead(MqttMessageFactory.newInvalidMessage(
            new DecoderException("reserved bits set in the subscription options")));
    }

    static boolean optionsValid(ByteBuf packet, MqttVersion version) {
        if (version == null) {
            return true; // before CONNECT: the connection handler refuses it anyway
        }
        int reservedBits = version == MqttVersion.MQTT_5 ? 0xC0 : 0xFC;
        try {
            int pos = packet.readerIndex() + 2; // packet identifier
            int end = packet.writerIndex();
            if (version == MqttVersion.MQTT_5) {
                int propertiesLength = 0;
                int shift = 0;
                int digit;
                do {
                    digit = packet.getUnsignedByte(pos++);
                    propertiesLength |= (digit & 0x7F) << shift;
                    shift += 7;
                } while ((digit & 0x80) != 0 && shift < 28);
                pos += propertiesLength;
            }
            while (pos < end) {
                pos += 2 + packet.getUnsignedShort(pos);
                if (pos >= end) {
                    return true; // truncated: the decoder reports it
                }
                if ((packet.getUnsignedByte(pos++) & reservedBits) != 0) {
                    return false;
                }
            }
            return true;
        } catch (IndexOutOfBoundsException e) {
            return true; // inconsistent lengths: the decoder reports it
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (subscribe != null) {
            subscribe.release();
            subscribe = null;
        }
    }
}
