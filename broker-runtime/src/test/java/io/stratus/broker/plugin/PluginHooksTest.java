package io.stratus.broker.plugin;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.TenantClients;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.tenant.TenantId;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authorizers, inbound and outbound hooks, lifecycle listeners and the services plugins use, in a
 * real broker with real clients: what a client sees of each decision, and that a client's messages
 * keep their order while plugins answer out of order.
 */
class PluginHooksTest {

    private static final TenantId ACME = new TenantId("acme");
    private static TestBroker broker;
    private TenantClients clients;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.withPlugins("""
            {"tenants": [
              {"id": "acme",
               "plugins": [{"id": "guard"}, {"id": "rewriter"}, {"id": "redactor"}, {"id": "recorder"}],
               "auth": [{"type": "anonymous"}],
               "policy": [{"effect": "allow", "actions": ["publish", "subscribe"], "filters": ["#"]},
                          {"effect": "deny", "actions": ["publish"], "filters": ["open/closed/#"]}]},
              {"id": "nopolicy", "plugins": [{"id": "guard"}], "auth": [{"type": "anonymous"}]}
            ]}""", Map.of("guard", TestPlugins.Guard.class, "rewriter", TestPlugins.Rewriter.class,
            "redactor", TestPlugins.Redactor.class, "recorder", TestPlugins.Recorder.class), 0);
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

    private static PluginStats stats(String plugin) {
        return broker.broker().plugins().orElseThrow().manager().stats(ACME, plugin).orElseThrow();
    }

    private Mqtt5BlockingClient subscriber(String clientId, String username, SubscriberInbox inbox, String... filters) {
        Mqtt5BlockingClient c = clients.receiving(clientId, username, inbox);
        TenantClients.subAck(c, filters);
        return c;
    }

    // ---- authorizer ---------------------------------------------------------------------------

    @Test
    void anAuthorizersDenyWinsOverThePolicysAllow() throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        subscriber("sub-1", "s@acme", inbox, "a/#");
        Mqtt5BlockingClient publisher = clients.connected("pub-1", "p@acme");

        assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, TenantClients.pubAck(publisher, "a/secret", "x"));
        TenantClients.pubAck(publisher, "a/marker", "marker");

        assertEquals(List.of(), inbox.until("marker"), "the denied message reached nobody");
    }

    @Test
    void anAuthorizersAllowCannotOverrideThePolicysDeny() {
        Mqtt5BlockingClient publisher = clients.connected("pub-2", "p@acme");

        assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, TenantClients.pubAck(publisher, "open/closed/x", "x"));
        assertEquals(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS, TenantClients.pubAck(publisher, "open/x", "x"));
    }

    @Test
    void withoutAPolicyTheAuthorizerAloneDecidesAndNextAllows() {
        Mqtt5BlockingClient publisher = clients.connected("pub-3", "p@nopolicy");

        assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, TenantClients.pubAck(publisher, "b/secret", "x"));
        assertEquals(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS, TenantClients.pubAck(publisher, "b/other", "x"));
    }

    @Test
    void anAuthorizerRefusesOneFilterOfASubscribe() {
        Mqtt5BlockingClient c = clients.connected("sub-2", "s@acme");

        assertEquals(List.of(Mqtt5SubAckReasonCode.NOT_AUTHORIZED, Mqtt5SubAckReasonCode.GRANTED_QOS_1),
            TenantClients.subAck(c, "s/secret/#", "s/ok/#"));
    }

    @Test
    void anAuthorizerRefusesAConnectWhoseWillTopicItDenies() {
        Mqtt5BlockingClient denied = clients.client("will-1");
        Mqtt5ConnAckException e = assertThrows(Mqtt5ConnAckException.class, () -> denied.connectWith()
            .simpleAuth().username("w@acme").applySimpleAuth()
            .willPublish().topic("wills/secret").payload("gone".getBytes(StandardCharsets.UTF_8)).applyWillPublish()
            .send());
        assertEquals(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED, e.getMqttMessage().getReasonCode());

        Mqtt5BlockingClient allowed = clients.client("will-2");
        allowed.connectWith().simpleAuth().username("w@acme").applySimpleAuth()
            .willPublish().topic("wills/ordinary").payload("gone".getBytes(StandardCharsets.UTF_8)).applyWillPublish()
            .send();
        assertTrue(allowed.getState().isConnected());
    }

    // ---- inbound hook -------------------------------------------------------------------------

    @Test
    void anInboundHookChangesTopicAndPayload() throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        subscriber("sub-3", "s@acme", inbox, "in/#", "out/#");
        Mqtt5BlockingClient publisher = clients.connected("pub-4", "p@acme");

        TenantClients.pubAck(publisher, "in/greeting", "hello");
        TenantClients.pubAck(publisher, "out/marker", "marker");

        List<SubscriberInbox.Received> got = inbox.until("marker");
        assertEquals(1, got.size(), "only the replacement: " + got);
        assertEquals("out/greeting", got.get(0).topic());
        assertEquals("HELLO", got.get(0).payload());
    }

    @Test
    void anInboundHookDropAnswers0x83AndIsCounted() throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        subscriber("sub-4", "s@acme", inbox, "drop/#", "plain/#");
        Mqtt5BlockingClient publisher = clients.connected("pub-5", "p@acme");
        long dropped = broker.broker().tenant(ACME).metrics().droppedByPlugin.sum();
        long drops = stats("rewriter").drops();

        assertEquals(Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, TenantClients.pubAck(publisher, "drop/x", "x"));
        TenantClients.pubAck(publisher, "plain/marker", "marker");

        assertEquals(List.of(), inbox.until("marker"));
        assertEquals(dropped + 1, broker.broker().tenant(ACME).metrics().droppedByPlugin.sum());
        assertEquals(drops + 1, stats("rewriter").drops());
    }

    @Test
    void anInboundHookDropIsAcknowledgedAsUsualToAnMqtt311Publisher() throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        subscriber("sub-7", "s@acme", inbox, "drop/#", "plain/#");
        MqttClient paho = new MqttClient(broker.uri(), "pub-311", new MemoryPersistence());
        try {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setUserName("p@acme");
            paho.connect(options);

            paho.publish("drop/x", "x".getBytes(StandardCharsets.UTF_8), 1, false); // returns once acknowledged
            paho.publish("plain/marker", "marker".getBytes(StandardCharsets.UTF_8), 1, false);

            assertEquals(List.of(), inbox.until("marker"), "3.1.1 cannot be told, but the message was dropped");
            paho.disconnect();
        } finally {
            paho.close(true);
        }
    }

    @Test
    void aReplacementOntoABrokerTopicIsIgnoredAndCountedAsTheHooksFailure() throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        subscriber("sub-5", "s@acme", inbox, "escape/#");
        Mqtt5BlockingClient publisher = clients.connected("pub-6", "p@acme");
        long failures = stats("rewriter").failures();

        TenantClients.pubAck(publisher, "escape/x", "payload");

        SubscriberInbox.Received got = inbox.next();
        assertEquals("escape/x", got.topic(), "the message went on as it was");
        assertEquals(failures + 1, stats("rewriter").failures());
    }

    @Test
    void aClientsMessagesKeepTheirOrderWhileHooksAnswerOutOfOrder() throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        subscriber("sub-6", "s@acme", inbox, "seq/#");
        Mqtt5BlockingClient publisher = clients.connected("pub-7", "p@acme");

        for (int i = 0; i < 300; i++) {
            if (i % 10 == 0) {
                TenantClients.pubAck(publisher, "seq/" + i, Integer.toString(i));
            } else {
                TenantClients.publish(publisher, "seq/" + i, Integer.toString(i));
            }
        }

        List<String> payloads = new ArrayList<>();
        inbox.next(300).forEach(r -> payloads.add(r.payload()));
        assertEquals(IntStream.range(0, 300).mapToObj(Integer::toString).toList(), payloads);
    }

    // ---- outbound hook ------------------------------------------------------------------------

    @Test
    void anOutboundHookRedactsAndDropsPerSubscriber() throws Exception {
        SubscriberInbox owner = new SubscriberInbox();
        SubscriberInbox guest = new SubscriberInbox();
        subscriber("owner-1", "owner@acme", owner, "mask/#", "private/#");
        subscriber("guest-1", "guest@acme", guest, "mask/#", "private/#");
        Mqtt5BlockingClient publisher = clients.connected("pub-8", "p@acme");

        TenantClients.pubAck(publisher, "mask/a", "card 4111");
        TenantClients.pubAck(publisher, "private/b", "diary");
        TenantClients.pubAck(publisher, "mask/marker", "marker");

        List<String> ownerGot = owner.next(3).stream().map(r -> r.topic() + "=" + r.payload()).toList();
        assertEquals(List.of("mask/a=card 4111", "private/b=diary", "mask/marker=marker"), ownerGot);
        List<String> guestGot = guest.next(2).stream().map(r -> r.topic() + "=" + r.payload()).toList();
        assertEquals(List.of("mask/a=***", "mask/marker=***"), guestGot);
    }

    // ---- lifecycle and services ---------------------------------------------------------------

    @Test
    void aLifecycleListenerHearsEachEventOfAClientInOrder() throws Exception {
        SubscriberInbox events = new SubscriberInbox();
        subscriber("observer-1", "o@acme", events, "events/c-1");
        Mqtt5BlockingClient c = clients.connected("c-1", "c@acme");
        TenantClients.subAck(c, "x/#");
        c.unsubscribeWith().topicFilter("x/#").send();
        c.disconnect();

        List<String> got = events.next(4).stream().map(SubscriberInbox.Received::payload).toList();
        assertEquals(List.of("connected method=anonymous", "subscribed x/#", "unsubscribed x/#",
            "disconnected graceful=true server=false code=0"), got);
    }

    @Test
    void aPluginDisconnectsAClientThroughTheClientService() throws Exception {
        SubscriberInbox inbox = new SubscriberInbox();
        Mqtt5BlockingClient c = clients.receiving("c-2", "c@acme", inbox);

        TenantClients.subAck(c, "kick/me");

        assertEquals(0x98, inbox.nextDisconnectReason(), "Administrative action");
    }

    @Test
    void aPluginLooksUpAConnectedClientsIdentity() throws Exception {
        SubscriberInbox events = new SubscriberInbox();
        subscriber("observer-2", "o@acme", events, "events/c-3/identity");
        Mqtt5BlockingClient c = clients.connected("c-3", "carol@acme");

        TenantClients.subAck(c, "whoami");

        String identity = events.next().payload();
        assertTrue(identity.startsWith("acme carol "), identity);
    }
}
