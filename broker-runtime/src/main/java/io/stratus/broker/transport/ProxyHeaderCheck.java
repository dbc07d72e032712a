package io.stratus.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * Closes a connection on a PROXY protocol listener as soon as its first bytes cannot start a PROXY
 * header. Netty's decoder treats anything that is not a v2 header as v1 and waits for a line end
 * (up to 108 bytes) before it gives up, so a client that connects directly, bypassing the load
 * balancer, would otherwise hang until the connect timeout. Passes every byte on unchanged and leaves
 * the pipeline once a header's signature is complete.
 */
final class ProxyHeaderCheck extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyHeaderCheck.class);

    /** The start of every v1 header ("PROXY TCP4 ...\r\n"). */
    private static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    /** The twelve bytes every v2 header starts with. */
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** How many bytes of the connection have been compared with the signatures. */
    private int compared;
    private boolean maybeV1 = true;
    private boolean maybeV2 = true;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf) {
            for (int i = buf.readerIndex(); i < buf.writerIndex() && !signatureComplete() && (maybeV1 || maybeV2); i++) {
                byte b = buf.getByte(i);
                maybeV1 &= compared < V1_SIGNATURE.length && V1_SIGNATURE[compared] == b;
                maybeV2 &= compared < V2_SIGNATURE.length && V2_SIGNATURE[compared] == b;
                compared++;
            }
            if (!maybeV1 && !maybeV2) {
                ReferenceCountUtil.release(msg);
                LOG.debug("closing a connection from {}: it does not start with a PROXY protocol header",
                    ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            if (signatureComplete()) {
                ctx.pipeline().remove(this);
            }
        }
        ctx.fireChannelRead(msg);
    }

    private boolean signatureComplete() {
        return (maybeV1 && compared == V1_SIGNATURE.length) || (maybeV2 && compared == V2_SIGNATURE.length);
    }
}
