package io.stratus.broker.transport;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.stratus.broker.config.Transport;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.Clients;
import io.stratus.broker.support.LogCapture;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.TestPki;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** MQTT over TLS with real clients: versions, providers, client certificates and SNI. */
class TlsListenerTest {

    private static final TestPki.Authority CA = TestPki.authority("Stratus Test CA");

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @TempDir
    Path dir;

    private TestPki.PemFiles serverFiles;

    @BeforeEach
    void writeServerCertificate() {
        serverFiles = CA.server().writeTo(dir.resolve("server.crt"), dir.resolve("server.key"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"jdk, TLSv1.2", "jdk, TLSv1.3", "openssl, TLSv1.2", "openssl, TLSv1.3"})
    void pahoPublishesAndReceivesOverTls(String provider, String protocol) throws Exception {
        TestBroker broker = start(settings().set("tls", "tls.provider", requireProvider(provider)));
        SubscriberInbox inbox = new SubscriberInbox();
        MqttClient client = paho(broker, "paho-tls", CA.socketFactory(null, protocol));
        client.setCallback(inbox.pahoV3());

        client.subscribe("tls/#", 1);
        client.publish("tls/paho", ("over " + protocol).getBytes(StandardCharsets.UTF_8), 1, false);

        assertEquals("over " + protocol, inbox.next().payload());
        TransportInfo info = broker.onlyConnection("tls");
        assertEquals(Transport.TLS, info.transport());
        assertEquals(protocol, info.tlsProtocol());
        assertNotNull(info.tlsCipherSuite());
        assertTrue(info.peerCertificates().isEmpty(), "no client certificate was sent");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"jdk, TLSv1.2", "jdk, TLSv1.3", "openssl, TLSv1.2", "openssl, TLSv1.3"})
    void hivemqClientPublishesAndReceivesOverTls(String provider, String protocol) throws Exception {
        TestBroker broker = start(settings().set("tls", "tls.provider", requireProvider(provider)));
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient client = fixture.clients().hivemqFrom(hivemq(broker, "hivemq-tls")
            .sslConfig().trustManagerFactory(CA.trustManagerFactory()).protocols(List.of(protocol)).applySslConfig());
        client.connect();
        client.toAsync().publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, inbox.hivemq());

        client.subscribeWith().topicFilter("tls/#").qos(MqttQos.AT_LEAST_ONCE).send();
        client.publishWith().topic("tls/hivemq").payload("over tls".getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE).send();

        assertEquals("over tls", inbox.next().payload());
        assertEquals(protocol, broker.onlyConnection("tls").tlsProtocol());
    }

    @Test
    void refusesAClientThatOffersOnlyTls12WhenTheListenerOffersOnlyTls13() throws Exception {
        TestBroker broker = start(settings().set("tls", "tls.protocols", "TLSv1.3"));

        MqttClient tls12 = paho(broker, "old-client", null);
        assertThrows(MqttException.class,
            () -> tls12.connect(Clients.pahoV3Options(CA.socketFactory(null, "TLSv1.2"))));

        MqttClient tls13 = paho(broker, "new-client", CA.socketFactory(null, "TLSv1.3"));
        assertTrue(tls13.isConnected());
        assertEquals("TLSv1.3", broker.onlyConnection("tls").tlsProtocol());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void requiredClientAuthRefusesAClientWithoutACertificate(String provider) {
        TestBroker broker = start(settings().set("tls", "tls.client-auth", "required")
            .set("tls", "tls.provider", requireProvider(provider)));
        MqttClient client = paho(broker, "anonymous-device", null);

        assertThrows(MqttException.class, () -> client.connect(Clients.pahoV3Options(CA.socketFactory(null))));

        assertTrue(broker.connections("tls").isEmpty(), "no connection got past TLS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void requiredClientAuthHandsTheClientChainToTheBroker(String provider) throws Exception {
        TestBroker broker = start(settings().set("tls", "tls.client-auth", "required")
            .set("tls", "tls.provider", requireProvider(provider)));
        TestPki.Issued device = CA.client("device-17");

        paho(broker, "device-17", CA.socketFactory(device));

        TransportInfo info = broker.onlyConnection("tls");
        assertEquals(List.of(device.certificate()), info.peerCertificates());
        assertTrue(info.hasClientCertificate());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void acceptsAClientCertificateFromAnyAuthorityLeavingTrustToAuthentication(String provider) throws Exception {
        TestBroker broker = start(settings().set("tls", "tls.client-auth", "required")
            .set("tls", "tls.provider", requireProvider(provider)));
        TestPki.Issued stranger = TestPki.authority("Some Tenant CA").client("tenant-device");

        paho(broker, "tenant-device", CA.socketFactory(stranger));

        assertEquals(stranger.certificate(), broker.onlyConnection("tls").peerCertificates().get(0));
    }

    @Test
    void optionalClientAuthAcceptsClientsWithAndWithoutACertificate() throws Exception {
        TestBroker broker = start(settings().set("tls", "tls.client-auth", "optional"));
        TestPki.Issued device = CA.client("device-1");

        paho(broker, "without", CA.socketFactory(null));
        paho(broker, "with", CA.socketFactory(device));

        List<TransportInfo> connections = broker.connections("tls");
        assertEquals(2, connections.size());
        assertEquals(1, connections.stream().filter(TransportInfo::hasClientCertificate).count());
    }

    @Test
    void theHostNameTheClientAsksForReachesTheBroker() throws Exception {
        TestBroker broker = start(settings());
        InetAddress tenantHost = InetAddress.getByAddress("acme." + TestPki.TEST_DOMAIN, new byte[] {127, 0, 0, 1});
        Mqtt5BlockingClient client = fixture.clients().hivemqFrom(Mqtt5Client.builder().identifier("sni-client")
            .serverAddress(new InetSocketAddress(tenantHost, broker.port("tls")))
            .sslConfig().trustManagerFactory(CA.trustManagerFactory()).applySslConfig());

        client.connect();

        assertEquals("acme." + TestPki.TEST_DOMAIN, broker.onlyConnection("tls").sniHostName());
    }

    @Test
    void aClientThatSendsNoHostNameHasNone() throws Exception {
        TestBroker broker = start(settings());

        // the JDK sends no SNI when it connects to an IP address
        try (SSLSocket socket = (SSLSocket) CA.socketFactory(null).createSocket("127.0.0.1", broker.port("tls"))) {
            connectOver(socket);

            TransportInfo info = broker.onlyConnection("tls");
            assertNull(info.sniHostName());
            assertEquals(socket.getLocalPort(), info.remoteAddress().getPort());
        }
    }

    @Test
    void plainMqttOnTheTlsPortIsClosedWithoutAWarning() throws Exception {
        TestBroker broker = start(settings());
        try (LogCapture logs = new LogCapture(); Socket socket = new Socket("127.0.0.1", broker.port("tls"))) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(Packets.connect(4, "plain"));

            assertEquals(-1, readUntilClosed(socket.getInputStream()));
            assertEquals(List.of(), logs.messages());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private ListenerSettings settings() {
        return new ListenerSettings().listener("tls", "tls", serverFiles);
    }

    private TestBroker start(ListenerSettings settings) {
        try {
            return fixture.start(settings.load()).broker();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String requireProvider(String provider) {
        assumeTrue(!provider.equals("openssl") || OpenSsl.isAvailable(), "OpenSSL does not load here");
        return provider;
    }

    /** @return a Paho 3.1.1 client of the TLS listener, connected if a socket factory is given */
    private MqttClient paho(TestBroker broker, String clientId, SSLSocketFactory factory) {
        MqttClient client = fixture.clients().pahoV3("ssl://127.0.0.1:" + broker.port("tls"), clientId);
        if (factory != null) {
            try {
                client.connect(Clients.pahoV3Options(factory));
            } catch (MqttException e) {
                throw new AssertionError("connect failed", e);
            }
        }
        return client;
    }

    private static Mqtt5ClientBuilder hivemq(TestBroker broker, String clientId) {
        return Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(broker.port("tls"));
    }

    /** Sends a 3.1.1 CONNECT over the socket and checks the CONNACK accepts it. */
    private static void connectOver(Socket socket) throws IOException {
        socket.setSoTimeout(5000);
        socket.getOutputStream().write(Packets.connect(4, "raw-tls"));
        byte[] connAck = new byte[4];
        new DataInputStream(socket.getInputStream()).readFully(connAck);
        assertEquals(Packets.CONNACK, connAck[0] & 0xFF);
        assertEquals(0, connAck[3], "return code");
    }

    private static int readUntilClosed(InputStream in) throws IOException {
        int b;
        while ((b = in.read()) >= 0) {
            // whatever comes (a TLS alert) before the end of the stream
        }
        return b;
    }
}
