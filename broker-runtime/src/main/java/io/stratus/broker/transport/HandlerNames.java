package io.stratus.broker.transport;

/** Names of the handlers in a connection's pipeline; every listener's pipeline is built from these. */
public final class HandlerNames {

    // Transport handlers, in pipeline order; a listener adds those its transport needs, before the MQTT ones.
    /** Closes a connection whose first bytes cannot be a PROXY header; removes itself after the signature. */
    public static final String PROXY_CHECK = "proxyCheck";
    /** Netty's PROXY protocol v1/v2 decoder; removes itself after the header. */
    public static final String PROXY_DECODER = "proxyDecoder";
    /** Records the client address the PROXY header names; removes itself after the header. */
    public static final String PROXY_MESSAGE = "proxyMessage";
    /** Reads SNI from the ClientHello, then is replaced by the {@link #TLS} handler. */
    public static final String TLS_SNI = "tlsSni";
    public static final String TLS = "tls";
    /** HTTP until the WebSocket upgrade, which replaces these two with netty's frame codec. */
    public static final String HTTP_CODEC = "httpCodec";
    public static final String HTTP_AGGREGATOR = "httpAggregator";
    public static final String WEBSOCKET = "webSocket";
    public static final String WEBSOCKET_FRAMES = "webSocketFrames";
    /** Publishes {@link TransportInfo}; the last transport handler. */
    public static final String TRANSPORT = "transport";

    // MQTT handlers.
    /** Removes itself once it has seen the CONNECT. */
    public static final String CONNECT_CHECK = "connectPropertyCheck";
    public static final String SUBSCRIBE_CHECK = "subscribeCheck";
    public static final String DECODER = "mqttDecoder";
    public static final String ENCODER = "mqttEncoder";
    public static final String CONNECTION = "mqttConnection";

    private HandlerNames() {
    }
}
