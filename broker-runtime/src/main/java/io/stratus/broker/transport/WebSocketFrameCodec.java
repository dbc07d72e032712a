package io.stratus.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between WebSocket frames and the MQTT byte stream: the content of binary frames (and of the
 * continuation frames of a fragmented binary message) goes on to the MQTT decoder in order, and every
 * buffer the MQTT side writes goes out as one binary frame. Packets need not line up with frames
 * [MQTT-6.0.0-2]: the decoder reassembles a packet split across frames and splits a frame that holds
 * several, so no frame is aggregated here. A text frame ends the connection [MQTT-6.0.0-1]. An HTTP
 * request for another path than the listener's is answered 404.
 */
final class WebSocketFrameCodec extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketFrameCodec.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            ByteBuf content = ((WebSocketFrame) msg).content();
            if (content.isReadable()) {
                ctx.fireChannelRead(content); // the frame's only reference goes with its content
            } else {
                content.release();
            }
            return;
        }
        ReferenceCountUtil.release(msg);
        if (msg instanceof HttpRequest request) {
            LOG.debug("refusing an HTTP request for {} from {}: not the MQTT WebSocket path", request.uri(),
                ctx.channel().remoteAddress());
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            // a text frame (or a continuation of one): MQTT travels in binary frames only [MQTT-6.0.0-1]
            LOG.debug("closing a WebSocket connection from {}: {} instead of a binary frame",
                ctx.channel().remoteAddress(), msg.getClass().getSimpleName());
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE))
                .addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        ctx.write(msg instanceof ByteBuf buf ? new BinaryWebSocketFrame(buf) : msg, promise);
    }
}
