package io.stratus.broker.protocol;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.SubscriberInbox;
import io.stratus.broker.support.SubscriberInbox.Received;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared subscriptions, {@code $share/{name}/{filter}} (MQTT 5.0 §4.8.2), for 5.0 and 3.1.1 clients. */
class SharedSubscriptionTest {

    private static final long TIMEOUT = 5000;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();
    private Mqtt5BlockingClient publisher;

    @BeforeEach
    void startBroker() throws Exception {
        fixture.start();
        publisher = fixture.clients().hivemq("shared-pub", new SubscriberInbox());
    }

    private void publish(String topic, String payload) {
        publisher.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8))
            .qos(MqttQos.AT_LEAST_ONCE).send();
    }

    /** Publishes job-0 .. job-(n-1) at QoS 1, each acknowledged before the next. */
    private Set<String> publishJobs(String topic, int n) {
        Set<String> jobs = new HashSet<>();
        for (int i = 0; i < n; i++) {
            publish(topic, "job-" + i);
            jobs.add("job-" + i);
        }
        return jobs;
    }

    private static Set<String> payloads(List<Received> received) {
        return received.stream().map(Received::payload).collect(Collectors.toSet());
    }

    @Test
    void eachMessageGoesToExactlyOneMemberOfTheGroup() throws Exception {
        // given: two 5.0 members of one group
        SubscriberInbox group = new SubscriberInbox();
        SubscriberInbox first = new SubscriberInbox().alsoTo(group);
        SubscriberInbox second = new SubscriberInbox().alsoTo(group);
        fixture.clients().hivemq("member-1", first).subscribeWith().topicFilter("$share/workers/jobs")
            .qos(MqttQos.AT_LEAST_ONCE).send();
        fixture.clients().hivemq("member-2", second).subscribeWith().topicFilter("$share/workers/jobs")
            .qos(MqttQos.AT_LEAST_ONCE).send();

        // when
        Set<String> jobs = publishJobs("jobs", 100);

        // then: MQTT 5.0 §4.8.2, each message goes to only one member
        assertEachDeliveredOnceAcross(jobs, group, first, second);
    }

    @Test
    void eachMessageGoesToExactlyOneV311MemberOfTheGroup() throws Exception {
        // given: two 3.1.1 members of one group
        SubscriberInbox group = new SubscriberInbox();
        SubscriberInbox first = new SubscriberInbox().alsoTo(group);
        SubscriberInbox second = new SubscriberInbox().alsoTo(group);
        fixture.clients().pahoV3("member-311-1", first).subscribe("$share/workers/jobs", 1);
        fixture.clients().pahoV3("member-311-2", second).subscribe("$share/workers/jobs", 1);

        // when
        Set<String> jobs = publishJobs("jobs", 100);

        // then
        assertEachDeliveredOnceAcross(jobs, group, first, second);
    }

    /**
     * Checks that the members together got every job exactly once and each got some. A duplicate that
     * comes late would still be caught: markers are published until each member has had one, and a
     * member receives a duplicate routed before its marker ahead of that marker.
     */
    private void assertEachDeliveredOnceAcross(Set<String> jobs, SubscriberInbox group, SubscriberInbox first,
                                               SubscriberInbox second) throws Exception {
        List<Received> all = group.next(jobs.size());
        assertEquals(jobs, payloads(all), "every job, once");
        List<Received> toFirst = first.drain();
        List<Received> toSecond = second.drain();
        assertFalse(toFirst.isEmpty(), "the first member got none");
        assertFalse(toSecond.isEmpty(), "the second member got none");
        assertEquals(jobs.size(), toFirst.size() + toSecond.size());

        boolean firstHadMarker = false;
        boolean secondHadMarker = false;
        for (int i = 0; i < 10 && !(firstHadMarker && secondHadMarker); i++) {
            publish("jobs", "marker-" + i);
            assertEquals("marker-" + i, group.next().payload(), "nothing but the marker arrives");
            firstHadMarker |= !first.drain().isEmpty();
            secondHadMarker |= !second.drain().isEmpty();
        }
        assertTrue(firstHadMarker && secondHadMarker, "both members received a marker");
    }

    @Test
    void everyGroupOnAFilterGetsEveryMessage() throws Exception {
        // given: group "a" with two members, group "b" with one, on the same filter
        SubscriberInbox groupA = new SubscriberInbox();
        fixture.clients().hivemq("a-1", new SubscriberInbox().alsoTo(groupA)).subscribeWith()
            .topicFilter("$share/a/orders/+").qos(MqttQos.AT_LEAST_ONCE).send();
        fixture.clients().hivemq("a-2", new SubscriberInbox().alsoTo(groupA)).subscribeWith()
            .topicFilter("$share/a/orders/+").qos(MqttQos.AT_LEAST_ONCE).send();
        SubscriberInbox groupB = new SubscriberInbox();
        MqttAsyncClient b = fixture.clients().pahoV5("b-1", groupB);
        b.subscribe("$share/b/orders/+", 1).waitForCompletion(TIMEOUT);

        // when
        Set<String> jobs = publishJobs("orders/new", 20);

        // then: MQTT 5.0 §4.8.2
        assertEquals(jobs, payloads(groupA.next(20)));
        assertEquals(jobs, payloads(groupB.next(20)));
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {4, 5})
    void messagesAMemberLeftUnacknowledgedGoToAnotherMember(int version) throws Exception {
        // given: a member that receives QoS 1 messages and never acknowledges them
        RawClient silent = fixture.clients().raw(version, "silent-member");
        silent.send(Packets.subscribe(version, 1, -1, "$share/workers/tasks", 1));
        assertArrayEquals(new int[] {1}, PacketReader.ackCodes(version, silent.readPacket()));
        Set<String> tasks = publishJobs("tasks", 5);
        Set<String> unacknowledged = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            PacketReader.Publish p = PacketReader.parsePublish(version, silent.readPacket());
            assertEquals(1, p.qos());
            unacknowledged.add(p.payload());
        }
        assertEquals(tasks, unacknowledged);
        SubscriberInbox other = new SubscriberInbox();
        fixture.clients().hivemq("other-member", other).subscribeWith().topicFilter("$share/workers/tasks")
            .qos(MqttQos.AT_LEAST_ONCE).send();

        // when: the silent member goes away
        silent.close();

        // then: its unacknowledged messages are delivered to the member still there
        assertEquals(tasks, payloads(other.next(5)));
        publish("tasks", "marker");
        assertEquals(List.of(), other.until("marker"), "no duplicates");
    }

    @Test
    void aPlainSubscriberAndASharedGroupOnTheSameFilterBothReceive() throws Exception {
        // given
        SubscriberInbox plain = new SubscriberInbox();
        MqttClient plainSubscriber = fixture.clients().pahoV3("plain", plain);
        plainSubscriber.subscribe("metrics/cpu", 1);
        SubscriberInbox shared = new SubscriberInbox();
        fixture.clients().hivemq("shared-only", shared).subscribeWith().topicFilter("$share/g/metrics/cpu")
            .qos(MqttQos.AT_LEAST_ONCE).send();

        // when
        Set<String> jobs = publishJobs("metrics/cpu", 3);

        // then
        assertEquals(jobs, payloads(plain.next(3)));
        assertEquals(jobs, payloads(shared.next(3)));
    }

    @Test
    void sharedSubscriptionsCarryTheRetainFlagClearedAndTheMembersQos() throws Exception {
        // given
        SubscriberInbox member = new SubscriberInbox();
        fixture.clients().hivemq("qos0-member", member).subscribeWith().topicFilter("$share/g/state")
            .qos(MqttQos.AT_MOST_ONCE).send();

        // when
        publisher.publishWith().topic("state").payload("on".getBytes(StandardCharsets.UTF_8))
            .qos(MqttQos.EXACTLY_ONCE).retain(true).send();

        // then: min(published QoS, granted QoS) [MQTT-3.8.4-8]; RETAIN cleared [MQTT-3.3.1-12]
        assertEquals(new Received("state", "on", 0, false, List.of()), member.next());
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {4, 5})
    void invalidShareNamesAreRefusedPerFilter(int version) throws Exception {
        // given
        RawClient raw = fixture.clients().raw(version, "bad-share-" + version);

        // when
        raw.send(Packets.subscribe(version, 3, -1,
            "$share/g", 1, "$share//a", 1, "$share/g+/a", 1, "$share/g/", 1, "$share/g/a", 1));

        // then [MQTT-4.8.2-1], [MQTT-4.8.2-2]; the valid one is granted
        int failure = version == 5 ? 0x8F : 0x80;
        assertArrayEquals(new int[] {failure, failure, failure, failure, 1}, PacketReader.ackCodes(version, raw.readPacket()));
    }

    @Test
    void aMemberThatUnsubscribesGetsNoMoreMessages() throws Exception {
        // given
        SubscriberInbox leaving = new SubscriberInbox();
        Mqtt5BlockingClient leaver = fixture.clients().hivemq("leaver", leaving);
        leaver.subscribeWith().topicFilter("$share/g/work").qos(MqttQos.AT_LEAST_ONCE).send();
        leaver.subscribeWith().topicFilter("leaver/marker").qos(MqttQos.AT_LEAST_ONCE).send();
        SubscriberInbox staying = new SubscriberInbox();
        fixture.clients().hivemq("stayer", staying).subscribeWith().topicFilter("$share/g/work").qos(MqttQos.AT_LEAST_ONCE)
            .send();

        // when
        leaver.unsubscribeWith().topicFilter("$share/g/work").send();
        Set<String> jobs = publishJobs("work", 10);
        publish("leaver/marker", "marker");

        // then
        assertEquals(jobs, payloads(staying.next(10)));
        assertEquals(List.of(), leaving.until("marker"));
    }
}
