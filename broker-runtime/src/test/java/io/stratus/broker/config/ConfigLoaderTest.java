package io.stratus.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void givesTheDefaultsWhenNothingIsConfigured() {
        BrokerConfig config = ConfigLoader.load(Optional.empty(), Map.of(), Map.of());

        assertEquals(BrokerConfig.defaults(), config);
    }

    @Test
    void exampleConfigFileStatesEveryDefault() throws IOException {
        // The documented example lives at the module root; Maven runs tests from there.
        Path example = Path.of("stratus-broker.properties");
        String text = Files.readString(example);

        BrokerConfig config = ConfigLoader.load(Optional.of(example), Map.of(), Map.of());

        assertEquals(BrokerConfig.defaults(), config);
        ConfigLoader.defaultSettings().forEach((key, value) ->
            assertTrue(text.contains("\n" + key + "=" + value + "\n"), "example file lacks " + key + "=" + value));
    }

    @Test
    void readsThePluginsDirectoryFromTheEnvironment() {
        BrokerConfig config = ConfigLoader.load(Optional.empty(), Map.of("STRATUS_PLUGINS_DIR", "/opt/stratus/plugins"),
            Map.of());

        assertEquals("/opt/stratus/plugins", config.pluginsDir());
        assertEquals("", BrokerConfig.defaults().pluginsDir(), "no plugins unless configured");
    }

    @Test
    void fileOverridesTheDefaults() throws IOException {
        Path file = file("""
            listeners.tcp.host=127.0.0.1
            listeners.tcp.port=1884
            limits.max-packet-size=65536
            limits.max-queued-bytes=4096
            limits.max-session-expiry=4294967295
            allow-anonymous=false
            sys.interval=0
            shutdown.grace=30
            """);

        BrokerConfig config = ConfigLoader.load(Optional.of(file), Map.of(), Map.of());

        assertEquals(List.of(new ListenerConfig("tcp", "tcp", "127.0.0.1", 1884)), config.listeners());
        assertEquals(65536, config.limits().maxPacketSize());
        assertEquals(4096L, config.limits().maxQueuedBytes());
        assertEquals(4294967295L, config.limits().maxSessionExpirySeconds());
        assertEquals(LimitsConfig.defaults().receiveMaximum(), config.limits().receiveMaximum());
        assertFalse(config.allowAnonymous());
        assertEquals(0, config.sysIntervalSeconds());
        assertEquals(30, config.shutdownGraceSeconds());
    }

    @Test
    void readsTheFileNamedByStratusConfigWhenNoFlagNamesOne() throws IOException {
        Path file = file("limits.receive-maximum=7\n");

        BrokerConfig config = ConfigLoader.load(Optional.empty(),
            Map.of("STRATUS_CONFIG", file.toString()), Map.of());

        assertEquals(7, config.limits().receiveMaximum());
    }

    @Test
    void configFlagBeatsStratusConfigVariable() throws IOException {
        Path fromVariable = file("limits.receive-maximum=7\n");
        Path fromFlag = Files.writeString(dir.resolve("flag.properties"), "limits.receive-maximum=8\n");

        BrokerConfig config = ConfigLoader.load(Optional.of(fromFlag),
            Map.of("STRATUS_CONFIG", fromVariable.toString()), Map.of());

        assertEquals(8, config.limits().receiveMaximum());
    }

    @Test
    void environmentBeatsTheFile() throws IOException {
        Path file = file("""
            listeners.tcp.port=1884
            limits.max-packet-size=65536
            limits.topic-alias-maximum=5
            """);
        Map<String, String> environment = Map.of(
            "STRATUS_LISTENERS_TCP_PORT", "1885",
            "STRATUS_LIMITS_MAX_PACKET_SIZE", "2048",
            "STRATUS_ALLOW_ANONYMOUS", "FALSE",
            "PATH", "/usr/bin",
            "HOME", "/root");

        BrokerConfig config = ConfigLoader.load(Optional.of(file), environment, Map.of());

        assertEquals(1885, config.listeners().get(0).port());
        assertEquals(2048, config.limits().maxPacketSize());
        assertEquals(5, config.limits().topicAliasMaximum());
        assertFalse(config.allowAnonymous());
    }

    @Test
    void commandLineBeatsTheEnvironment() throws IOException {
        Path file = file("listeners.tcp.port=1884\n");
        Map<String, String> environment = Map.of(
            "STRATUS_LISTENERS_TCP_PORT", "1885",
            "STRATUS_SHUTDOWN_GRACE", "9");
        Map<String, String> overrides = Map.of(
            "listeners.tcp.port", "1886",
            "shutdown.grace", "1");

        BrokerConfig config = ConfigLoader.load(Optional.of(file), environment, overrides);

        assertEquals(1886, config.listeners().get(0).port());
        assertEquals(1, config.shutdownGraceSeconds());
    }

    @Test
    void fileMayDefineAnotherListener() throws IOException {
        Path file = file("""
            listeners.tcp2.port=1884
            listeners.local.host=127.0.0.1
            listeners.local.port=0
            """);

        BrokerConfig config = ConfigLoader.load(Optional.of(file), Map.of(), Map.of());

        assertEquals(List.of(
            new ListenerConfig("tcp", "tcp", "0.0.0.0", 1883),
            new ListenerConfig("local", "tcp", "127.0.0.1", 0),
            new ListenerConfig("tcp2", "tcp", "0.0.0.0", 1884)), config.listeners());
    }

    @Test
    void environmentMayConfigureAListenerWithAHyphenatedName() throws IOException {
        Path file = file("listeners.tcp-internal.port=1884\n");

        BrokerConfig config = ConfigLoader.load(Optional.of(file),
            Map.of("STRATUS_LISTENERS_TCP_INTERNAL_HOST", "10.0.0.5"),
            Map.of());

        assertEquals(new ListenerConfig("tcp-internal", "tcp", "10.0.0.5", 1884), config.listeners().get(1));
    }

    @Test
    void readsATlsListenerWithEverySetting() {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("listeners.secure.transport", "tls");
        overrides.put("listeners.secure.port", "8883");
        overrides.put("listeners.secure.proxy-protocol", "true");
        overrides.put("listeners.secure.tls.cert-file", "/etc/stratus/server.crt");
        overrides.put("listeners.secure.tls.key-file", "/etc/stratus/server.key");
        overrides.put("listeners.secure.tls.protocols", "tlsv1.3");
        overrides.put("listeners.secure.tls.ciphers", "TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256");
        overrides.put("listeners.secure.tls.client-auth", "REQUIRED");
        overrides.put("listeners.secure.tls.reload-interval-seconds", "60");
        overrides.put("listeners.secure.tls.provider", "jdk");

        BrokerConfig config = ConfigLoader.load(Optional.empty(), Map.of(), overrides);

        assertEquals(new ListenerConfig("secure", Transport.TLS, "0.0.0.0", 8883,
            Optional.of(new TlsConfig(Path.of("/etc/stratus/server.crt"), Path.of("/etc/stratus/server.key"),
                List.of("TLSv1.3"), List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"),
                TlsConfig.ClientAuth.REQUIRED, 60, TlsConfig.Provider.JDK)),
            Optional.empty(), true), config.listeners().get(1));
    }

    @Test
    void aSecureWebSocketListenerGetsTheDefaultsOfBothLayers() {
        BrokerConfig config = ConfigLoader.load(Optional.empty(), Map.of(), Map.of(
            "listeners.wss.transport", "wss",
            "listeners.wss.port", "8084",
            "listeners.wss.tls.cert-file", "server.crt",
            "listeners.wss.tls.key-file", "server.key"));

        ListenerConfig wss = config.listeners().get(1);
        assertEquals(Optional.of(TlsConfig.of(Path.of("server.crt"), Path.of("server.key"))), wss.tls());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), wss.tls().orElseThrow().protocols());
        assertEquals(Optional.of("/mqtt"), wss.webSocketPath());
        assertFalse(wss.proxyProtocol());
        assertEquals("wss://0.0.0.0:8084/mqtt", wss.url(8084));
    }

    @Test
    void environmentVariablesSetTheTlsSettingsOfAHyphenatedListener() {
        BrokerConfig config = ConfigLoader.load(Optional.empty(), Map.of(
            "STRATUS_LISTENERS_TLS_INTERNAL_TRANSPORT", "tls",
            "STRATUS_LISTENERS_TLS_INTERNAL_PORT", "8883",
            "STRATUS_LISTENERS_TLS_INTERNAL_TLS_CERT_FILE", "a.crt",
            "STRATUS_LISTENERS_TLS_INTERNAL_TLS_KEY_FILE", "a.key",
            "STRATUS_LISTENERS_TLS_INTERNAL_TLS_CLIENT_AUTH", "optional",
            "STRATUS_LISTENERS_TLS_INTERNAL_PROXY_PROTOCOL", "true"), Map.of());

        ListenerConfig listener = config.listeners().get(1);
        assertEquals("tls-internal", listener.name());
        assertEquals(Path.of("a.crt"), listener.tls().orElseThrow().certFile());
        assertEquals(TlsConfig.ClientAuth.OPTIONAL, listener.tls().orElseThrow().clientAuth());
        assertTrue(listener.proxyProtocol());
    }

    @Test
    void refusesATlsListenerWithoutACertificateFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
            Map.of("listeners.tls.transport", "tls", "listeners.tls.port", "8883",
                "listeners.tls.tls.key-file", "server.key")));

        assertEquals("listeners.tls.tls.cert-file", e.key());
        assertTrue(e.getMessage().contains("is not set"), e.getMessage());
    }

    @Test
    void refusesTlsSettingsOnAListenerWithoutTls() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
            Map.of("listeners.tcp.tls.cert-file", "server.crt")));

        assertEquals("listeners.tcp.tls.cert-file", e.key());
        assertTrue(e.getMessage().contains("listeners.tcp.transport=tcp does not use it"), e.getMessage());
        assertTrue(e.getMessage().contains("from the command line"), e.getMessage());
    }

    @Test
    void refusesAWebSocketPathOnAListenerWithoutWebSocket() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
            Map.of("listeners.tcp.ws.path", "/mqtt")));

        assertEquals("listeners.tcp.ws.path", e.key());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
        listeners.wss.tls.protocols                | TLSv1.1              | TLSv1.3, TLSv1.2
        listeners.wss.tls.protocols                | TLSv1.3,TLSv1.3      | each once
        listeners.wss.tls.protocols                | ''                   | TLSv1.3, TLSv1.2
        listeners.wss.tls.ciphers                  | 'AES GCM'            | comma-separated
        listeners.wss.tls.client-auth              | maybe                | none, optional, required
        listeners.wss.tls.reload-interval-seconds  | -1                   | 0 to 86400
        listeners.wss.tls.provider                 | bouncycastle         | auto, openssl, jdk
        listeners.wss.ws.path                      | mqtt                 | '/' followed by
        listeners.wss.ws.path                      | /mqtt?x=1            | without '?'
        listeners.wss.proxy-protocol               | yes                  | true or false
        """)
    void refusesABadListenerValueNamingTheKey(String key, String value, String allowed) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("listeners.wss.transport", "wss");
        overrides.put("listeners.wss.port", "8084");
        overrides.put("listeners.wss.tls.cert-file", "server.crt");
        overrides.put("listeners.wss.tls.key-file", "server.key");
        overrides.put(key, value);

        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.empty(), Map.of(), overrides));

        assertEquals(key, e.key());
        assertTrue(e.getMessage().startsWith(key + "="), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
    }

    @Test
    void suggestsTheNearestListenerProperty() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), Map.of(),
            Map.of("listeners.secure.tls.cert-fil", "server.crt")));

        assertTrue(e.getMessage().contains("did you mean listeners.secure.tls.cert-file?"), e.getMessage());
    }

    @Test
    void refusesAListenerWithoutAPort() {
        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of("listeners.tcp2.host", "127.0.0.1")));

        assertEquals("listeners.tcp2.port", e.key());
        assertTrue(e.getMessage().contains("0 to 65535"), e.getMessage());
    }

    @Test
    void refusesAnUnknownKeyInTheFileAndSuggestsTheNearestKey() throws IOException {
        Path file = file("""
            listeners.tcp.port=1884
            limits.max-pakcet-size=65536
            """);

        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));

        assertEquals("limits.max-pakcet-size", e.key());
        assertTrue(e.getMessage().contains("unknown key limits.max-pakcet-size"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean limits.max-packet-size?"), e.getMessage());
    }

    @Test
    void refusesAnUnknownListenerProperty() throws IOException {
        Path file = file("listeners.tcp.prot=1884\n");

        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));

        assertEquals("listeners.tcp.prot", e.key());
    }

    @Test
    void refusesAnUnknownKeyOnTheCommandLine() {
        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of("limits.max-conections", "5")));

        assertEquals("limits.max-conections", e.key());
        assertTrue(e.getMessage().contains("command line"), e.getMessage());
    }

    @Test
    void refusesAnUnknownStratusEnvironmentVariable() {
        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.empty(), Map.of("STRATUS_LIMITS_MAX_PAKET_SIZE", "5"), Map.of()));

        assertEquals("STRATUS_LIMITS_MAX_PAKET_SIZE", e.key());
        assertTrue(e.getMessage().contains("STRATUS_LIMITS_MAX_PACKET_SIZE"), e.getMessage());
    }

    @Test
    void refusesAMissingConfigFileNamingTheFile() {
        Path missing = dir.resolve("missing.properties");

        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.empty(), Map.of("STRATUS_CONFIG", missing.toString()), Map.of()));

        assertEquals("STRATUS_CONFIG", e.key());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
        listeners.tcp.port                  | 65536      | 0 to 65535
        listeners.tcp.port                  | -1         | 0 to 65535
        listeners.tcp.port                  | http       | 0 to 65535
        listeners.tcp.transport             | quic       | tcp, tls, ws, wss
        listeners.tcp.host                  | ''         | host name or IP address
        limits.max-packet-size              | 0          | 1 to 268435455
        limits.max-packet-size              | 268435456  | 1 to 268435455
        limits.max-packet-size              | 1MB        | 1 to 268435455
        limits.max-packet-size              | 99999999999 | 1 to 268435455
        limits.max-topic-length             | 0          | 1 to 65535
        limits.max-topic-levels             | 0          | 1 to 65535
        limits.max-client-id-length         | 0          | 1 to 65535
        limits.receive-maximum              | 0          | 1 to 65535
        limits.receive-maximum              | 65536      | 1 to 65535
        limits.max-inflight-outbound        | 0          | 1 to 65535
        limits.max-queued-messages          | 0          | 1 to 2147483647
        limits.max-queued-bytes             | 0          | at least 1
        limits.max-queued-bytes             | 1.5        | at least 1
        limits.max-connections              | -5         | 1 to 2147483647
        limits.max-keep-alive               | 65536      | 0 to 65535
        limits.max-keep-alive               | -1         | 0 to 65535
        limits.topic-alias-maximum          | 65536      | 0 to 65535
        limits.max-session-expiry           | 4294967296 | 0 to 4294967295
        limits.max-subscriptions-per-client | 0          | 1 to 2147483647
        limits.connect-timeout              | 0          | 1 to 2147483647
        limits.slow-consumer-timeout        | -1         | 0 to 2147483647
        allow-anonymous                     | yes        | true or false
        sys.interval                        | -1         | 0 to 2147483647
        shutdown.grace                      | soon       | 0 to 2147483647
        """)
    void refusesABadValueNamingTheKeyTheValueAndWhatIsAllowed(String key, String value, String allowed) {
        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of(key, value)));

        assertEquals(key, e.key());
        assertTrue(e.getMessage().startsWith(key + "=" + value + " is "), e.getMessage());
        assertTrue(e.getMessage().contains("allowed: "), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
    }

    @Test
    void badValueFromTheEnvironmentNamesTheVariable() {
        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.empty(), Map.of("STRATUS_LIMITS_RECEIVE_MAXIMUM", "0"), Map.of()));

        assertEquals("limits.receive-maximum", e.key());
        assertTrue(e.getMessage().contains("STRATUS_LIMITS_RECEIVE_MAXIMUM"), e.getMessage());
    }

    @Test
    void badValueInTheFileNamesTheFile() throws IOException {
        Path file = file("limits.topic-alias-maximum=70000\n");

        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));

        assertEquals("limits.topic-alias-maximum", e.key());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void badValueInTheFileIsFineWhenTheCommandLineReplacesIt() throws IOException {
        Path file = file("listeners.tcp.port=not-a-port\n");

        BrokerConfig config = ConfigLoader.load(Optional.of(file), Map.of(), Map.of("listeners.tcp.port", "1884"));

        assertEquals(1884, config.listeners().get(0).port());
    }

    @Test
    void refusesAListenerNameThatNoEnvironmentVariableCouldSpell() throws IOException {
        Path file = file("listeners.Tcp_2.port=1884\n");

        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));

        assertEquals("listeners.Tcp_2", e.key());
        assertTrue(e.getMessage().contains("lower-case letters"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void trimsSpacesAroundValues() throws IOException {
        Path file = file("listeners.tcp.port = 1884   \n");

        BrokerConfig config = ConfigLoader.load(Optional.of(file), Map.of(), Map.of());

        assertEquals(1884, config.listeners().get(0).port());
    }

    @Test
    void environmentVariableOfAKeyIsUpperCaseWithUnderscores() {
        assertEquals("STRATUS_LIMITS_MAX_PACKET_SIZE", ConfigLoader.environmentVariable("limits.max-packet-size"));
        assertEquals("STRATUS_LISTENERS_TCP_PORT", ConfigLoader.environmentVariable("listeners.tcp.port"));
    }

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("stratus.properties"), text);
    }
}
