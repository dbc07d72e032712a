package io.stratus.broker.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.stratus.broker.config.ListenerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

/**
 * The last transport handler, just before the MQTT ones. It puts the connection's
 * {@link TransportInfo} into the channel attribute once the transport's own work is done: when the
 * TLS handshake completes, or, without TLS, when the first bytes pass (after any PROXY header and
 * WebSocket upgrade). Either way that is before the MQTT decoder sees a byte, so before CONNECT.
 *
 * <p>It also ends connections whose transport fails (a failed handshake, a bad PROXY header or
 * WebSocket frame, a reset) quietly, at debug level: these are the client's or the network's doing
 * and say nothing about the broker.
 */
final class TransportHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TransportHandler.class);

    private final ListenerConfig listener;
    private String sniHostName;
    private boolean published;

    TransportHandler(ListenerConfig listener) {
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!published) {
            publish(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SniCompletionEvent sni) {
            sniHostName = sni.hostname();
        } else if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess() && !published) {
            publish(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof DecoderException || cause instanceof SSLException || cause instanceof IOException
            || cause instanceof WebSocketHandshakeException) {
            LOG.debug("closing a {} connection from {} on listener {}: {}", listener.transport(),
                ctx.channel().remoteAddress(), listener.name(), cause.toString());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void publish(ChannelHandlerContext ctx) {
        published = true;
        InetSocketAddress remote = ctx.channel().attr(ProxyMessageHandler.SOURCE).get();
        if (remote == null) {
            remote = (InetSocketAddress) ctx.channel().remoteAddress();
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        TransportInfo info;
        if (ssl == null) {
            info = TransportInfo.withoutTls(listener, remote);
        } else {
            SSLSession session = ssl.engine().getSession();
            info = new TransportInfo(listener.name(), listener.transport(), remote, sniHostName,
                peerCertificates(session), session.getProtocol(), session.getCipherSuite());
        }
        ctx.channel().attr(TransportInfo.KEY).set(info);
        LOG.debug("connection {}", info);
    }

    private static List<X509Certificate> peerCertificates(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return Arrays.stream(chain).filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast)
                .toList();
        } catch (SSLPeerUnverifiedException e) {
            return List.of(); // the client sent no certificate
        }
    }
}
