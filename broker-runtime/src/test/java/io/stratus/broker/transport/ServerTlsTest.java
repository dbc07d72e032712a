package io.stratus.broker.transport;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.stratus.broker.StratusBroker;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.ConfigException;
import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.support.TestPki;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Reading a TLS listener's files: what is refused at start-up and what a reload does. */
class ServerTlsTest {

    private static final TestPki.Authority CA = TestPki.authority("Stratus Files CA");

    @TempDir
    Path dir;

    private Path certFile;
    private Path keyFile;

    @BeforeEach
    void files() {
        certFile = dir.resolve("server.crt");
        keyFile = dir.resolve("server.key");
    }

    @Test
    void loadsAnRsaCertificateAndKey() {
        TestPki.Issued rsa = CA.server(BigInteger.valueOf(7), TestPki.KeyType.RSA);
        rsa.writeTo(certFile, keyFile);

        ServerTls tls = ServerTls.load(listener("jdk", "none"));

        assertEquals(rsa.certificate(), tls.certificate());
        assertEquals(SslProvider.JDK, tls.provider());
    }

    @Test
    void autoChoosesOpenSslWhenItLoads() {
        assumeTrue(OpenSsl.isAvailable(), "OpenSSL does not load here");
        CA.server().writeTo(certFile, keyFile);

        assertEquals(SslProvider.OPENSSL, ServerTls.load(listener("auto", "optional")).provider());
    }

    @Test
    void refusesAMissingCertificateFileNamingItsKey() {
        TestPki.write(keyFile, CA.server().keyPem());

        ConfigException e = assertThrows(ConfigException.class, () -> ServerTls.load(listener("auto", "none")));

        assertEquals("listeners.tls.tls.cert-file", e.key());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void refusesACertificateFileWithoutACertificate() {
        TestPki.Issued server = CA.server();
        TestPki.write(certFile, server.keyPem());
        TestPki.write(keyFile, server.keyPem());

        ConfigException e = assertThrows(ConfigException.class, () -> ServerTls.load(listener("auto", "none")));

        assertEquals("listeners.tls.tls.cert-file", e.key());
    }

    @Test
    void refusesAKeyInTheOlderFormatSayingHowToConvertIt() {
        TestPki.Issued server = CA.server();
        TestPki.write(certFile, server.certificatePem());
        TestPki.write(keyFile, server.legacyKeyPem());

        ConfigException e = assertThrows(ConfigException.class, () -> ServerTls.load(listener("auto", "none")));

        assertEquals("listeners.tls.tls.key-file", e.key());
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), e.getMessage());
        assertFalse(e.getMessage().contains(server.legacyKeyPem().lines().skip(1).findFirst().orElseThrow()),
            "the message must not quote the key");
    }

    @Test
    void refusesAKeyThatDoesNotBelongToTheCertificate() {
        TestPki.write(certFile, CA.server().certificatePem());
        TestPki.write(keyFile, CA.server().keyPem());

        ConfigException e = assertThrows(ConfigException.class, () -> ServerTls.load(listener("jdk", "none")));

        assertEquals("listeners.tls.tls.key-file", e.key());
        assertTrue(e.getMessage().contains("is not the private key of the certificate"), e.getMessage());
    }

    @Test
    void refusesACipherSuiteTheProviderDoesNotKnow() {
        CA.server().writeTo(certFile, keyFile);
        ListenerConfig listener = new ListenerSettings().listener("tls", "tls", new TestPki.PemFiles(certFile, keyFile))
            .set("tls", "tls.ciphers", "TLS_AES_128_GCM_SHA256,TLS_MADE_UP_WITH_NOTHING").load().listeners().get(1);

        ConfigException e = assertThrows(ConfigException.class, () -> ServerTls.load(listener));

        assertEquals("listeners.tls.tls.ciphers", e.key());
        assertTrue(e.getMessage().contains("TLS_MADE_UP_WITH_NOTHING"), e.getMessage());
    }

    @Test
    void theBrokerDoesNotStartWithABadCertificate() {
        TestPki.write(certFile, "not PEM at all");
        TestPki.write(keyFile, CA.server().keyPem());
        BrokerConfig config = new ListenerSettings().listener("tls", "tls", new TestPki.PemFiles(certFile, keyFile))
            .load();

        ConfigException e = assertThrows(ConfigException.class, () -> new StratusBroker(config));

        assertEquals("listeners.tls.tls.cert-file", e.key());
    }

    @Test
    void reloadUsesChangedFilesAndKeepsTheCurrentOnesWhenTheNewOnesCannotBeUsed() {
        TestPki.Issued first = CA.server();
        first.writeTo(certFile, keyFile);
        ServerTls tls = ServerTls.load(listener("auto", "none"));
        assertFalse(tls.reloadIfChanged(), "nothing changed");

        TestPki.Issued second = CA.server();
        TestPki.write(certFile, second.certificatePem());
        assertFalse(tls.reloadIfChanged(), "the key file still holds the first key");
        assertEquals(first.certificate(), tls.certificate());

        TestPki.write(keyFile, second.keyPem());
        assertTrue(tls.reloadIfChanged());
        assertEquals(second.certificate(), tls.certificate());
    }

    private ListenerConfig listener(String provider, String clientAuth) {
        return new ListenerSettings().listener("tls", "tls", new TestPki.PemFiles(certFile, keyFile))
            .set("tls", "tls.provider", provider).set("tls", "tls.client-auth", clientAuth)
            .load().listeners().get(1);
    }
}
