package io.stratus.broker.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.config.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The transport part of one listener's pipeline: the handlers that turn what arrives on its socket
 * into the MQTT byte stream, in this order, each only if the listener needs it:
 * PROXY protocol header, TLS (with SNI), WebSocket upgrade and frames, then the handler that publishes
 * {@link TransportInfo}. A plain TCP listener adds nothing and sets the information at once.
 */
public final class TransportPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(TransportPipeline.class);

    /**
     * The subprotocols offered: "mqtt" is the standard name [MQTT-6.0.0-3] that Paho, HiveMQ's client
     * and mqtt.js send; "mqttv3.1" is what MQTT 3.1 clients such as older Paho releases sent.
     */
    static final String SUBPROTOCOLS = "mqtt,mqttv3.1";
    /** The upgrade request is a GET without a body; nothing bigger needs aggregating. */
    private static final int MAX_UPGRADE_REQUEST_BODY = 8192;
    /** Room for a maximum packet plus the start of the next in one frame. */
    private static final int FRAME_ALLOWANCE = 4096;
    /** Bytes of TLVs (e.g. an AWS VPC endpoint id) a PROXY v2 header may carry. */
    private static final int MAX_PROXY_TLV_BYTES = 4096;

    private final ListenerConfig listener;
    private final ServerTls tls;
    private final WebSocketServerProtocolConfig webSocket;

    /**
     * @param listener      the listener whose connections these are
     * @param tls           its TLS context; required for {@code tls} and {@code wss}, else null
     * @param maxPacketSize the largest MQTT packet accepted, which bounds a WebSocket frame
     */
    public TransportPipeline(ListenerConfig listener, ServerTls tls, int maxPacketSize) {
        this.listener = Objects.requireNonNull(listener, "listener");
        if (listener.transport().tls() != (tls != null)) {
            throw new IllegalArgumentException("listener " + listener.name() + " over " + listener.transport()
                + (tls == null ? " needs" : " takes no") + " TLS context");
        }
        this.tls = tls;
        this.webSocket = listener.webSocketPath().map(path -> WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(path)
            // the path may be followed by a query (?token=...), as some clients authenticate that way, or by
            // further segments (netty matches on a '/' or '?' boundary)
            .checkStartsWith(true)
            .subprotocols(SUBPROTOCOLS)
            .maxFramePayloadLength(maxPacketSize + FRAME_ALLOWANCE)
            .allowExtensions(false)
            .handleCloseFrames(true)
            .dropPongFrames(true)
            .build()).orElse(null);
    }

    /** Adds the listener's transport handlers at the end of the pipeline; the MQTT handlers go after them. */
    public void addHandlers(ChannelPipeline pipeline) {
        Channel channel = pipeline.channel();
        if (listener.transport() == Transport.TCP && !listener.proxyProtocol()) {
            // nothing stands between the socket and MQTT: everything is known already
            TransportInfo info = TransportInfo.withoutTls(listener, (InetSocketAddress) channel.remoteAddress());
            channel.attr(TransportInfo.KEY).set(info);
            LOG.debug("connection {}", info);
            return;
        }
        if (listener.proxyProtocol()) {
            pipeline.addLast(HandlerNames.PROXY_CHECK, new ProxyHeaderCheck())
                .addLast(HandlerNames.PROXY_DECODER, new HAProxyMessageDecoder(MAX_PROXY_TLV_BYTES))
                .addLast(HandlerNames.PROXY_MESSAGE, new ProxyMessageHandler());
        }
        if (tls != null) {
            pipeline.addLast(HandlerNames.TLS_SNI, new ListenerSniHandler(tls));
        }
        if (webSocket != null) {
            pipeline.addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec())
                .addLast(HandlerNames.HTTP_AGGREGATOR, new HttpObjectAggregator(MAX_UPGRADE_REQUEST_BODY))
                .addLast(HandlerNames.WEBSOCKET, new WebSocketServerProtocolHandler(webSocket))
                .addLast(HandlerNames.WEBSOCKET_FRAMES, new WebSocketFrameCodec());
        }
        pipeline.addLast(HandlerNames.TRANSPORT, new TransportHandler(listener));
    }
}
