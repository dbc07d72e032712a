package io.stratus.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.AttributeKey;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the properties of an MQTT 5.0 CONNECT for the two faults netty's decoder lets through,
 * because its property map keeps only the last value of each: a property given more than once (a
 * Protocol Error, §3.1.2.11 and §3.1.3.2) and a known property that is not valid in a CONNECT or
 * in a will (a Malformed Packet, §2.2.2.2). It sits in front of the decoder, looks at the first
 * packet only, records a fault on the channel for the connection handler, and removes itself,
 * passing every byte on unchanged. Whatever it cannot parse it leaves to the decoder to report; a
 * packet announced larger than the limit is passed on at once, unbuffered.
 */
public final class ConnectPropertyCheck extends ByteToMessageDecoder {

    /** The fault found in the connection's CONNECT, if any. */
    public static final AttributeKey<Fault> FAULT = AttributeKey.valueOf("stratus.connectPropertyFault");

    /**
     * @param protocolError true for a Protocol Error (0x82), false for a Malformed Packet (0x81)
     * @param reason        what was wrong, for the Reason String and the log
     */
    public record Fault(boolean protocolError, String reason) {
    }

    private enum Type { BYTE, TWO_BYTES, FOUR_BYTES, STRING, BINARY, STRING_PAIR }

    private static final int USER_PROPERTY = 0x26;
    /** §3.1.2.11: the properties a CONNECT may carry, with their data types. */
    private static final Map<Integer, Type> CONNECT_PROPERTIES = Map.of(
        0x11, Type.FOUR_BYTES,  // Session Expiry Interval
        0x21, Type.TWO_BYTES,   // Receive Maximum
        0x27, Type.FOUR_BYTES,  // Maximum Packet Size
        0x22, Type.TWO_BYTES,   // Topic Alias Maximum
        0x19, Type.BYTE,        // Request Response Information
        0x17, Type.BYTE,        // Request Problem Information
        USER_PROPERTY, Type.STRING_PAIR,
        0x15, Type.STRING,      // Authentication Method
        0x16, Type.BINARY);     // Authentication Data
    /** §3.1.3.2: the will properties. */
    private static final Map<Integer, Type> WILL_PROPERTIES = Map.of(
        0x18, Type.FOUR_BYTES,  // Will Delay Interval
        0x01, Type.BYTE,        // Payload Format Indicator
        0x02, Type.FOUR_BYTES,  // Message Expiry Interval
        0x03, Type.STRING,      // Content Type
        0x08, Type.STRING,      // Response Topic
        0x09, Type.BINARY,      // Correlation Data
        USER_PROPERTY, Type.STRING_PAIR);

    private final int maxPacketSize;

    public ConnectPropertyCheck(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        if (in.readableBytes() < 2) {
            return;
        }
        if ((in.getUnsignedByte(start) & 0xF0) == 0x10) {
            int remaining = 0;
            int i = start + 1;
            for (int digits = 0; ; digits++) {
                if (digits == 4) {
                    remaining = -1; // more than four bytes: the decoder reports it
                    break;
                }
                if (i >= in.writerIndex()) {
                    return; // the rest of the fixed header is still to come
                }
                int digit = in.getUnsignedByte(i++);
                remaining += (digit & 0x7F) << (7 * digits);
                if ((digit & 0x80) == 0) {
                    break;
                }
            }
            if (remaining >= 0 && remaining <= maxPacketSize) {
                if (in.writerIndex() - i < remaining) {
                    return; // wait for the whole CONNECT (bounded by the packet size limit)
                }
                Fault fault = check(new Reader(in, i, i + remaining));
                if (fault != null) {
                    ctx.channel().attr(FAULT).set(fault);
                }
            }
        }
        ctx.pipeline().remove(this); // the bytes go on to the decoder untouched
    }

    private static Fault check(Reader r) {
        try {
            r.skip(r.u16());                // protocol name
            if (r.u8() != 5) {
                return null;                // properties exist in 5.0 only
            }
            int flags = r.u8();
            r.skip(2);                      // keep alive
            Fault fault = checkProperties(r, CONNECT_PROPERTIES, "CONNECT");
            if (fault != null) {
                return fault;
            }
            r.skip(r.u16());                // client identifier
            if ((flags & 0x04) != 0) {
                return checkProperties(r, WILL_PROPERTIES, "will");
            }
            return null;
        } catch (IndexOutOfBoundsException e) {
            return null; // truncated or inconsistent: the decoder says so
        }
    }

    private static Fault checkProperties(Reader r, Map<Integer, Type> allowed, String where) {
        int end = r.position() + r.varInt();
        Set<Integer> seen = new HashSet<>();
        while (r.position() < end) {
            int id = r.varInt();
            Type type = allowed.get(id);
            if (type == null) {
                return new Fault(false, "property 0x" + Integer.toHexString(id) + " is not valid in a " + where);
            }
            if (id != USER_PROPERTY && !seen.add(id)) {
                return new Fault(true, "property 0x" + Integer.toHexString(id) + " more than once in a " + where);
            }
            switch (type) {
                case BYTE -> r.skip(1);
                case TWO_BYTES -> r.skip(2);
                case FOUR_BYTES -> r.skip(4);
                case STRING, BINARY -> r.skip(r.u16());
                case STRING_PAIR -> {
                    r.skip(r.u16());
                    r.skip(r.u16());
                }
            }
        }
        return null;
    }

    /** Reads a bounded region of a buffer without moving its reader index. */
    private static final class Reader {
        private final ByteBuf buf;
        private final int end;
        private int pos;

        Reader(ByteBuf buf, int start, int end) {
            this.buf = buf;
            this.pos = start;
            this.end = end;
        }

        int position() {
            return pos;
        }

        int u8() {
            require(1);
            return buf.getUnsignedByte(pos++);
        }

        int u16() {
            require(2);
            int v = buf.getUnsignedShort(pos);
            pos += 2;
            return v;
        }

        int varInt() {
            int value = 0;
            for (int digits = 0; digits < 4; digits++) {
                int digit = u8();
                value += (digit & 0x7F) << (7 * digits);
                if ((digit & 0x80) == 0) {
                    return value;
                }
            }
            throw new IndexOutOfBoundsException("variable byte integer longer than four bytes");
        }

        void skip(int n) {
            require(n);
            pos += n;
        }

        private void require(int n) {
            if (n > end - pos) {
                throw new IndexOutOfBoundsException();
            }
        }
    }
}
