package io.stratus.broker.config;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One network listener: where it binds and how it speaks. TLS and WebSocket settings are present
 * exactly when the transport uses them, so a listener cannot carry settings it would ignore.
 *
 * @param name          its name, as used in configuration keys ({@code listeners.<name>.port})
 * @param transport     how it speaks: {@code tcp}, {@code tls}, {@code ws} or {@code wss}
 * @param host          the address to bind
 * @param port          the port to bind; 0 picks a free one (tests)
 * @param tls           the TLS settings; present for {@code tls} and {@code wss} only
 * @param webSocketPath the HTTP path clients upgrade on; present for {@code ws} and {@code wss} only
 * @param proxyProtocol whether every connection starts with a PROXY protocol (v1 or v2) header that
 *                      names the client's real address, as a load balancer in front sends it
 */
public record ListenerConfig(String name, Transport transport, String host, int port, Optional<TlsConfig> tls,
                             Optional<String> webSocketPath, boolean proxyProtocol) {

    public static final String TRANSPORT = "transport";
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String PROXY_PROTOCOL = "proxy-protocol";
    public static final String WS_PATH = "ws.path";
    public static final String TLS_CERT_FILE = "tls.cert-file";
    public static final String TLS_KEY_FILE = "tls.key-file";
    public static final String TLS_PROTOCOLS = "tls.protocols";
    public static final String TLS_CIPHERS = "tls.ciphers";
    public static final String TLS_CLIENT_AUTH = "tls.client-auth";
    public static final String TLS_RELOAD_INTERVAL = "tls.reload-interval-seconds";
    public static final String TLS_PROVIDER = "tls.provider";

    /** Every property a listener has, in documentation order. */
    static final List<String> PROPERTIES = List.of(TRANSPORT, HOST, PORT, PROXY_PROTOCOL, WS_PATH, TLS_CERT_FILE,
        TLS_KEY_FILE, TLS_PROTOCOLS, TLS_CIPHERS, TLS_CLIENT_AUTH, TLS_RELOAD_INTERVAL, TLS_PROVIDER);

    /** Where MQTT clients (Paho, HiveMQ, mqtt.js) look by default. */
    public static final String DEFAULT_WEBSOCKET_PATH = "/mqtt";

    /**
     * Lower-case letters, digits and inner hyphens: a name that survives the round trip through an
     * environment variable ({@code STRATUS_LISTENERS_TCP_INTERNAL_PORT} is {@code tcp-internal}).
     */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    /** An absolute path without a query, fragment or spaces; HTTP request targets are compared to it. */
    private static final Pattern WEBSOCKET_PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,255}");
    /** A cipher suite name as the JDK and OpenSSL spell them. */
    private static final Pattern CIPHER = Pattern.compile("[A-Za-z0-9_-]+");

    /** @throws ConfigException if a component is not allowed; the message names its key */
    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(webSocketPath, "webSocketPath");
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException("listeners." + name, "listeners." + name + ": listener name " + name
                + " is not valid; allowed: lower-case letters and digits, with single '-' between them");
        }
        if (host.isBlank()) {
            throw ConfigException.invalidValue(key(name, HOST), host, "empty", "a host name or IP address to bind");
        }
        portSetting(name).check(port);
        if (transport.tls() != tls.isPresent()) {
            throw tls.isPresent() ? withoutUse(name, transport, TLS_CERT_FILE, "tls or wss")
                : notSet(name, TLS_CERT_FILE, "the path of a PEM file with the server certificate");
        }
        if (transport.webSocket() != webSocketPath.isPresent()) {
            throw webSocketPath.isPresent() ? withoutUse(name, transport, WS_PATH, "ws or wss")
                : notSet(name, WS_PATH, "an HTTP path such as " + DEFAULT_WEBSOCKET_PATH);
        }
        webSocketPath.ifPresent(path -> {
            if (!WEBSOCKET_PATH.matcher(path).matches()) {
                throw ConfigException.invalidValue(key(name, WS_PATH), path, "not a valid path",
                    "'/' followed by up to 255 URL path characters, without '?', '#' or spaces");
            }
        });
        tls.ifPresent(t -> checkTls(name, t));
    }

    /**
     * A listener without TLS or a PROXY header: {@code tcp}, or {@code ws} on the default path.
     *
     * @throws ConfigException if the transport is not one of those, or a component is not allowed
     */
    public ListenerConfig(String name, String transport, String host, int port) {
        this(name, plainTransport(name, transport), host, port, Optional.empty(),
            plainTransport(name, transport).webSocket() ? Optional.of(DEFAULT_WEBSOCKET_PATH) : Optional.empty(),
            false);
    }

    private static Transport plainTransport(String name, String text) {
        Transport transport = Transport.of(text).orElseThrow(() -> ConfigException.invalidValue(
            key(name, TRANSPORT), text, "not a supported transport", Transport.allowed()));
        if (transport.tls()) {
            throw notSet(name, TLS_CERT_FILE, "the path of a PEM file with the server certificate");
        }
        return transport;
    }

    private static void checkTls(String name, TlsConfig tls) {
        if (tls.certFile().toString().isEmpty()) {
            throw notSet(name, TLS_CERT_FILE, "the path of a PEM file with the server certificate");
        }
        if (tls.keyFile().toString().isEmpty()) {
            throw notSet(name, TLS_KEY_FILE, "the path of a PEM file with the certificate's private key");
        }
        Set<String> protocols = new HashSet<>(tls.protocols());
        if (tls.protocols().isEmpty() || protocols.size() < tls.protocols().size()
            || !TlsConfig.SUPPORTED_PROTOCOLS.containsAll(protocols)) {
            throw ConfigException.invalidValue(key(name, TLS_PROTOCOLS), String.join(",", tls.protocols()),
                "not a list of supported protocols", "TLSv1.3, TLSv1.2 or both, comma-separated, each once");
        }
        for (String cipher : tls.ciphers()) {
            if (!CIPHER.matcher(cipher).matches()) {
                throw ConfigException.invalidValue(key(name, TLS_CIPHERS), String.join(",", tls.ciphers()),
                    "not a list of cipher suite names",
                    "names such as TLS_AES_128_GCM_SHA256, comma-separated; empty for the provider's defaults");
            }
        }
        for (String protocol : tls.protocols()) {
            boolean tls13 = protocol.equals("TLSv1.3");
            if (!tls.ciphers().isEmpty() && tls.ciphers().stream().noneMatch(c -> isTls13Suite(c) == tls13)) {
                throw ConfigException.invalidValue(key(name, TLS_CIPHERS), String.join(",", tls.ciphers()),
                    "without a cipher suite for " + protocol + ", which " + key(name, TLS_PROTOCOLS) + " offers",
                    "at least one suite for each protocol offered (TLS 1.3 suites are named TLS_AES_... and "
                        + "TLS_CHACHA20_..., TLS 1.2 suites TLS_..._WITH_...)");
            }
        }
        reloadIntervalSetting(name).check(tls.reloadIntervalSeconds());
    }

    /** TLS 1.3 suites name only the record protection (TLS_AES_128_GCM_SHA256); older ones say "_WITH_". */
    private static boolean isTls13Suite(String cipher) {
        return cipher.startsWith("TLS_") && !cipher.contains("_WITH_");
    }

    /** @return the key of one of this listener's properties, e.g. {@code listeners.tls.tls.cert-file} */
    public String key(String property) {
        return key(name, property);
    }

    /**
     * @param boundPort the port actually bound (differs from {@link #port} when that is 0)
     * @return the URL clients use, e.g. {@code mqtts://0.0.0.0:8883} or {@code ws://[::]:8083/mqtt}
     */
    public String url(int boundPort) {
        String bracketed = host.contains(":") ? "[" + host + "]" : host;
        return transport.scheme() + "://" + bracketed + ":" + boundPort + webSocketPath.orElse("");
    }

    /** @return a copy bound elsewhere (tests bind 127.0.0.1 on an ephemeral port) */
    public ListenerConfig withAddress(String newHost, int newPort) {
        return new ListenerConfig(name, transport, newHost, newPort, tls, webSocketPath, proxyProtocol);
    }

    /** @return every property this listener has, key to value as a configuration file would state it */
    Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(key(TRANSPORT), transport.text());
        settings.put(key(HOST), host);
        settings.put(key(PORT), Integer.toString(port));
        settings.put(key(PROXY_PROTOCOL), Boolean.toString(proxyProtocol));
        webSocketPath.ifPresent(path -> settings.put(key(WS_PATH), path));
        tls.ifPresent(t -> {
            settings.put(key(TLS_CERT_FILE), t.certFile().toString());
            settings.put(key(TLS_KEY_FILE), t.keyFile().toString());
            settings.put(key(TLS_PROTOCOLS), String.join(",", t.protocols()));
            settings.put(key(TLS_CIPHERS), String.join(",", t.ciphers()));
            settings.put(key(TLS_CLIENT_AUTH), t.clientAuth().toString());
            settings.put(key(TLS_RELOAD_INTERVAL), Integer.toString(t.reloadIntervalSeconds()));
            settings.put(key(TLS_PROVIDER), t.provider().toString());
        });
        return settings;
    }

    /** @return the key of one of a listener's properties, e.g. {@code listeners.tcp.port} */
    static String key(String listenerName, String property) {
        return "listeners." + listenerName + "." + property;
    }

    /** @return the port setting of the named listener: 0 (any free port) to 65535 */
    static NumberSetting portSetting(String listenerName) {
        return new NumberSetting(key(listenerName, PORT), 0, 65_535);
    }

    /** @return the certificate check interval of the named listener: 0 (never) to a day */
    static NumberSetting reloadIntervalSetting(String listenerName) {
        return new NumberSetting(key(listenerName, TLS_RELOAD_INTERVAL), 0, 86_400);
    }

    /** @return "the key is not set" for a setting the listener's transport needs */
    static ConfigException notSet(String listenerName, String property, String allowed) {
        String key = key(listenerName, property);
        return new ConfigException(key, key + " is not set; allowed: " + allowed + " (listeners."
            + listenerName + "." + TRANSPORT + " needs it)");
    }

    /** @return "the key is set but the transport does not use it" */
    static ConfigException withoutUse(String listenerName, Transport transport, String property, String transports) {
        String key = key(listenerName, property);
        return new ConfigException(key, key + " is set, but listeners." + listenerName + "." + TRANSPORT + "="
            + transport + " does not use it; allowed only when the transport is " + transports);
    }
}
