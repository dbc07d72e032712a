package io.stratus.broker.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a listener speaks. Every transport carries the same MQTT byte stream; TLS and WebSocket only
 * wrap it, so one pipeline serves them all.
 */
public enum Transport {

    /** Plain MQTT over TCP (port 1883 by convention). */
    TCP("tcp", false, false, "mqtt"),
    /** MQTT over TLS (port 8883 by convention). */
    TLS("tls", true, false, "mqtts"),
    /** MQTT over WebSocket (port 8083 by convention). */
    WS("ws", false, true, "ws"),
    /** MQTT over WebSocket over TLS (port 8084 by convention). */
    WSS("wss", true, true, "wss");

    private final String text;
    private final boolean tls;
    private final boolean webSocket;
    private final String scheme;

    Transport(String text, boolean tls, boolean webSocket, String scheme) {
        this.text = text;
        this.tls = tls;
        this.webSocket = webSocket;
        this.scheme = scheme;
    }

    /** @return the transport a configuration value names ({@code tcp}, {@code tls}, {@code ws}, {@code wss}) */
    public static Optional<Transport> of(String text) {
        return Arrays.stream(values()).filter(t -> t.text.equals(text.toLowerCase(Locale.ROOT))).findFirst();
    }

    /** @return every value a configuration may name, for messages: {@code tcp, tls, ws, wss} */
    static String allowed() {
        return Arrays.stream(values()).map(Transport::text).collect(Collectors.joining(", "));
    }

    /** @return the name used in configuration */
    public String text() {
        return text;
    }

    /** @return true if connections start with a TLS handshake */
    public boolean tls() {
        return tls;
    }

    /** @return true if MQTT travels in WebSocket frames after an HTTP upgrade */
    public boolean webSocket() {
        return webSocket;
    }

    /** @return the URL scheme clients use: {@code mqtt}, {@code mqtts}, {@code ws} or {@code wss} */
    public String scheme() {
        return scheme;
    }

    @Override
    public String toString() {
        return text;
    }
}
