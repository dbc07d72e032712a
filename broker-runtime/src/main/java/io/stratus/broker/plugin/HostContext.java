package io.stratus.broker.plugin;

import io.stratus.broker.tenant.TenantId;
import io.stratus.sdk.PluginConfiguration;
import io.stratus.sdk.PluginContext;
import io.stratus.sdk.auth.Authorizer;
import io.stratus.sdk.auth.EnhancedAuthenticator;
import io.stratus.sdk.auth.SimpleAuthenticator;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.hook.InboundPublishHook;
import io.stratus.sdk.hook.LifecycleListener;
import io.stratus.sdk.hook.OutboundDeliveryHook;
import io.stratus.sdk.message.PublishPacket;
import io.stratus.sdk.service.ClientService;
import io.stratus.sdk.service.MessagePublisher;
import io.stratus.sdk.service.PluginMetrics;
import io.stratus.sdk.service.PluginScheduler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@link PluginContext} of one plugin instance: it binds the broker's services to the instance's
 * tenant, and collects the callbacks the instance registers while it starts. Once started the
 * registrations are fixed, so the host reads them without locks.
 */
final class HostContext implements PluginContext, MessagePublisher, ClientService {

    private final TenantId tenant;
    private final PluginJar jar;
    private final PluginConfiguration configuration;
    private final PluginRuntimeServices services;
    private final HostScheduler scheduler;
    private final PluginMetrics metrics;
    private final System.Logger logger;

    private volatile boolean registering = true;
    private volatile boolean stopped;
    private volatile SimpleAuthenticator authenticator;
    private final Map<String, EnhancedAuthenticator> enhancedAuthenticators = new LinkedHashMap<>();
    private volatile Authorizer authorizer;
    private volatile InboundPublishHook inboundPublishHook;
    private volatile OutboundDeliveryHook outboundDeliveryHook;
    private volatile LifecycleListener lifecycleListener;

    HostContext(TenantId tenant, PluginJar jar, PluginConfiguration configuration, PluginRuntimeServices services,
                HostScheduler scheduler, PluginMetrics metrics) {
        this.tenant = tenant;
        this.jar = jar;
        this.configuration = configuration;
        this.services = services;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.logger = new PluginLogger(tenant, jar.id());
    }

    @Override
    public String tenantId() {
        return tenant.value();
    }

    @Override
    public String pluginId() {
        return jar.id();
    }

    @Override
    public String pluginVersion() {
        return jar.version();
    }

    @Override
    public PluginConfiguration configuration() {
        return configuration;
    }

    @Override
    public synchronized void registerAuthenticator(SimpleAuthenticator authenticator) {
        checkRegistration(authenticator, this.authenticator, "an authenticator");
        this.authenticator = authenticator;
    }

    @Override
    public synchronized void registerEnhancedAuthenticator(String authenticationMethod, EnhancedAuthenticator authenticator) {
        Objects.requireNonNull(authenticationMethod, "authenticationMethod");
        if (authenticationMethod.isEmpty() || authenticationMethod.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("authenticationMethod must be a non-empty MQTT string");
        }
        checkRegistration(authenticator, enhancedAuthenticators.get(authenticationMethod),
            "an enhanced authenticator for " + authenticationMethod);
        enhancedAuthenticators.put(authenticationMethod, authenticator);
    }

    @Override
    public synchronized void registerAuthorizer(Authorizer authorizer) {
        checkRegistration(authorizer, this.authorizer, "an authorizer");
        this.authorizer = authorizer;
    }

    @Override
    public synchronized void registerInboundPublishHook(InboundPublishHook hook) {
        checkRegistration(hook, this.inboundPublishHook, "an inbound publish hook");
        this.inboundPublishHook = hook;
    }

    @Override
    public synchronized void registerOutboundDeliveryHook(OutboundDeliveryHook hook) {
        checkRegistration(hook, this.outboundDeliveryHook, "an outbound delivery hook");
        this.outboundDeliveryHook = hook;
    }

    @Override
    public synchronized void registerLifecycleListener(LifecycleListener listener) {
        checkRegistration(listener, this.lifecycleListener, "a lifecycle listener");
        this.lifecycleListener = listener;
    }

    private void checkRegistration(Object callback, Object existing, String what) {
        Objects.requireNonNull(callback, "callback");
        if (!registering) {
            throw new IllegalStateException("callbacks can be registered only during StratusPlugin.start");
        }
        if (existing != null) {
            throw new IllegalStateException("plugin " + jar.id() + " already registered " + what);
        }
    }

    @Override
    public MessagePublisher publisher() {
        return this;
    }

    @Override
    public ClientService clients() {
        return this;
    }

    @Override
    public PluginScheduler scheduler() {
        return scheduler;
    }

    @Override
    public PluginMetrics metrics() {
        return metrics;
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    @Override
    public CompletionStage<Void> publish(PublishPacket packet) {
        Objects.requireNonNull(packet, "packet");
        if (stopped) {
            return CompletableFuture.failedFuture(new IllegalStateException("the plugin was stopped"));
        }
        return services.publish(tenant, packet);
    }

    @Override
    public CompletionStage<Boolean> disconnect(String clientId, String reason) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(reason, "reason");
        if (stopped) {
            return CompletableFuture.failedFuture(new IllegalStateException("the plugin was stopped"));
        }
        return services.disconnect(tenant, clientId, reason);
    }

    @Override
    public Optional<ClientIdentity> identity(String clientId) {
        Objects.requireNonNull(clientId, "clientId");
        return services.identity(tenant, clientId);
    }

    /** Ends registration: called once start returned (or failed). */
    synchronized void closeRegistration() {
        registering = false;
    }

    /** Cancels the instance's scheduled tasks and refuses new ones: it is stopping. */
    void stopScheduler() {
        scheduler.stop();
    }

    /** Refuses the services from now on: the instance has stopped. */
    void stopServices() {
        stopScheduler();
        stopped = true;
    }

    SimpleAuthenticator authenticator() {
        return authenticator;
    }

    synchronized Map<String, EnhancedAuthenticator> enhancedAuthenticators() {
        return Map.copyOf(enhancedAuthenticators);
    }

    Authorizer authorizer() {
        return authorizer;
    }

    InboundPublishHook inboundPublishHook() {
        return inboundPublishHook;
    }

    OutboundDeliveryHook outboundDeliveryHook() {
        return outboundDeliveryHook;
    }

    LifecycleListener lifecycleListener() {
        return lifecycleListener;
    }
}
