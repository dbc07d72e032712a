package io.stratus.broker.plugin;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.TenantClients;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.tenant.TenantId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Plugins that throw, hang or hold their threads: their fallbacks apply, their failures are counted
 * where operators see them ({@code $SYS}), and the broker and the other tenants carry on as if
 * nothing happened.
 */
class PluginIsolationTest {

    private static TestBroker broker;
    private TenantClients clients;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.withPlugins("""
            {"tenants": [
              {"id": "hangs", "plugins": [{"id": "hanging", "timeouts": {"hook-ms": 1500}}],
               "auth": [{"type": "anonymous"}]},
              {"id": "throws", "plugins": [{"id": "thrower"}], "auth": [{"type": "anonymous"}]},
              {"id": "sleeps", "plugins": [{"id": "sleeper", "config": {"sleep-ms": 400}, "timeouts": {"hook-ms": 100}}],
               "auth": [{"type": "anonymous"}]},
              {"id": "good", "auth": [{"type": "anonymous"}]}
            ]}""", Map.of("hanging", TestPlugins.HangingHook.class, "thrower", TestPlugins.ThrowingAuthorizer.class,
            "sleeper", TestPlugins.SleepingHook.class), 1);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void openClients() {
        clients = new TenantClients(broker);
    }

    @AfterEach
    void closeClients() {
        clients.close();
    }

    private static PluginStats stats(String tenant, String plugin) {
        return broker.broker().plugins().orElseThrow().manager().stats(new TenantId(tenant), plugin).orElseThrow();
    }

    /** Exchanges messages in the tenant without plugins: it must be unaffected by the others. */
    private void goodTenantExchanges(String run, int messages) throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient sub = clients.receiving("good-sub-" + run, "s@good", inbox);
        TenantClients.subAck(sub, "g/#");
        Mqtt5BlockingClient pub = clients.connected("good-pub-" + run, "p@good");
        for (int i = 0; i < messages; i++) {
            TenantClients.publish(pub, "g/" + i, Integer.toString(i));
        }
        assertEquals(IntStream.range(0, messages).mapToObj(Integer::toString).toList(),
            inbox.next(messages).stream().map(SubscriberInbox.Received::payload).toList());
    }

    /** Waits for the tenant's {@code $SYS} figure of a plugin to reach the value. */
    private void sysShows(String tenant, String topic, String value) throws Exception {
        SubscriberInbox sys = new SubscriberInbox();
        Mqtt5BlockingClient c = clients.receiving("sys-" + tenant + "-" + topic.hashCode(), "o@" + tenant, sys);
        TenantClients.subAck(c, topic);
        sys.awaitMatching(topic + " = " + value, r -> r.topic().equals(topic) && r.payload().equals(value));
    }

    @Test
    void aHookThatNeverAnswersDelaysOnlyItsOwnTenantAndItsMessageGoesOnAtTheTimeout() throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient sub = clients.receiving("hangs-sub", "s@hangs", inbox);
        TenantClients.subAck(sub, "h/#");
        Mqtt5BlockingClient pub = clients.connected("hangs-pub", "p@hangs");

        TenantClients.publish(pub, "h/1", "waits for the hook");
        goodTenantExchanges("hang", 100);

        assertNull(inbox.poll(0, TimeUnit.MILLISECONDS), "the hook still holds the message");
        assertEquals("waits for the hook", inbox.next().payload(), "the fallback passes it on");
        assertEquals(1, stats("hangs", "hanging").timeouts());
        sysShows("hangs", "$SYS/broker/plugins/hanging/timeouts", "1");
    }

    @Test
    void anAuthorizerThatThrowsDeniesByItsFallbackAndEachFailureIsCounted() throws Exception {
        Mqtt5BlockingClient pub = clients.connected("throws-pub", "p@throws");

        assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, TenantClients.pubAck(pub, "t/1", "x"));
        assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, TenantClients.pubAck(pub, "t/2", "x"));
        goodTenantExchanges("throw", 100);

        assertEquals(2, stats("throws", "thrower").failures());
        sysShows("throws", "$SYS/broker/plugins/thrower/failures", "2");
    }

    @Test
    void aHookThatHoldsItsThreadsGetsItsFallbackAndMessagesKeepTheirOrder() throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient sub = clients.receiving("sleeps-sub", "s@sleeps", inbox);
        TenantClients.subAck(sub, "z/#");
        Mqtt5BlockingClient pub = clients.connected("sleeps-pub", "p@sleeps");

        for (int i = 0; i < 10; i++) {
            TenantClients.publish(pub, "z/" + i, Integer.toString(i));
        }
        goodTenantExchanges("sleep", 100);

        assertEquals(IntStream.range(0, 10).mapToObj(Integer::toString).toList(),
            inbox.next(10).stream().map(SubscriberInbox.Received::payload).toList());
        PluginStats s = stats("sleeps", "sleeper");
        assertEquals(10, s.timeouts() + s.failures(),
            "each call timed out, or was not made while the plugin held too many threads: " + s.timeouts()
                + " timeouts, " + s.failures() + " failures");
    }
}
