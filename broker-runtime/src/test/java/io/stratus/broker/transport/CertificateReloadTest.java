package io.stratus.broker.transport;

import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.Clients;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.LogCapture;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.TestPki;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A TLS listener picks up replaced certificate files without a restart, and ignores bad ones. */
class CertificateReloadTest {

    private static final TestPki.Authority CA = TestPki.authority("Stratus Reload CA");
    private static final Duration RELOAD_WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @TempDir
    Path dir;

    private Path certFile;
    private Path keyFile;
    private TestPki.Issued first;
    private TestBroker broker;

    @BeforeEach
    void startWithFirstCertificate() throws Exception {
        certFile = dir.resolve("server.crt");
        keyFile = dir.resolve("server.key");
        first = CA.server(BigInteger.valueOf(1001), TestPki.KeyType.EC);
        TestPki.PemFiles files = first.writeTo(certFile, keyFile);
        broker = fixture.start(new ListenerSettings().listener("tls", "tls", files)
            .set("tls", "tls.reload-interval-seconds", "1").load()).broker();
    }

    @Test
    void newConnectionsGetTheReplacedCertificateWhileOpenOnesStay() throws Exception {
        assertEquals(first.serial(), servedSerial());
        SubscriberInbox inbox = new SubscriberInbox();
        MqttClient before = connect("before");
        before.setCallback(inbox.pahoV3());
        before.subscribe("reload/#", 1);

        TestPki.Issued second = CA.server(BigInteger.valueOf(1002), TestPki.KeyType.RSA);
        second.writeTo(certFile, keyFile);
        Eventually.await(RELOAD_WAIT, "new connections get serial 1002", () -> second.serial().equals(servedSerial()));

        MqttClient after = connect("after");
        after.publish("reload/news", "renewed".getBytes(StandardCharsets.UTF_8), 1, false);
        assertEquals("renewed", inbox.next().payload());
        assertTrue(before.isConnected(), "the connection opened with the first certificate is still up");
    }

    @Test
    void aReplacementThatCannotBeUsedKeepsTheCurrentCertificate() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            TestPki.write(certFile, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

            Eventually.await(RELOAD_WAIT, "the bad file is noticed", () -> logs.messages().stream()
                .anyMatch(m -> m.contains("listener tls: certificate files changed but cannot be used")));

            assertEquals(first.serial(), servedSerial());
            assertTrue(connect("still-served").isConnected());
        }
    }

    @Test
    void aKeyThatDoesNotBelongToTheNewCertificateKeepsTheCurrentOne() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            TestPki.Issued second = CA.server(BigInteger.valueOf(1003), TestPki.KeyType.EC);
            TestPki.write(certFile, second.certificatePem()); // the key file still holds the first key

            Eventually.await(RELOAD_WAIT, "the mismatch is noticed", () -> logs.messages().stream()
                .anyMatch(m -> m.contains("is not the private key of the certificate")));
            assertEquals(first.serial(), servedSerial());

            TestPki.write(keyFile, second.keyPem());
            Eventually.await(RELOAD_WAIT, "the completed pair is used", () -> second.serial().equals(servedSerial()));
        }
    }

    /** @return the serial number of the certificate a new TLS connection is served, or null if none completes */
    private BigInteger servedSerial() {
        try (SSLSocket socket = (SSLSocket) CA.socketFactory(null).createSocket("127.0.0.1", broker.port("tls"))) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        } catch (IOException e) {
            return null;
        }
    }

    private MqttClient connect(String clientId) throws Exception {
        MqttClient client = fixture.clients().pahoV3("ssl://127.0.0.1:" + broker.port("tls"), clientId);
        client.connect(Clients.pahoV3Options(CA.socketFactory(null)));
        return client;
    }
}
