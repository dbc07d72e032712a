package io.stratus.broker.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stratus.broker.auth.password.PasswordHasher;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Interoperability with the command-line clients of Eclipse Mosquitto ({@code mosquitto_pub},
 * {@code mosquitto_sub}; Debian package mosquitto-clients), run as processes against a real broker,
 * in MQTT 3.1.1 and 5.0.
 *
 * <p>A subscriber process says nothing when its subscription is in place, so each test waits for
 * the broker's subscription count to reach the expected number before publishing: a bounded poll
 * with a short step, the only signal there is for an external process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MosquittoClientsInteropTest {

    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STATE_TIMEOUT = Duration.ofSeconds(10);
    private static final String SUB = "mosquitto_sub";
    private static final String PUB = "mosquitto_pub";

    @TempDir
    Path dir;

    private TestBroker broker;
    private final List<Process> processes = new ArrayList<>();

    /** Per test rather than per class, so that every skipped test is reported with the reason. */
    @BeforeEach
    void requireTheMosquittoClients() {
        boolean present = onPath(SUB) && onPath(PUB);
        if (!present && System.getenv("CI") != null) {
            fail(SUB + " and " + PUB + " are not on the PATH; CI must install the Debian package "
                + "mosquitto-clients (.ci/run does)");
        }
        assumeTrue(present, SUB + " and " + PUB + " not found: apt-get install mosquitto-clients");
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
            .filter(p -> !p.isEmpty())
            .anyMatch(p -> Files.isExecutable(Path.of(p, tool)));
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---- publish and subscribe ------------------------------------------------------------------

    @ParameterizedTest(name = "{0} QoS {1}")
    @CsvSource({"mqttv311, 0", "mqttv311, 1", "mqttv311, 2", "mqttv5, 0", "mqttv5, 1", "mqttv5, 2"})
    void deliversMessagesInOrderAtEachQos(String version, int qos) throws Exception {
        // given a subscriber at the QoS
        broker = TestBroker.start();
        Tool sub = start(SUB, version, "-t", "interop/qos/#", "-q", String.valueOf(qos), "-C", "3",
            "-F", "%t|%q|%p");
        awaitSubscriptions(1);

        // when a publisher sends three messages at the same QoS, one per line of its input
        startWithInput("one\ntwo\nthree\n", PUB, version, "-t", "interop/qos/a", "-q", String.valueOf(qos), "-l")
            .awaitExit();

        // then they arrive once each, at that QoS, in the order sent [MQTT-4.6.0-6]
        assertEquals(lines("interop/qos/a|" + qos + "|one", "interop/qos/a|" + qos + "|two",
            "interop/qos/a|" + qos + "|three"), sub.awaitExit());
    }

    @ParameterizedTest(name = "published with {0}, received with {1}")
    @CsvSource({"mqttv311, mqttv5", "mqttv5, mqttv311"})
    void deliversBetweenProtocolVersions(String publisherVersion, String subscriberVersion) throws Exception {
        // given
        broker = TestBroker.start();
        Tool sub = start(SUB, subscriberVersion, "-t", "interop/mixed", "-q", "2", "-C", "1", "-F", "%q|%t|%p");
        awaitSubscriptions(1);

        // when
        start(PUB, publisherVersion, "-t", "interop/mixed", "-q", "1", "-m", "across").awaitExit();

        // then the granted QoS is the smaller of the two [MQTT-3.8.4-6]
        assertEquals(lines("1|interop/mixed|across"), sub.awaitExit());
    }

    // ---- retained messages ----------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void keepsARetainedMessageForLaterSubscribersUntilItIsCleared(String version) throws Exception {
        // given a retained message, published while nobody subscribes
        broker = TestBroker.start();
        start(PUB, version, "-t", "interop/retained/a", "-q", "1", "-r", "-m", "kept").awaitExit();

        // when a client subscribes afterwards
        Tool late = start(SUB, version, "-t", "interop/retained/#", "-q", "1", "-C", "1", "-F", "%r|%q|%t|%p");

        // then it receives the message, flagged as retained [MQTT-3.3.1-6] [MQTT-3.3.1-8]
        assertEquals(lines("1|1|interop/retained/a|kept"), late.awaitExit());
        awaitSubscriptions(0);

        // when an empty retained message is published to the topic (at QoS 1: acknowledged once stored)
        start(PUB, version, "-t", "interop/retained/a", "-q", "1", "-r", "-n").awaitExit();

        // then it is gone, and nothing is retained in its place [MQTT-3.3.1-10] [MQTT-3.3.1-11]
        assertEquals(0, broker.defaultTenant().retained().size());
        assertEquals("", retainedMessagesUnder(version, "interop/retained"));
    }

    // ---- will messages --------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void publishesTheWillOfAClientThatIsKilled(String version) throws Exception {
        // given a client with a will, and another that watches the will's topic
        broker = TestBroker.start();
        Tool watcher = start(SUB, version, "-t", "interop/will/#", "-q", "1", "-C", "1", "-F", "%t|%q|%p");
        Tool doomed = start(SUB, version, "-t", "interop/idle", "--will-topic", "interop/will/status",
            "--will-payload", "gone", "--will-qos", "1");
        awaitSubscriptions(2);

        // when the client's process is killed (SIGKILL), so it never sends DISCONNECT
        doomed.process.destroyForcibly();
        doomed.process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        // then the broker publishes its will [MQTT-3.1.2-8]
        assertEquals(lines("interop/will/status|1|gone"), watcher.awaitExit());
        assertEquals(1, broker.metrics().willsPublished.sum());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void discardsTheWillOfAClientThatDisconnectsNormally(String version) throws Exception {
        // given a watcher of the will's topic
        broker = TestBroker.start();
        Tool watcher = start(SUB, version, "-t", "interop/will/#", "-q", "1", "-C", "1", "-v");
        awaitSubscriptions(1);

        // when a client with a will publishes and then disconnects with DISCONNECT
        start(PUB, version, "-t", "interop/other", "-m", "x", "--will-topic", "interop/will/status",
            "--will-payload", "gone").awaitExit();
        // its session is detached (and a will would have been routed) before the gauge goes down
        Eventually.await(STATE_TIMEOUT, "the publisher's connection is released",
            () -> broker.metrics().clientsConnected.get() == 1);
        start(PUB, version, "-t", "interop/will/status", "-m", "still-here").awaitExit();

        // then the watcher's first message is the later one: the will was discarded [MQTT-3.1.2-10]
        assertEquals(lines("interop/will/status still-here"), watcher.awaitExit());
        assertEquals(0, broker.metrics().willsPublished.sum());
    }

    // ---- MQTT 5.0 properties --------------------------------------------------------------------

    @Test
    void forwardsUserPropertiesInOrderToA5SubscriberAndThePayloadToA311One() throws Exception {
        // given a 5.0 and a 3.1.1 subscriber
        broker = TestBroker.start();
        Tool sub5 = start(SUB, "mqttv5", "-t", "interop/props", "-C", "1", "-F", "%P|%p");
        Tool sub311 = start(SUB, "mqttv311", "-t", "interop/props", "-C", "1", "-F", "%P|%p");
        awaitSubscriptions(2);

        // when a 5.0 client publishes with user properties, one key twice
        start(PUB, "mqttv5", "-t", "interop/props", "-m", "hello",
            "-D", "publish", "user-property", "region", "eu",
            "-D", "publish", "user-property", "site", "berlin",
            "-D", "publish", "user-property", "region", "us").awaitExit();

        // then the 5.0 subscriber gets all of them unchanged and in order [MQTT-3.3.2-17] [MQTT-3.3.2-18]
        assertEquals(lines("region:eu site:berlin region:us|hello"), sub5.awaitExit());
        // and the 3.1.1 subscriber, which has no properties, gets the message
        assertEquals(lines("|hello"), sub311.awaitExit());
    }

    @Test
    void forwardsMessageExpiryReducedByTheTimeTheMessageWaited() throws Exception {
        // given a broker whose clock the test moves, and a retained message that expires in 60 s
        broker = TestBroker.startWithManualClock(UnaryOperator.identity());
        start(PUB, "mqttv5", "-t", "interop/expiry/r", "-r", "-q", "1", "-m", "soon",
            "-D", "publish", "message-expiry-interval", "60").awaitExit();

        // when 20 s pass before a client subscribes
        broker.clock().advance(Duration.ofSeconds(20));
        Tool sub = start(SUB, "mqttv5", "-t", "interop/expiry/#", "-q", "1", "-C", "1", "-F", "%E|%r|%p");

        // then the message carries the 40 s that are left [MQTT-3.3.2-6]
        assertEquals(lines("40|1|soon"), sub.awaitExit());
        awaitSubscriptions(0);

        // when the rest of its lifetime passes
        broker.clock().advance(Duration.ofSeconds(41));

        // then it is no longer sent to new subscribers [MQTT-3.3.2-5]
        assertEquals("", retainedMessagesUnder("mqttv5", "interop/expiry"));
    }

    @Test
    void forwardsMessageExpiryToAnOnlineSubscriber() throws Exception {
        // given
        broker = TestBroker.startWithManualClock(UnaryOperator.identity());
        Tool sub = start(SUB, "mqttv5", "-t", "interop/expiry/live", "-q", "1", "-C", "1", "-F", "%E|%p");
        awaitSubscriptions(1);

        // when a message with an expiry interval is published and no time passes
        start(PUB, "mqttv5", "-t", "interop/expiry/live", "-q", "1", "-m", "fresh",
            "-D", "publish", "message-expiry-interval", "3600").awaitExit();

        // then the subscriber gets the interval unchanged [MQTT-3.3.2-6]
        assertEquals(lines("3600|fresh"), sub.awaitExit());
    }

    @Test
    void acceptsA5ConnectThatCarriesEveryKindOfProperty() throws Exception {
        // given a 5.0 subscriber whose CONNECT and will carry properties of every data type
        broker = TestBroker.start();
        Tool sub = start(SUB, "mqttv5", "-t", "interop/connect", "-C", "1", "-v",
            "-D", "connect", "session-expiry-interval", "30",
            "-D", "connect", "receive-maximum", "20",
            "-D", "connect", "maximum-packet-size", "65536",
            "-D", "connect", "topic-alias-maximum", "5",
            "-D", "connect", "request-problem-information", "1",
            "-D", "connect", "user-property", "app", "interop",
            "-D", "connect", "user-property", "app", "twice",
            "--will-topic", "interop/will", "--will-payload", "gone",
            "-D", "will", "will-delay-interval", "10",
            "-D", "will", "message-expiry-interval", "60",
            "-D", "will", "content-type", "text/plain",
            "-D", "will", "correlation-data", "c0ffee",
            "-D", "will", "user-property", "k", "v");

        // when it has subscribed and a message is published
        awaitSubscriptions(1);
        start(PUB, "mqttv5", "-t", "interop/connect", "-m", "accepted").awaitExit();

        // then it was accepted as a whole, and receives the message
        assertEquals(lines("interop/connect accepted"), sub.awaitExit());
    }

    // ---- helpers --------------------------------------------------------------------------------

    /**
     * @return what a new subscriber to {@code prefix/#} receives as retained messages: it is told
     *     to stop at the first message that is not retained, which the test then publishes
     */
    // ---- tenants and credentials ----------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void connectsWithAUserAtTenantAndAPasswordAsTheReadmeShows(String version) throws Exception {
        // given a tenants file like the README's, with a password hashed as hash-password does
        String hash = new PasswordHasher(PasswordHasher.Argon2Cost.OWASP, Runnable::run, new SecureRandom())
            .hashNow("s3cret".getBytes(StandardCharsets.UTF_8));
        broker = TestBroker.withTenantsFile("""
            {"tenants": [{"id": "acme",
              "auth": [{"type": "password", "users": {"sensor-1": "%s"}}],
              "policy": [{"effect": "allow", "actions": ["publish", "subscribe"], "filters": ["devices/${username}/#"]}]}]}
            """.formatted(hash));
        TenantSpace acme = broker.broker().tenant(new TenantId("acme"));
        Tool sub = start(SUB, version, "-i", "sensor-1-sub", "-u", "sensor-1@acme", "-P", "s3cret",
            "-t", "devices/sensor-1/#", "-q", "1", "-C", "1", "-F", "%t|%p");
        Eventually.await(STATE_TIMEOUT, "the subscription", () -> acme.topics().subscriptionCount() == 1);

        // when a publisher with the right password and one with the wrong one try
        start(PUB, version, "-i", "intruder", "-u", "sensor-1@acme", "-P", "wrong",
            "-t", "devices/sensor-1/x", "-m", "never").awaitFailure();
        start(PUB, version, "-i", "sensor-1-pub", "-u", "sensor-1@acme", "-P", "s3cret", "-q", "1",
            "-t", "devices/sensor-1/temp", "-m", "21.5").awaitExit();

        // then only the message of the authenticated client arrives, in the tenant acme
        assertEquals(lines("devices/sensor-1/temp|21.5"), sub.awaitExit());
        assertTrue(acme.metrics().authFailures.sum() >= 1);
    }

    private String retainedMessagesUnder(String version, String prefix) throws Exception {
        Tool probe = start(SUB, version, "-t", prefix + "/#", "--retained-only", "-F", "%t|%p");
        awaitSubscriptions(1);
        start(PUB, version, "-t", prefix + "/end", "-m", "end").awaitExit();
        return probe.awaitExit();
    }

    private void awaitSubscriptions(int expected) throws InterruptedException {
        Eventually.await(STATE_TIMEOUT, expected + " subscriptions on the broker",
            () -> broker.defaultTenant().topics().subscriptionCount() == expected);
    }

    private static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    private Tool start(String tool, String version, String... args) throws IOException {
        return startWithInput("", tool, version, args);
    }

    /** @param input the process's standard input (read by {@code mosquitto_pub -l}) */
    private Tool startWithInput(String input, String tool, String version, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(tool, "-h", broker.host(), "-p",
            String.valueOf(broker.port()), "-V", version));
        command.addAll(List.of(args));
        return new Tool(command, input);
    }

    /** A mosquitto client process; its output goes to files, read once it has exited. */
    private final class Tool {
        private final String command;
        private final Path out;
        private final Path err;
        private final Process process;

        Tool(List<String> command, String input) throws IOException {
            this.command = String.join(" ", command);
            int n = processes.size();
            out = dir.resolve(n + ".out");
            err = dir.resolve(n + ".err");
            Path in = dir.resolve(n + ".in");
            Files.writeString(in, input, StandardCharsets.UTF_8);
            process = new ProcessBuilder(command)
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
            processes.add(process);
        }

        /** @return the standard output, once the process has exited with status 0 */
        String awaitExit() throws IOException, InterruptedException {
            if (!process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                fail(command + " did not exit within " + PROCESS_TIMEOUT.toSeconds() + " s; output: "
                    + Files.readString(out) + "; errors: " + Files.readString(err));
            }
            assertEquals(0, process.exitValue(), () -> command + " failed: " + read(err));
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        /** Waits for the process to fail, as a client refused by the broker does. */
        void awaitFailure() throws IOException, InterruptedException {
            if (!process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail(command + " did not exit within " + PROCESS_TIMEOUT.toSeconds() + " s");
            }
            assertTrue(process.exitValue() != 0, () -> command + " succeeded; errors: " + read(err));
        }

        private String read(Path p) {
            try {
                return Files.readString(p);
            } catch (IOException e) {
                return e.toString();
            }
        }
    }
}
