package io.stratus.broker.plugin;

import io.stratus.broker.tenant.TenantId;
import io.stratus.sdk.PluginConfiguration;
import io.stratus.sdk.StratusPlugin;
import io.stratus.sdk.auth.AclResult;
import io.stratus.sdk.auth.AuthExchange;
import io.stratus.sdk.auth.AuthResult;
import io.stratus.sdk.auth.AuthStep;
import io.stratus.sdk.auth.ConnectRequest;
import io.stratus.sdk.auth.DenyReason;
import io.stratus.sdk.auth.EnhancedAuthenticator;
import io.stratus.sdk.auth.PublishRequest;
import io.stratus.sdk.auth.SubscribeRequest;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.hook.DisconnectInfo;
import io.stratus.sdk.hook.InboundPublishHook;
import io.stratus.sdk.hook.LifecycleListener;
import io.stratus.sdk.hook.MessageDecision;
import io.stratus.sdk.hook.OutboundDeliveryHook;
import io.stratus.sdk.hook.SubscriptionInfo;
import io.stratus.sdk.message.PublishPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One plugin instance serving one tenant: it starts and stops the instance, holds the callbacks the
 * instance registered, and calls them for the broker, on the plugin threads rather than the caller's,
 * with the tenant's timeouts and the documented fallbacks. Every method that calls the plugin returns a future that completes normally, with the
 * plugin's answer or the fallback, whatever the plugin does; see {@link CallbackGuard} for the thread
 * it completes on.
 *
 * <p>A host that is not running (its start failed, or it was stopped) and a callback the plugin did
 * not register answer as if the plugin had no opinion: {@code next} for authentication and
 * authorization, {@code pass} for hooks, so that callers need not care.
 */
public final class PluginHost {

    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    static final AuthResult AUTH_FALLBACK =
        AuthResult.deny(DenyReason.SERVER_BUSY, "the plugin failed or did not answer in time");
    static final AuthStep AUTH_STEP_FALLBACK =
        AuthStep.failure(DenyReason.SERVER_BUSY, "the plugin failed or did not answer in time");
    static final AclResult ACL_FALLBACK = AclResult.deny("the plugin failed or did not answer in time");

    private enum State { NEW, RUNNING, FAILED, STOPPED }

    private final TenantId tenant;
    private final PluginJar jar;
    private final Callable<StratusPlugin> factory;
    private volatile StratusPlugin plugin;
    private final PluginTimeouts timeouts;
    private final PluginStats stats;
    private final PluginEnvironment environment;
    private final CallbackGuard guard;
    private final HostContext context;
    private volatile State state = State.NEW;
    private volatile Map<String, EnhancedAuthenticator> enhancedAuthenticators = Map.of();

    /**
     * @param pluginLoader the plugin's class loader, made the context class loader while its code runs
     * @param factory      makes the plugin instance; called once, by {@link #start()}, on a lifecycle
     *                     thread, since a plugin's constructor is plugin code too
     * @param stats        the counters of this (tenant, plugin), which outlive the instance
     */
    public PluginHost(TenantId tenant, PluginJar jar, ClassLoader pluginLoader, Callable<StratusPlugin> factory,
                      PluginConfiguration configuration, PluginTimeouts timeouts, PluginStats stats,
                      PluginEnvironment environment) {
        this.tenant = tenant;
        this.jar = jar;
        this.factory = factory;
        this.timeouts = timeouts;
        this.stats = stats;
        this.environment = environment;
        this.guard = new CallbackGuard(tenant, jar.id(), pluginLoader, stats, environment.timer(),
            environment.callbacks(), environment.maxBlockedPerPlugin());
        this.context = new HostContext(tenant, jar, configuration, environment.services(),
            new HostScheduler(environment.tasks(), guard), stats.metrics().view(this));
    }

    public TenantId tenant() {
        return tenant;
    }

    public PluginJar jar() {
        return jar;
    }

    public PluginStats stats() {
        return stats;
    }

    public boolean isRunning() {
        return state == State.RUNNING;
    }

    /** @return calls whose callback still holds a plugin thread past its timeout */
    int blockedCalls() {
        return guard.blockedCalls();
    }

    /**
     * Starts the instance: makes it and calls its {@code start} on a lifecycle thread, and waits up to
     * the start timeout. Blocks, so it is for management threads only.
     *
     * @return whether it started; if not, the failure was logged and counted and the host stays inert
     */
    public boolean start() {
        if (state != State.NEW) {
            throw new IllegalStateException("a plugin host starts once");
        }
        boolean started = runLifecycle("start", () -> {
            plugin = factory.call();
            plugin.start(context);
            return null;
        });
        context.closeRegistration();
        if (!started) {
            stats.startFailed();
            state = State.FAILED;
            context.stopServices();
            stats.metrics().removeGauges(this);
            return false;
        }
        enhancedAuthenticators = context.enhancedAuthenticators();
        state = State.RUNNING;
        CallbackGuard.withTenant(tenant, () -> LOG.info("plugin={} version={} started", jar.id(), jar.version()));
        return true;
    }

    /**
     * Stops the instance: no callback is called from now on, its scheduled tasks are cancelled, then its
     * {@code stop} runs (waited for up to the timeout), then its services refuse further use. Blocks,
     * so it is for management threads only.
     */
    public void stop() {
        if (state != State.RUNNING) {
            return;
        }
        state = State.STOPPED;
        context.closeRegistration();
        context.stopScheduler();
        // The services still work during stop(), so a plugin can say goodbye (publish a last status).
        runLifecycle("stop", () -> {
            plugin.stop();
            return null;
        });
        context.stopServices();
        stats.metrics().removeGauges(this);
        CallbackGuard.withTenant(tenant, () -> LOG.info("plugin={} version={} stopped", jar.id(), jar.version()));
    }

    private boolean runLifecycle(String what, Callable<Void> code) {
        Future<Void> done;
        try {
            done = environment.lifecycle().submit(() -> guard.withContextLoader(code));
        } catch (RejectedExecutionException e) {
            logLifecycleFailure(what, "could not run: the broker is shutting down", null);
            return false;
        }
        try {
            done.get(timeouts.startStop().toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            done.cancel(true);
            logLifecycleFailure(what, "did not return within " + timeouts.startStop().toMillis() + " ms", null);
        } catch (ExecutionException e) {
            logLifecycleFailure(what, "failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.cancel(true);
            logLifecycleFailure(what, "was interrupted", null);
        }
        return false;
    }

    private void logLifecycleFailure(String what, String how, Throwable cause) {
        CallbackGuard.withTenant(tenant, () -> LOG.warn("plugin={} version={} {} {}", jar.id(), jar.version(), what, how,
            cause));
    }

    // ---- authentication

    public boolean hasAuthenticator() {
        return context.authenticator() != null;
    }

    /** @return the answer of the plugin's authenticator; {@code next} if it has none or is not running */
    public CompletableFuture<AuthResult> authenticate(ConnectRequest request) {
        return call(context.authenticator(), AuthResult.next(), "authenticator", timeouts.authentication(),
            AUTH_FALLBACK, a -> a.authenticate(request));
    }

    /** @return the MQTT 5 authentication methods the plugin serves */
    public Set<String> authenticationMethods() {
        return enhancedAuthenticators.keySet();
    }

    /** Starts an enhanced authentication exchange with the method's {@code onConnect}. */
    public CompletableFuture<AuthStep> startAuthentication(String method, ConnectRequest request) {
        return enhanced(method, "onConnect", a -> a.onConnect(request));
    }

    /** Continues an exchange with the client's AUTH data. */
    public CompletableFuture<AuthStep> continueAuthentication(String method, AuthExchange exchange, byte[] authData) {
        byte[] copy = authData.clone();
        return enhanced(method, "onAuth", a -> a.onAuth(exchange, copy));
    }

    /** Starts a re-authentication of a connected client. */
    public CompletableFuture<AuthStep> startReauthentication(String method, AuthExchange exchange, byte[] authData) {
        byte[] copy = authData.clone();
        return enhanced(method, "onReauth", a -> a.onReauth(exchange, copy));
    }

    private CompletableFuture<AuthStep> enhanced(String method, String step,
                                                 Function<EnhancedAuthenticator, CompletionStage<AuthStep>> call) {
        EnhancedAuthenticator authenticator = enhancedAuthenticators.get(method);
        AuthStep absent = AuthStep.failure(DenyReason.BAD_AUTHENTICATION_METHOD,
            "plugin " + jar.id() + " does not serve the authentication method " + method);
        return call(authenticator, absent, "enhanced authenticator " + method + " " + step, timeouts.authentication(),
            AUTH_STEP_FALLBACK, call);
    }

    // ---- authorization

    public boolean hasAuthorizer() {
        return context.authorizer() != null;
    }

    public CompletableFuture<AclResult> authorizePublish(ClientIdentity client, PublishRequest publish) {
        return call(context.authorizer(), AclResult.next(), "authorizer publish", timeouts.authorization(),
            ACL_FALLBACK, a -> a.authorizePublish(client, publish));
    }

    public CompletableFuture<AclResult> authorizeSubscribe(ClientIdentity client, SubscribeRequest subscribe) {
        return call(context.authorizer(), AclResult.next(), "authorizer subscribe", timeouts.authorization(),
            ACL_FALLBACK, a -> a.authorizeSubscribe(client, subscribe));
    }

    // ---- hooks

    public boolean hasInboundPublishHook() {
        return context.inboundPublishHook() != null;
    }

    public CompletableFuture<MessageDecision> onPublish(ClientIdentity sender, PublishPacket packet) {
        InboundPublishHook hook = context.inboundPublishHook();
        return call(hook, MessageDecision.pass(), "inbound publish hook", timeouts.hook(), MessageDecision.pass(),
            h -> h.onPublish(sender, packet));
    }

    public boolean hasOutboundDeliveryHook() {
        return context.outboundDeliveryHook() != null;
    }

    public CompletableFuture<MessageDecision> onDeliver(ClientIdentity receiver, PublishPacket packet) {
        OutboundDeliveryHook hook = context.outboundDeliveryHook();
        return call(hook, MessageDecision.pass(), "outbound delivery hook", timeouts.hook(), MessageDecision.pass(),
            h -> h.onDeliver(receiver, packet));
    }

    // ---- lifecycle notifications: the futures complete normally in every case

    public boolean hasLifecycleListener() {
        return context.lifecycleListener() != null;
    }

    public CompletableFuture<Void> onConnected(ClientIdentity client) {
        return notifyListener("onConnected", l -> l.onConnected(client));
    }

    public CompletableFuture<Void> onDisconnected(ClientIdentity client, DisconnectInfo info) {
        return notifyListener("onDisconnected", l -> l.onDisconnected(client, info));
    }

    public CompletableFuture<Void> onSubscribed(ClientIdentity client, List<SubscriptionInfo> subscriptions) {
        return notifyListener("onSubscribed", l -> l.onSubscribed(client, subscriptions));
    }

    public CompletableFuture<Void> onUnsubscribed(ClientIdentity client, List<String> topicFilters) {
        return notifyListener("onUnsubscribed", l -> l.onUnsubscribed(client, topicFilters));
    }

    private CompletableFuture<Void> notifyListener(String event,
                                                   Function<LifecycleListener, CompletionStage<Void>> call) {
        LifecycleListener listener = context.lifecycleListener();
        if (listener == null || state != State.RUNNING) {
            return CompletableFuture.completedFuture(null);
        }
        return guard.notify("lifecycle listener " + event, timeouts.lifecycle(), () -> call.apply(listener));
    }

    private <C, T> CompletableFuture<T> call(C callback, T absent, String name, Duration timeout, T fallback,
                                             Function<C, CompletionStage<T>> invocation) {
        if (callback == null || state != State.RUNNING) {
            return CompletableFuture.completedFuture(absent);
        }
        Supplier<CompletionStage<T>> call = () -> invocation.apply(callback);
        return guard.call(name, timeout, fallback, call);
    }

    @Override
    public String toString() {
        return "PluginHost[tenant=" + tenant + ", plugin=" + jar + ", state=" + state + "]";
    }
}
