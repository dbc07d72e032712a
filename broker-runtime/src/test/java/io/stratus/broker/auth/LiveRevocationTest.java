package io.stratus.broker.auth;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.support.AuthFixtures;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.LogCapture;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.TestPki;
import io.stratus.broker.tenant.StaticTenantDirectory;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantSpace;
import io.stratus.broker.tenant.TenantsFile;
import io.stratus.broker.tenant.TenantsFileWatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A certificate revoked while its device is connected: the broker reloads the tenants file on its
 * own and ends that connection within seconds, over real mutual TLS.
 */
class LiveRevocationTest {

    private static final TestPki.Authority SERVER_CA = TestPki.authority("Stratus Server CA");
    private static final TenantId ACME = new TenantId("acme");

    @TempDir
    Path dir;

    private AuthFixtures.Issued acmeCa;
    private Path tenantsFile;
    private TestBroker broker;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    @BeforeEach
    void startBroker() throws Exception {
        acmeCa = AuthFixtures.ca("Acme Devices CA");
        tenantsFile = dir.resolve("tenants.json");
        writeTenants();
        TestPki.PemFiles server = SERVER_CA.server().writeTo(dir.resolve("server.crt"), dir.resolve("server.key"));
        ListenerConfig listener = server.listenerAskingForClientCertificates();
        BrokerConfig d = BrokerConfig.defaults();
        BrokerConfig config = new BrokerConfig(List.of(listener), d.limits(), d.allowAnonymous(), 0,
            d.shutdownGraceSeconds(), tenantsFile.toString(), 1);
        broker = TestBroker.start(config, StaticTenantDirectory.of(TenantsFile.read(tenantsFile)));
    }

    @AfterEach
    void stop() {
        for (Mqtt5BlockingClient c : clients) {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
        broker.close();
    }

    /** Writes the tenants file with these serials revoked, as an operator's tool would: whole, then moved in place. */
    private void writeTenants(BigInteger... revoked) throws Exception {
        writeFile("""
            {"tenants": [{"id": "acme", "auth": [{"type": "x509", "ca-certificates": ["%s"],
                                                   "revoked-serials": [%s]}]}]}
            """.formatted(AuthFixtures.jsonPem(acmeCa), List.of(revoked).stream().map(s -> "\"" + s.toString(16) + "\"")
            .collect(Collectors.joining(", "))));
    }

    private void writeFile(String content) {
        TestPki.write(tenantsFile, content);
    }

    private Mqtt5BlockingClient device(String clientId, AuthFixtures.Issued certificate,
                                       CompletableFuture<Throwable> disconnected) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1")
            .serverPort(broker.broker().port("tls"))
            .sslConfig().trustManagerFactory(SERVER_CA.trustManagerFactory())
            .keyManagerFactory(new TestPki.Issued(certificate.certificate(), certificate.keyPair().getPrivate(), null)
                .keyManagerFactory()).applySslConfig()
            .addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause()))
            .buildBlocking();
        clients.add(c);
        return c;
    }

    private TenantSpace acme() {
        return broker.broker().tenant(ACME);
    }

    @Test
    void endsTheConnectionOfACertificateRevokedWhileItIsConnected() throws Exception {
        // given: two devices connected with their certificates
        AuthFixtures.Issued revokedCert = AuthFixtures.certificate("CN=device-1").issuedBy(acmeCa);
        AuthFixtures.Issued keptCert = AuthFixtures.certificate("CN=device-2").issuedBy(acmeCa);
        CompletableFuture<Throwable> revokedGone = new CompletableFuture<>();
        CompletableFuture<Throwable> keptGone = new CompletableFuture<>();
        device("device-1", revokedCert, revokedGone).connect();
        Mqtt5BlockingClient kept = device("device-2", keptCert, keptGone);
        kept.connect();
        assertEquals(2, acme().liveCertificates().size());

        // when: the operator adds the first one's serial to the file's revoked-serials
        writeTenants(revokedCert.certificate().getSerialNumber());

        // then: its connection ends within seconds with 0x87; the other device stays
        Throwable cause = revokedGone.get(10, TimeUnit.SECONDS);
        Mqtt5DisconnectException e = assertInstanceOf(Mqtt5DisconnectException.class, cause);
        assertEquals(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED, e.getMqttMessage().getReasonCode());
        assertEquals(1, acme().metrics().revokedDisconnects.sum());
        assertTrue(kept.getState().isConnected());
        assertFalse(keptGone.isDone());
        // and the revoked certificate cannot come back
        Mqtt5ConnAckException refused = assertThrows(Mqtt5ConnAckException.class,
            () -> device("device-1", revokedCert, new CompletableFuture<>()).connect());
        assertEquals(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED, refused.getMqttMessage().getReasonCode());
        // and the registry forgot the closed connection
        Eventually.await(Duration.ofSeconds(5), "the revoked connection leaves the registry",
            () -> acme().liveCertificates().size() == 1);
        kept.disconnect();
        Eventually.await(Duration.ofSeconds(5), "the registry is empty once every device is gone",
            () -> acme().liveCertificates().size() == 0);
    }

    @Test
    void keepsTheTenantsInUseWhenTheNewFileIsNotValid() throws Exception {
        AuthFixtures.Issued cert = AuthFixtures.certificate("CN=device-3").issuedBy(acmeCa);
        CompletableFuture<Throwable> gone = new CompletableFuture<>();
        try (LogCapture log = LogCapture.of(TenantsFileWatcher.class.getName())) {
            // when: the file is replaced by one with a typo
            writeFile("{\"tenants\": [{\"id\": \"acme\", \"auht\": []}]}");
            Eventually.await(Duration.ofSeconds(10), "the bad file is noticed and logged",
                () -> log.messages().stream().anyMatch(m -> m.contains("cannot be used")));

            // then: devices still connect with the tenants in use
            Mqtt5BlockingClient c = device("device-3", cert, gone);
            c.connect();
            assertTrue(c.getState().isConnected());
        }
    }
}
