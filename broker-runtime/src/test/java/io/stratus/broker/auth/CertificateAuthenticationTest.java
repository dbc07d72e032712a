package io.stratus.broker.auth;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.support.AuthFixtures;
import io.stratus.broker.support.Clients;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.TestPki;
import io.stratus.broker.tenant.StaticTenantDirectory;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantsFile;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocketFactory;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Devices that prove who they are with a client certificate over real mutual TLS: the tenant is the
 * one whose registered CA issued it, or the one the SNI host name names.
 */
class CertificateAuthenticationTest {

    private static final TestPki.Authority SERVER_CA = TestPki.authority("Stratus Server CA");
    private static final BigInteger REVOKED_SERIAL = new BigInteger("7a11ce", 16);

    @TempDir
    static Path dir;

    private static AuthFixtures.Issued acmeCa;
    private static AuthFixtures.Issued globexCa;
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        acmeCa = AuthFixtures.ca("Acme Devices CA");
        globexCa = AuthFixtures.ca("Globex Devices CA");
        TestPki.PemFiles server = SERVER_CA.server().writeTo(dir.resolve("server.crt"), dir.resolve("server.key"));
        String json = """
            {
              "sni-domain": "%s",
              "tenants": [
                {"id": "acme", "auth": [{"type": "x509", "ca-certificates": ["%s"], "identity": "cn",
                                          "revoked-serials": ["%s"]}]},
                {"id": "globex", "auth": [{"type": "x509", "ca-certificates": ["%s"]}]}
              ]
            }
            """.formatted(TestPki.TEST_DOMAIN, pemOf(acmeCa), REVOKED_SERIAL.toString(16), pemOf(globexCa));
        ListenerConfig listener = server.listenerAskingForClientCertificates();
        BrokerConfig d = BrokerConfig.defaults();
        BrokerConfig config = new BrokerConfig(List.of(d.listeners().get(0), listener), d.limits(), d.allowAnonymous(),
            0, d.shutdownGraceSeconds());
        broker = TestBroker.start(config, StaticTenantDirectory.of(
            TenantsFile.parse(json.getBytes(StandardCharsets.UTF_8), "test")));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String pemOf(AuthFixtures.Issued issued) {
        return AuthFixtures.jsonPem(issued);
    }

    private static TestPki.Issued presentable(AuthFixtures.Issued issued) {
        return new TestPki.Issued(issued.certificate(), issued.keyPair().getPrivate(), null);
    }

    /** Connects with 3.1.1 over TLS presenting the certificate; returns the CONNACK return code (0 = accepted). */
    private static int connect(String clientId, AuthFixtures.Issued certificate) throws Exception {
        SSLSocketFactory factory = SERVER_CA.socketFactory(certificate == null ? null : presentable(certificate));
        MqttClient client = new MqttClient("ssl://127.0.0.1:" + broker.broker().port("tls"), clientId,
            new MemoryPersistence());
        MqttConnectOptions options = Clients.pahoV3Options(factory);
        options.setHttpsHostnameVerificationEnabled(false);
        options.setCleanSession(false); // the session stays, to show which tenant it was made in
        try {
            client.connect(options);
            client.disconnect();
            return 0;
        } catch (MqttException e) {
            return e.getReasonCode();
        } finally {
            client.close();
        }
    }

    @Test
    void acceptsADeviceWhoseCertificateItsTenantsCaIssued() throws Exception {
        AuthFixtures.Issued device = AuthFixtures.certificate("CN=device-7").issuedBy(acmeCa);

        assertEquals(0, connect("device-7", device));
        assertNotNull(broker.broker().tenant(new TenantId("acme")).sessions().get("device-7"));
    }

    @Test
    void findsTheTenantOfEachCaSoTheSameClientIdLivesTwice() throws Exception {
        assertEquals(0, connect("twin", AuthFixtures.certificate("CN=twin").issuedBy(acmeCa)));
        assertEquals(0, connect("twin", AuthFixtures.certificate("CN=twin").issuedBy(globexCa)));

        assertNotNull(broker.broker().tenant(new TenantId("acme")).sessions().get("twin"));
        assertNotNull(broker.broker().tenant(new TenantId("globex")).sessions().get("twin"));
    }

    @Test
    void refusesCertificatesFromAnUnknownCaRevokedExpiredOrNotYetValid() throws Exception {
        AuthFixtures.Issued strangerCa = AuthFixtures.ca("Stranger CA");
        Instant now = Instant.now();

        assertEquals(MqttException.REASON_CODE_FAILED_AUTHENTICATION,
            connect("d1", AuthFixtures.certificate("CN=d1").issuedBy(strangerCa)), "unknown CA: no tenant");
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED,
            connect("d2", AuthFixtures.certificate("CN=d2").serial(REVOKED_SERIAL).issuedBy(acmeCa)), "revoked");
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, connect("d3", AuthFixtures.certificate("CN=d3")
            .validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))).issuedBy(acmeCa)), "expired");
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, connect("d4", AuthFixtures.certificate("CN=d4")
            .validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).issuedBy(acmeCa)), "not yet valid");
        assertTrue(broker.broker().tenant(new TenantId("acme")).metrics().authFailures.sum() >= 3);
    }

    @Test
    void refusesACertificateOfAnotherTenantsCaWhenTheSniHostNamesATenant() throws Exception {
        AuthFixtures.Issued globexDevice = AuthFixtures.certificate("CN=spy").issuedBy(globexCa);

        assertEquals(Optional.empty(), connectNaming("globex", globexDevice));
        assertEquals(Optional.of(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED), connectNaming("acme", globexDevice),
            "acme's CA did not issue it");
        assertEquals(Optional.of(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD), connectNaming("initech", globexDevice),
            "no such tenant");
    }

    /** Connects with 5.0 to {@code <tenant>.<test domain>} (TLS SNI); returns the refusal, if any. */
    private static Optional<Mqtt5ConnAckReasonCode> connectNaming(String tenant, AuthFixtures.Issued certificate)
        throws Exception {
        InetAddress host = InetAddress.getByAddress(tenant + "." + TestPki.TEST_DOMAIN, new byte[] {127, 0, 0, 1});
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("spy")
            .serverAddress(new InetSocketAddress(host, broker.broker().port("tls")))
            .sslConfig().trustManagerFactory(SERVER_CA.trustManagerFactory())
            .keyManagerFactory(presentable(certificate).keyManagerFactory()).applySslConfig()
            .buildBlocking();
        try {
            client.connect();
            client.disconnect();
            return Optional.empty();
        } catch (Mqtt5ConnAckException e) {
            return Optional.of(e.getMqttMessage().getReasonCode());
        }
    }

    @Test
    void refusesAClientWithoutCertificateOrCredentials() throws Exception {
        assertEquals(MqttException.REASON_CODE_FAILED_AUTHENTICATION, connect("nobody", null));
    }
}
