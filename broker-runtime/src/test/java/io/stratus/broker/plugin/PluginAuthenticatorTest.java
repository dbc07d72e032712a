package io.stratus.broker.plugin;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.stratus.broker.auth.password.PasswordHasher;
import io.stratus.broker.support.TenantClients;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.tenant.TenantId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plugin's authenticator in tenants' authentication chains, with real clients over real sockets:
 * what it allows, denies and passes on, and what happens when it throws or never answers.
 */
class PluginAuthenticatorTest {

    private static final TenantId ACME = new TenantId("acme");
    private static TestBroker broker;
    private TenantClients clients;

    @BeforeAll
    static void startBroker() throws Exception {
        PasswordHasher hasher = new PasswordHasher(new PasswordHasher.Argon2Cost(1024, 1, 1), Runnable::run,
            new SecureRandom());
        String bobHash = hasher.hashNow("bobs-secret".getBytes(StandardCharsets.UTF_8));
        broker = TestBroker.withPlugins("""
            {"tenants": [
              {"id": "acme",
               "plugins": [{"id": "gate", "config": {"role": "admin"}, "timeouts": {"authentication-ms": 300}}],
               "auth": [{"type": "plugin", "plugin": "gate"}, {"type": "password", "users": {"bob": "%s"}}],
               "policy": [{"effect": "allow", "actions": ["publish", "subscribe"],
                           "filters": ["roles/${role}/#", "clients/${client.id}/#"]}]},
              {"id": "strict", "plugins": [{"id": "gate"}], "auth": [{"type": "plugin", "plugin": "gate"}]}
            ]}""".formatted(bobHash), Map.of("gate", TestPlugins.Gate.class), 0);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void closeClients() {
        if (clients != null) {
            clients.close();
        }
    }

    private TenantClients clients() {
        clients = new TenantClients(broker);
        return clients;
    }

    private static PluginStats stats() {
        return broker.broker().plugins().orElseThrow().manager().stats(ACME, "gate").orElseThrow();
    }

    @Test
    void allowsAClientThePluginAllowsWithItsAttributesAsPolicyVariables() {
        Mqtt5BlockingClient alice = clients().connected("alice-1", "alice@acme");

        List<Mqtt5SubAckReasonCode> codes = TenantClients.subAck(alice, "roles/admin/#", "roles/reader/#",
            "clients/alice-1/#", "clients/forged/#");

        assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_1, Mqtt5SubAckReasonCode.NOT_AUTHORIZED,
            Mqtt5SubAckReasonCode.GRANTED_QOS_1, Mqtt5SubAckReasonCode.NOT_AUTHORIZED), codes,
            "role=admin from the plugin is ${role}; the plugin cannot override ${client.id}");
    }

    @Test
    void refusesAClientThePluginDeniesWithThePluginsReasonCode() {
        assertEquals(Mqtt5ConnAckReasonCode.BANNED, clients().refusal("m-1", "mallory@acme", null));
    }

    @Test
    void passesAClientThePluginDoesNotKnowToTheTenantsNextMethod() {
        TenantClients c = clients();

        assertTrue(c.connected("bob-1", "bob@acme", "bobs-secret").getState().isConnected());
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, c.refusal("bob-2", "bob@acme", "wrong"),
            "the password method judged it, so the plugin passed it on");
    }

    @Test
    void refusesAClientNoMethodAcceptsAfterThePluginPassedIt() {
        assertEquals(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED, clients().refusal("c-1", "carol@strict", null));
    }

    @Test
    void refusesWithServerBusyWhenThePluginThrowsAndCountsTheFailure() {
        long before = stats().failures();

        assertEquals(Mqtt5ConnAckReasonCode.SERVER_BUSY, clients().refusal("t-1", "thrower@acme", null));

        assertEquals(before + 1, stats().failures());
    }

    @Test
    void refusesWithServerBusyWhenThePluginNeverAnswersAndOthersStillGetIn() {
        long before = stats().timeouts();
        TenantClients c = clients();

        assertEquals(Mqtt5ConnAckReasonCode.SERVER_BUSY, c.refusal("h-1", "hanger@acme", null));

        assertEquals(before + 1, stats().timeouts());
        assertTrue(c.connected("alice-2", "alice@acme").getState().isConnected());
    }
}
