package io.stratus.broker.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Takes the PROXY protocol header that netty's decoder read and records the client address it names,
 * for {@link TransportInfo}. A v2 LOCAL header (the load balancer's own health check) and a header
 * for an unknown or non-IP protocol name no client: the socket's own peer address stands then. A
 * header that does not parse closes the connection quietly, as the protocol asks. Leaves the pipeline
 * after the header.
 */
final class ProxyMessageHandler extends ChannelInboundHandlerAdapter {

    /** The client address a PROXY header named, if it named one. */
    static final AttributeKey<InetSocketAddress> SOURCE = AttributeKey.valueOf(ProxyMessageHandler.class, "source");

    private static final Logger LOG = LoggerFactory.getLogger(ProxyMessageHandler.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            InetSocketAddress source = source(header);
            if (source != null) {
                ctx.channel().attr(SOURCE).set(source);
            }
            LOG.debug("PROXY {} {} from {}: client {}", header.protocolVersion(), header.command(),
                ctx.channel().remoteAddress(), source == null ? "not named" : source);
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof HAProxyProtocolException) {
            LOG.debug("closing a connection from {}: not a valid PROXY protocol header: {}",
                ctx.channel().remoteAddress(), cause.getMessage());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** @return the client's address, or null if the header names none */
    private static InetSocketAddress source(HAProxyMessage header) throws UnknownHostException {
        if (header.command() == HAProxyCommand.LOCAL) {
            return null;
        }
        return switch (header.proxiedProtocol().addressFamily()) {
            // the decoder has checked the literal; parsing it to bytes never asks a resolver
            case AF_IPv4, AF_IPv6 -> new InetSocketAddress(
                InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(header.sourceAddress())),
                header.sourcePort());
            default -> null;
        };
    }
}
