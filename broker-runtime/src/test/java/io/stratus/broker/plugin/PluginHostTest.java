package io.stratus.broker.plugin;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.stratus.broker.support.Eventually;
import io.stratus.broker.support.LogCapture;
import io.stratus.broker.tenant.TenantId;
import io.stratus.sdk.PluginConfiguration;
import io.stratus.sdk.PluginContext;
import io.stratus.sdk.StratusPlugin;
import io.stratus.sdk.auth.AclResult;
import io.stratus.sdk.auth.AuthExchange;
import io.stratus.sdk.auth.AuthResult;
import io.stratus.sdk.auth.AuthStep;
import io.stratus.sdk.auth.Authorizer;
import io.stratus.sdk.auth.ConnectRequest;
import io.stratus.sdk.auth.Decision;
import io.stratus.sdk.auth.DenyReason;
import io.stratus.sdk.auth.EnhancedAuthenticator;
import io.stratus.sdk.auth.PublishRequest;
import io.stratus.sdk.auth.SimpleAuthenticator;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.hook.LifecycleListener;
import io.stratus.sdk.hook.MessageDecision;
import io.stratus.sdk.message.PublishPacket;
import io.stratus.sdk.service.ScheduledTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host's guarantees around a plugin's callbacks, with plugins written in the test: whatever a
 * callback does (throw, fail, answer null, never answer, answer late), the broker gets an answer in
 * time and the failure is counted.
 */
class PluginHostTest {

    private static final TenantId TENANT = new TenantId("acme");
    private static final Duration SHORT = Duration.ofMillis(200);
    private static final PluginTimeouts QUICK = new PluginTimeouts(SHORT, SHORT, SHORT, SHORT, Duration.ofMillis(500));
    /** Long enough that a call is surely inside the plugin before it times out. */
    private static final PluginTimeouts BLOCKING = new PluginTimeouts(Duration.ofSeconds(1), SHORT, SHORT, SHORT,
        Duration.ofMillis(500));
    private static final ConnectRequest REQUEST = ConnectRequest.builder().clientId("c1").username("alice")
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40_000)).build();
    private static final ClientIdentity CLIENT = ClientIdentity.builder().tenantId("acme").clientId("c1")
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40_000)).build();

    private final RecordingServices services = new RecordingServices();
    private final PluginEnvironment environment = new PluginEnvironment(services);
    private final PluginStats stats = new PluginStats();

    @AfterEach
    void closeEnvironment() {
        environment.close();
    }

    @Test
    void usesTheAnswerOfAnAuthenticatorThatAnswers() throws Exception {
        PluginHost host = started(c -> c.registerAuthenticator(r -> CompletableFuture.completedStage(AuthResult.allow())));

        assertEquals(AuthResult.allow(), host.authenticate(REQUEST).get());
        assertEquals(1, stats.calls());
        assertEquals(0, stats.failures());
    }

    @Test
    void deniesWhenTheAuthenticatorThrowsAndCountsIt() throws Exception {
        PluginHost host = started(c -> c.registerAuthenticator(r -> {
            throw new IllegalStateException("database down");
        }));

        try (LogCapture logs = new LogCapture()) {
            AuthResult result = host.authenticate(REQUEST).get();

            assertSame(PluginHost.AUTH_FALLBACK, result);
            assertEquals(DenyReason.SERVER_BUSY, result.denyReason().orElseThrow());
            assertEquals(1, stats.failures());
            assertEquals(1, logs.exceptions().size(), logs.exceptions().toString());
            assertTrue(logs.exceptions().get(0).contains("plugin=probe authenticator throws"), logs.exceptions().toString());
        }
    }

    @Test
    void deniesWhenTheAuthenticatorsStageFails() throws Exception {
        PluginHost host = started(c -> c.registerAuthenticator(
            r -> CompletableFuture.failedFuture(new IllegalStateException("token service said 500"))));

        assertSame(PluginHost.AUTH_FALLBACK, host.authenticate(REQUEST).get());
        assertEquals(1, stats.failures());
    }

    @Test
    void deniesWhenTheAuthenticatorReturnsNullOrAnswersNull() throws Exception {
        PluginHost returnsNull = started(c -> c.registerAuthenticator(r -> null));
        PluginHost answersNull = started(c -> c.registerAuthenticator(r -> CompletableFuture.completedStage(null)));

        assertSame(PluginHost.AUTH_FALLBACK, returnsNull.authenticate(REQUEST).get());
        assertSame(PluginHost.AUTH_FALLBACK, answersNull.authenticate(REQUEST).get());
        assertEquals(2, stats.failures());
    }

    @Test
    void deniesWhenTheAuthenticatorThrowsAnError() throws Exception {
        PluginHost host = started(c -> c.registerAuthenticator(r -> {
            throw new NoClassDefFoundError("com/example/Missing");
        }));

        assertSame(PluginHost.AUTH_FALLBACK, host.authenticate(REQUEST).get());
        assertEquals(1, stats.failures());
    }

    @Test
    void deniesWhenTheAuthenticatorNeverAnswersOnceTheTimeoutPasses() throws Exception {
        PluginHost host = started(c -> c.registerAuthenticator(r -> new CompletableFuture<>()));

        long start = System.nanoTime();
        AuthResult result = host.authenticate(REQUEST).get(5, TimeUnit.SECONDS);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertSame(PluginHost.AUTH_FALLBACK, result);
        assertTrue(elapsedMillis >= SHORT.toMillis() - 5, "answered before the timeout: " + elapsedMillis + " ms");
        assertTrue(elapsedMillis < SHORT.toMillis() + 2_000, "answered long after the timeout: " + elapsedMillis + " ms");
        assertEquals(1, stats.timeouts());
        assertEquals(0, stats.failures());
    }

    @Test
    void runsCallbacksOnPluginThreadsRatherThanTheCallers() throws Exception {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        PluginHost host = started(c -> c.registerAuthenticator(r -> {
            ranOn.set(Thread.currentThread());
            return CompletableFuture.completedStage(AuthResult.allow());
        }));

        host.authenticate(REQUEST).get();

        assertTrue(ranOn.get() != Thread.currentThread());
        assertTrue(ranOn.get().getName().startsWith("stratus-plugin-callback"), ranOn.get().getName());
    }

    @Test
    void answersAtTheTimeoutWhenACallbackBlocksItsThread() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PluginHost host = started(BLOCKING, c -> c.registerAuthenticator(r -> {
            entered.countDown();
            awaitQuietly(release); // blocking I/O done wrong
            return CompletableFuture.completedStage(AuthResult.allow());
        }));
        try {
            long start = System.nanoTime();
            CompletableFuture<AuthResult> answer = host.authenticate(REQUEST);
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            AuthResult result = answer.get(5, TimeUnit.SECONDS);

            assertSame(PluginHost.AUTH_FALLBACK, result);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMillis >= BLOCKING.authentication().toMillis() - 5, elapsedMillis + " ms");
            assertTrue(elapsedMillis < BLOCKING.authentication().toMillis() + 2_000, elapsedMillis + " ms");
            assertEquals(1, stats.timeouts());
            assertEquals(1, host.blockedCalls());
        } finally {
            release.countDown();
        }
        Eventually.await(Duration.ofSeconds(5), "the blocked thread is given back", () -> host.blockedCalls() == 0);
    }

    @Test
    void stopsCallingAPluginThatHoldsTooManyThreadsUntilItGivesThemBack() throws Exception {
        try (PluginEnvironment small = new PluginEnvironment(services, 4, 100)) { // one blocked call allowed
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            PluginHost host = new PluginHost(TENANT, jar(), getClass().getClassLoader(), () -> (StratusPlugin) c ->
                c.registerAuthenticator(r -> {
                    if (calls.incrementAndGet() == 1) {
                        entered.countDown();
                        awaitQuietly(release);
                    }
                    return CompletableFuture.completedStage(AuthResult.allow());
                }), PluginConfiguration.empty(), BLOCKING, stats, small);
            assertTrue(host.start());
            CompletableFuture<AuthResult> blocked = host.authenticate(REQUEST);
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            assertSame(PluginHost.AUTH_FALLBACK, blocked.get(5, TimeUnit.SECONDS));

            AuthResult refused = host.authenticate(REQUEST).get();

            assertSame(PluginHost.AUTH_FALLBACK, refused);
            assertEquals(1, calls.get(), "the plugin was called while it held its quota of threads");
            assertEquals(1, stats.failures());
            release.countDown();
            Eventually.await(Duration.ofSeconds(5), "the blocked thread is given back", () -> host.blockedCalls() == 0);
            assertEquals(AuthResult.allow(), host.authenticate(REQUEST).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void usesALateAnswerThatStillComesWithinTheTimeout() throws Exception {
        PluginTimeouts generous = new PluginTimeouts(Duration.ofSeconds(5), SHORT, SHORT, SHORT, Duration.ofSeconds(1));
        PluginHost host = started(generous, c -> c.registerAuthenticator(r -> {
            CompletableFuture<AuthResult> later = new CompletableFuture<>();
            // Completed from another thread, as a plugin doing I/O on its own executor would.
            c.scheduler().schedule(() -> later.complete(AuthResult.deny(DenyReason.BANNED, "revoked")),
                Duration.ofMillis(100));
            return later;
        }));

        AuthResult result = host.authenticate(REQUEST).get(5, TimeUnit.SECONDS);

        assertEquals(DenyReason.BANNED, result.denyReason().orElseThrow());
        assertEquals(0, stats.timeouts());
        assertEquals(0, stats.failures());
    }

    @Test
    void ignoresAnAnswerThatComesAfterTheTimeout() throws Exception {
        CompletableFuture<AuthResult> answer = new CompletableFuture<>();
        PluginHost host = started(c -> c.registerAuthenticator(r -> answer));

        CompletableFuture<AuthResult> result = host.authenticate(REQUEST);
        assertSame(PluginHost.AUTH_FALLBACK, result.get(5, TimeUnit.SECONDS));
        answer.complete(AuthResult.allow());

        assertSame(PluginHost.AUTH_FALLBACK, result.get());
        assertEquals(1, stats.timeouts());
        assertEquals(0, stats.failures());
    }

    @Test
    void acceptsAStageThatRefusesToBecomeAFuture() throws Exception {
        // CompletionStage allows toCompletableFuture to refuse; the answer must still get through.
        CompletableFuture<AuthResult> refusing = new CompletableFuture<>() {
            @Override
            public CompletableFuture<AuthResult> toCompletableFuture() {
                throw new UnsupportedOperationException();
            }
        };
        PluginHost host = started(c -> c.registerAuthenticator(r -> refusing));

        CompletableFuture<AuthResult> result = host.authenticate(REQUEST);
        refusing.complete(AuthResult.allow());

        assertEquals(AuthResult.allow(), result.get(5, TimeUnit.SECONDS));
        assertEquals(0, stats.failures());
    }

    @Test
    void deniesWhenAnAuthorizerFailsButPassesWhenAHookFails() throws Exception {
        PluginHost host = started(c -> {
            c.registerAuthorizer(new Authorizer() {
                @Override
                public CompletionStage<AclResult> authorizePublish(ClientIdentity client, PublishRequest publish) {
                    throw new IllegalStateException("boom");
                }
            });
            c.registerInboundPublishHook((sender, packet) -> {
                throw new IllegalStateException("boom");
            });
            c.registerOutboundDeliveryHook((receiver, packet) -> new CompletableFuture<>());
        });
        PublishPacket packet = PublishPacket.of("a/b", new byte[] {1});

        assertEquals(Decision.DENY, host.authorizePublish(CLIENT, PublishRequest.of("a/b", 0, false)).get().decision());
        assertEquals(MessageDecision.pass(), host.onPublish(CLIENT, packet).get());
        assertEquals(MessageDecision.pass(), host.onDeliver(CLIENT, packet).get(5, TimeUnit.SECONDS));
        assertEquals(2, stats.failures());
        assertEquals(1, stats.timeouts());
    }

    @Test
    void usesAHooksReplacement() throws Exception {
        PluginHost host = started(c -> c.registerInboundPublishHook((sender, packet) -> CompletableFuture.completedStage(
            MessageDecision.replace(packet.toBuilder().topic("enriched/" + packet.topic()).build()))));

        MessageDecision decision = host.onPublish(CLIENT, PublishPacket.of("a/b", new byte[0])).get();

        assertEquals("enriched/a/b", decision.packet().orElseThrow().topic());
    }

    @Test
    void completesLifecycleNotificationsNormallyWhateverTheListenerDoes() throws Exception {
        PluginHost host = started(c -> c.registerLifecycleListener(new LifecycleListener() {
            @Override
            public CompletionStage<Void> onConnected(ClientIdentity client) {
                throw new IllegalStateException("boom");
            }

            @Override
            public CompletionStage<Void> onUnsubscribed(ClientIdentity client, List<String> filters) {
                return new CompletableFuture<>();
            }
        }));

        host.onConnected(CLIENT).get();
        host.onUnsubscribed(CLIENT, List.of("a")).get(5, TimeUnit.SECONDS);
        host.onSubscribed(CLIENT, List.of()).get();

        assertEquals(1, stats.failures());
        assertEquals(1, stats.timeouts());
    }

    @Test
    void answersWithoutCallingWhatThePluginDidNotRegister() throws Exception {
        PluginHost host = started(c -> { });

        assertEquals(AuthResult.next(), host.authenticate(REQUEST).get());
        assertEquals(AclResult.next(), host.authorizePublish(CLIENT, PublishRequest.of("a", 0, false)).get());
        assertEquals(MessageDecision.pass(), host.onDeliver(CLIENT, PublishPacket.of("a", new byte[0])).get());
        assertEquals(AuthStep.Kind.FAILURE, host.startAuthentication("SCRAM-SHA-1", REQUEST).get().kind());
        assertFalse(host.hasAuthenticator());
        assertEquals(0, stats.calls());
    }

    @Test
    void runsTheEnhancedAuthenticatorOfTheMethodAndPassesItACopyOfTheData() throws Exception {
        byte[] seen = new byte[1];
        PluginHost host = started(c -> c.registerEnhancedAuthenticator("CHALLENGE", new EnhancedAuthenticator() {
            @Override
            public CompletionStage<AuthStep> onConnect(ConnectRequest request) {
                return CompletableFuture.completedStage(AuthStep.continueWith(new byte[] {42}, "nonce"));
            }

            @Override
            public CompletionStage<AuthStep> onAuth(AuthExchange exchange, byte[] authData) {
                seen[0] = authData[0];
                authData[0] = 0;
                return CompletableFuture.completedStage(AuthStep.success(AuthResult.allow()));
            }
        }));
        byte[] response = {7};

        AuthStep first = host.startAuthentication("CHALLENGE", REQUEST).get();
        AuthStep second = host.continueAuthentication("CHALLENGE", AuthExchange.builder()
            .authenticationMethod("CHALLENGE").connectRequest(REQUEST).state("nonce").build(), response).get();

        assertEquals(Set.of("CHALLENGE"), host.authenticationMethods());
        assertEquals(AuthStep.Kind.CONTINUE, first.kind());
        assertEquals(AuthStep.Kind.SUCCESS, second.kind());
        assertEquals(7, seen[0]);
        assertEquals(7, response[0], "the plugin changed the broker's copy");
    }

    @Test
    void runsCallbacksWithThePluginsClassLoaderAsContextClassLoader() throws Exception {
        AtomicReference<ClassLoader> seen = new AtomicReference<>();
        try (URLClassLoader pluginLoader = new URLClassLoader(new URL[0])) {
            PluginHost host = new PluginHost(TENANT, jar(), pluginLoader, () -> (StratusPlugin) c ->
                c.registerAuthenticator(r -> {
                    seen.set(Thread.currentThread().getContextClassLoader());
                    return CompletableFuture.completedStage(AuthResult.next());
                }), PluginConfiguration.empty(), QUICK, stats, environment);
            assertTrue(host.start());

            host.authenticate(REQUEST).get();

            assertSame(pluginLoader, seen.get());
            assertSame(getClass().getClassLoader(), Thread.currentThread().getContextClassLoader());
        }
    }

    @Test
    void refusesRegistrationsAfterStartAndTwiceOfAKind() throws Exception {
        AtomicReference<PluginContext> context = new AtomicReference<>();
        SimpleAuthenticator authenticator = r -> CompletableFuture.completedStage(AuthResult.next());
        AtomicReference<Throwable> second = new AtomicReference<>();
        started(c -> {
            context.set(c);
            c.registerAuthenticator(authenticator);
            second.set(assertThrows(IllegalStateException.class, () -> c.registerAuthenticator(authenticator)));
        });

        assertTrue(second.get().getMessage().contains("already registered"));
        assertThrows(IllegalStateException.class, () -> context.get().registerAuthorizer(new Authorizer() { }));
    }

    @Test
    void leavesAPluginWhoseStartThrowsInertAndCountsIt() throws Exception {
        PluginHost host = new PluginHost(TENANT, jar(), getClass().getClassLoader(), () -> (StratusPlugin) c -> {
            c.registerAuthenticator(r -> CompletableFuture.completedStage(AuthResult.allow()));
            throw new IllegalArgumentException("setting issuer is required");
        }, PluginConfiguration.empty(), QUICK, stats, environment);

        assertFalse(host.start());

        assertFalse(host.isRunning());
        assertEquals(AuthResult.next(), host.authenticate(REQUEST).get(), "its registrations are discarded");
        assertEquals(1, stats.startFailures());
    }

    @Test
    void givesUpOnAStartThatNeverReturns() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        PluginHost host = new PluginHost(TENANT, jar(), getClass().getClassLoader(), () -> (StratusPlugin) c -> never.await(),
            PluginConfiguration.empty(), QUICK, stats, environment);

        long start = System.nanoTime();
        assertFalse(host.start());

        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5_000);
        assertEquals(1, stats.startFailures());
    }

    @Test
    void cancelsScheduledTasksAndRefusesServicesOnceStopped() throws Exception {
        AtomicReference<PluginContext> context = new AtomicReference<>();
        AtomicReference<ScheduledTask> periodic = new AtomicReference<>();
        AtomicReference<ScheduledTask> later = new AtomicReference<>();
        CountDownLatch ranTwice = new CountDownLatch(2);
        PluginHost host = started(c -> {
            context.set(c);
            periodic.set(c.scheduler().scheduleAtFixedRate(() -> {
                ranTwice.countDown();
                throw new IllegalStateException("every run fails");
            }, Duration.ZERO, Duration.ofMillis(10)));
            later.set(c.scheduler().schedule(() -> { }, Duration.ofHours(1)));
        });
        assertTrue(ranTwice.await(5, TimeUnit.SECONDS), "a periodic task that throws keeps its schedule");

        host.stop();

        assertTrue(periodic.get().isCancelled());
        assertTrue(later.get().isCancelled());
        HostScheduler scheduler = (HostScheduler) context.get().scheduler();
        assertEquals(0, scheduler.pending());
        assertThrows(IllegalStateException.class, () -> scheduler.schedule(() -> { }, Duration.ZERO));
        ExecutionException refused = assertThrows(ExecutionException.class,
            () -> context.get().publisher().publish(PublishPacket.of("a", new byte[0])).toCompletableFuture().get());
        assertTrue(refused.getCause() instanceof IllegalStateException);
        assertEquals(AuthResult.next(), host.authenticate(REQUEST).get());
        assertTrue(stats.failures() >= 1, "the failing runs were counted");
    }

    @Test
    void keepsPluginCountersAndForgetsAStoppedInstancesGauges() throws Exception {
        PluginHost host = started(c -> {
            c.metrics().counter("logins").add(3);
            c.metrics().gauge("cache-size", () -> 42);
            assertThrows(IllegalArgumentException.class, () -> c.metrics().counter("Bad Name"));
        });
        assertEquals(Map.of("cache-size", 42L, "logins", 3L), stats.metrics().snapshot());

        host.stop();

        assertEquals(Map.of("logins", 3L), stats.metrics().snapshot());
    }

    @Test
    void tagsThePluginsLogLinesWithItsTenant() {
        Logger logger = (Logger) LoggerFactory.getLogger("stratus.plugin.probe");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            started(c -> c.logger().log(System.Logger.Level.WARNING, "cache has {0} entries", 3));

            ILoggingEvent event = appender.list.get(0);
            assertEquals("cache has 3 entries", event.getFormattedMessage());
            assertEquals("acme", event.getMDCPropertyMap().get("tenant"));
        } finally {
            logger.detachAppender(appender);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private PluginHost started(Consumer<PluginContext> start) {
        return started(QUICK, start);
    }

    private PluginHost started(PluginTimeouts timeouts, Consumer<PluginContext> start) {
        StratusPlugin plugin = start::accept;
        PluginHost host = new PluginHost(TENANT, jar(), getClass().getClassLoader(), () -> plugin,
            PluginConfiguration.empty(), timeouts, stats, environment);
        assertTrue(host.start(), "the plugin did not start");
        return host;
    }

    private static PluginJar jar() {
        return new PluginJar(Path.of("probe.jar"), "probe", "1.0", "0");
    }
}
