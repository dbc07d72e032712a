package io.stratus.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The records check their own ranges, so a configuration built in code is as safe as a loaded one. */
class BrokerConfigTest {

    @Test
    void defaultsAndTheirEphemeralCopyAreValid() {
        BrokerConfig ephemeral = BrokerConfig.defaults().onEphemeralPorts();

        assertEquals(new ListenerConfig("tcp", "tcp", "127.0.0.1", 0), ephemeral.listeners().get(0));
    }

    @Test
    void refusesTwoListenersWithOneName() {
        ListenerConfig listener = new ListenerConfig("tcp", "tcp", "0.0.0.0", 1883);

        ConfigException e = assertThrows(ConfigException.class, () -> new BrokerConfig(List.of(listener, listener),
            LimitsConfig.defaults(), true, 10, 5));

        assertEquals("listeners.tcp", e.key());
    }

    @Test
    void refusesALimitOutOfRangeWhenBuiltInCode() {
        LimitsConfig d = LimitsConfig.defaults();

        ConfigException e = assertThrows(ConfigException.class, () -> new LimitsConfig(d.maxPacketSize(),
            d.maxTopicLength(), d.maxTopicLevels(), d.maxClientIdLength(), 0, d.maxInflightOutbound(),
            d.maxQueuedMessages(), d.maxQueuedBytes(), d.maxConnections(), d.maxKeepAliveSeconds(),
            d.topicAliasMaximum(), d.maxSessionExpirySeconds(), d.maxSubscriptionsPerClient(),
            d.connectTimeoutSeconds(), d.slowConsumerTimeoutSeconds()));

        assertEquals("limits.receive-maximum", e.key());
        assertEquals("limits.receive-maximum=0 is out of range; allowed: a whole number from 1 to 65535",
            e.getMessage());
    }

    @Test
    void refusesAListenerPortOutOfRangeNamingTheListenersKey() {
        ConfigException e = assertThrows(ConfigException.class,
            () -> new ListenerConfig("tls", "tcp", "0.0.0.0", 70000));

        assertEquals("listeners.tls.port", e.key());
        assertTrue(e.getMessage().contains("70000"), e.getMessage());
    }

    @Test
    void refusesTlsSettingsOnAPlainListenerBuiltInCode() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ListenerConfig("tcp", Transport.TCP,
            "0.0.0.0", 1883, Optional.of(TlsConfig.of(Path.of("a.crt"), Path.of("a.key"))), Optional.empty(), false));

        assertEquals("listeners.tcp.tls.cert-file", e.key());
    }

    @Test
    void refusesATlsListenerWithoutItsCertificateBuiltInCode() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ListenerConfig("tls", "tls", "0.0.0.0", 8883));

        assertEquals("listeners.tls.tls.cert-file", e.key());
    }

    @Test
    void refusesCipherSuitesNoneOfWhichSuitsAnOfferedProtocol() {
        TlsConfig tls13Only = new TlsConfig(Path.of("a.crt"), Path.of("a.key"), List.of("TLSv1.3"),
            List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), TlsConfig.ClientAuth.NONE, 10, TlsConfig.Provider.JDK);

        ConfigException e = assertThrows(ConfigException.class, () -> new ListenerConfig("tls", Transport.TLS,
            "0.0.0.0", 8883, Optional.of(tls13Only), Optional.empty(), false));

        assertEquals("listeners.tls.tls.ciphers", e.key());
        assertTrue(e.getMessage().contains("TLSv1.3"), e.getMessage());
    }

    @Test
    void ephemeralCopyKeepsTheTransportSettings() {
        ListenerConfig ws = new ListenerConfig("ws", Transport.WS, "0.0.0.0", 8083, Optional.empty(),
            Optional.of("/mqtt"), true);
        BrokerConfig config = new BrokerConfig(List.of(ws), LimitsConfig.defaults(), true, 10, 5);

        assertEquals(ws.withAddress("127.0.0.1", 0), config.onEphemeralPorts().listeners().get(0));
        assertEquals("ws://127.0.0.1:41234/mqtt", config.onEphemeralPorts().listeners().get(0).url(41234));
    }
}
