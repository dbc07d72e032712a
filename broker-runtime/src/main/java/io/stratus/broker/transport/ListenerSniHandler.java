package io.stratus.broker.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads the host name from the client's TLS ClientHello (SNI), then puts an {@link SslHandler} from
 * the listener's current context in its own place, named {@link HandlerNames#TLS}. Every host name
 * gets the same certificate; the name matters to tenant resolution, which learns it from the
 * {@link io.netty.handler.ssl.SniCompletionEvent} that follows. Taking the context per connection is
 * what lets a reloaded certificate reach new connections.
 */
final class ListenerSniHandler extends SniHandler {

    ListenerSniHandler(ServerTls tls) {
        super(hostName -> tls.context());
    }

    @Override
    protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext) {
        SslHandler sslHandler = newSslHandler(sslContext, ctx.alloc());
        try {
            ctx.pipeline().replace(this, HandlerNames.TLS, sslHandler);
            sslHandler = null;
        } finally {
            if (sslHandler != null) {
                // not in the pipeline, so nothing else will release its engine
                ReferenceCountUtil.safeRelease(sslHandler.engine());
            }
        }
    }
}
