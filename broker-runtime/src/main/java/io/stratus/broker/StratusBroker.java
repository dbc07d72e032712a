package io.stratus.broker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.stratus.broker.auth.ConnectAuthenticator;
import io.stratus.broker.auth.password.PasswordHasher;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.ConfigException;
import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.auth.PluginAuthentication;
import io.stratus.broker.metrics.SysPublisher;
import io.stratus.broker.plugin.PluginAuthenticator;
import io.stratus.broker.plugin.PluginCalls;
import io.stratus.broker.plugin.PluginRuntime;
import io.stratus.broker.protocol.BrokerPluginServices;
import io.stratus.broker.protocol.BrokerServices;
import io.stratus.broker.routing.Router;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantSpace;
import io.stratus.broker.tenant.StaticTenantDirectory;
import io.stratus.broker.tenant.ReloadingTenantDirectory;
import io.stratus.broker.tenant.TenantDirectory;
import io.stratus.broker.tenant.Tenants;
import io.stratus.broker.tenant.TenantsFileWatcher;
import io.stratus.broker.transport.MqttChannelInitializer;
import io.stratus.broker.transport.ServerTls;
import io.stratus.broker.transport.ShutdownEvent;
import io.stratus.broker.transport.TransportInfo;
import io.stratus.broker.transport.TransportPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Stratus broker: its listeners, event loops and state. {@link #start()} binds every listener;
 * {@link #close()} shuts down gracefully: it stops accepting connections and messages, lets every
 * message that was already acknowledged reach its online subscribers (reading only their
 * acknowledgements, within the grace period), tells 5.0 clients why (0x8B) and closes.
 */
public final class StratusBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StratusBroker.class);
    /** Work handed between lanes goes at most this many hops deep (reader, publisher, subscriber). */
    private static final int DRAIN_ROUNDS = 3;
    private static final int RETAINED_SWEEP_SECONDS = 60;
    private static final int AUTH_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final int AUTH_QUEUE = 10_000;
    private static final AdaptiveRecvByteBufAllocator RECEIVE_BUFFERS = new AdaptiveRecvByteBufAllocator();

    private final BrokerConfig config;
    private final Clock clock;
    private final Tenants tenants;
    private final Router router = new Router();
    private final ChannelGroup channels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final BrokerServices.ShutdownFlag shutdown = new BrokerServices.ShutdownFlag();
    private final Map<String, Channel> listeners = new LinkedHashMap<>();
    /** The TLS contexts of the listeners that use TLS, by listener name. */
    private final Map<String, ServerTls> tls = new LinkedHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Password hashing and other slow authentication work: bounded, a storm is refused rather than queued. */
    private final ThreadPoolExecutor authExecutor;
    private final ConnectAuthenticator authenticator;
    /** The plugins of {@code plugins.dir}; null without one. */
    private final PluginRuntime plugins;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    /** Checks certificate files for changes; file reads must stay off the event loops. */
    private ScheduledExecutorService certificateReloads;
    /** The tenants served now; a changed tenants file replaces its contents while the broker runs. */
    private final ReloadingTenantDirectory directory;
    /** Checks the tenants file for changes, off the event loops; null without one or with reloads off. */
    private TenantsFileWatcher tenantsFileWatcher;

    /** @throws ConfigException if a TLS listener's certificate or key cannot be used */
    public StratusBroker(BrokerConfig config) {
        this(config, Clock.systemUTC());
    }

    /**
     * Reads every TLS listener's certificate and key, so that a bad file stops the broker before it
     * binds anything.
     *
     * @param clock the time source for message expiry; tests replace it
     * @throws ConfigException if a TLS listener's certificate or key cannot be used; names the key
     */
    public StratusBroker(BrokerConfig config, Clock clock) {
        this(config, clock, StaticTenantDirectory.standalone(config.allowAnonymous()));
    }

    /**
     * @param clock     the time source for message expiry and credentials; tests replace it
     * @param directory the tenants and how their clients authenticate
     */
    public StratusBroker(BrokerConfig config, Clock clock, TenantDirectory directory) {
        this.config = config;
        this.clock = clock;
        this.tenants = new Tenants(100_000);
        this.authExecutor = new ThreadPoolExecutor(AUTH_THREADS, AUTH_THREADS, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(AUTH_QUEUE), daemonThreads("stratus-auth"));
        this.directory = directory instanceof ReloadingTenantDirectory r ? r : new ReloadingTenantDirectory(directory);
        this.plugins = config.pluginsDir().isEmpty() ? null : new PluginRuntime(pluginsDirectory(config),
            new BrokerPluginServices(tenants, router, config.limits(), clock), config.limits());
        this.authenticator = new ConnectAuthenticator(this.directory, clock, authExecutor,
            new PasswordHasher(PasswordHasher.Argon2Cost.OWASP, authExecutor, new SecureRandom()),
            plugins == null ? PluginAuthentication.NONE : new PluginAuthenticator(plugins.calls()));
        for (ListenerConfig l : config.listeners()) {
            if (l.transport().tls()) {
                tls.put(l.name(), ServerTls.load(l));
            }
        }
    }

    private static Path pluginsDirectory(BrokerConfig config) {
        try {
            return Path.of(config.pluginsDir());
        } catch (InvalidPathException e) {
            throw ConfigException.invalidValue("plugins.dir", config.pluginsDir(), "not a valid path",
                "the path of a directory of plugin JARs");
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Binds every listener. Throws if one cannot be bound; nothing is left running then. */
    public void start() throws Exception {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
            : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        workerGroup = new MultiThreadIoEventLoopGroup(workerThreads(), io);
        PluginCalls pluginCalls = plugins == null ? PluginCalls.NONE : plugins.calls();
        BrokerServices services = new BrokerServices(config, clock, router, tenants, channels, shutdown, authenticator,
            pluginCalls);
        try {
            if (plugins != null) {
                plugins.start(directory.all()); // before any client can connect
            }
            for (ListenerConfig l : config.listeners()) {
                Channel ch = new ServerBootstrap()
                    .group(bossGroup, workerGroup)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // one allocator for all: by default every channel gets its own (stateless) instance
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_BUFFERS)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 1024 * 1024))
                    .childHandler(new MqttChannelInitializer(services,
                        new TransportPipeline(l, tls.get(l.name()), config.limits().maxPacketSize())))
                    .bind(l.host(), l.port()).sync().channel();
                listeners.put(l.name(), ch);
                LOG.info("listening: {} {}{}", l.name(), l.url(port(l.name())),
                    l.proxyProtocol() ? " (PROXY protocol)" : "");
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        watchCertificateFiles();
        if (!config.tenantsFile().isEmpty() && config.tenantsReloadIntervalSeconds() > 0) {
            tenantsFileWatcher = TenantsFileWatcher.start(Path.of(config.tenantsFile()), directory, tenants,
                config.tenantsReloadIntervalSeconds());
        }
        tenants.space(TenantId.DEFAULT);
        // expired retained messages nobody asks for would otherwise hold their slots for ever
        workerGroup.next().scheduleAtFixedRate(() -> tenants.all().forEach(t -> t.retained().removeExpired(clock.millis())),
            RETAINED_SWEEP_SECONDS, RETAINED_SWEEP_SECONDS, TimeUnit.SECONDS);
        if (config.sysIntervalSeconds() > 0) {
            SysPublisher sys = new SysPublisher(tenants, router, clock, pluginCalls::stats);
            workerGroup.next().scheduleAtFixedRate(sys, 0, config.sysIntervalSeconds(), TimeUnit.SECONDS);
        }
    }

    private void watchCertificateFiles() {
        for (ServerTls t : tls.values()) {
            if (t.reloadIntervalSeconds() == 0) {
                continue;
            }
            if (certificateReloads == null) {
                certificateReloads = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "stratus-certificate-reload");
                    thread.setDaemon(true);
                    return thread;
                });
            }
            certificateReloads.scheduleWithFixedDelay(() -> {
                try {
                    t.reloadIfChanged();
                } catch (RuntimeException e) {
                    // a failed check must not cancel the ones that follow
                    LOG.warn("listener {}: checking the certificate files failed", t.listenerName(), e);
                }
            }, t.reloadIntervalSeconds(), t.reloadIntervalSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * One event loop per core, unless {@code -Dio.netty.eventLoopThreads} says otherwise. Netty's
     * default of two per core makes a delivery between sessions on different loops wait for a CPU
     * more often: measured with bench's latency case on two cores, p99 fell from about 1.4 ms with
     * four loops to about 0.4 ms with two, at the same throughput.
     */
    private static int workerThreads() {
        return System.getProperty("io.netty.eventLoopThreads") != null ? 0
            : Runtime.getRuntime().availableProcessors();
    }

    /** @return the port a listener is bound to (useful with port 0) */
    public int port(String listenerName) {
        Channel ch = listeners.get(listenerName);
        if (ch == null) {
            throw new IllegalArgumentException("no listener named " + listenerName);
        }
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /**
     * @return the client connections open now, whether or not they have sent CONNECT yet (for
     *     monitoring and tests; the connected-clients gauge counts only connected ones)
     */
    public int connectionCount() {
        return channels.size();
    }

    /**
     * @return what the transport learned about each open connection that has got past its TLS,
     *     WebSocket and PROXY handshakes (for diagnostics)
     */
    public List<TransportInfo> connections() {
        return channels.stream().map(ch -> ch.attr(TransportInfo.KEY).get()).filter(Objects::nonNull).toList();
    }

    /**
     * @return the broker's plugins, if it has a plugins directory: to install plugins from the class
     *     path before {@link #start()} (a plugin's tests) and to read their counters
     */
    public Optional<PluginRuntime> plugins() {
        return Optional.ofNullable(plugins);
    }

    /** @return the space of a tenant: its counters, sessions and retained messages */
    public TenantSpace tenant(TenantId id) {
        return tenants.space(id);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        shutdown.set();
        if (certificateReloads != null) {
            certificateReloads.shutdownNow();
        }
        if (tenantsFileWatcher != null) {
            tenantsFileWatcher.close();
        }
        for (Channel l : listeners.values()) {
            l.close().syncUninterruptibly();
        }
        if (workerGroup != null) {
            // connections keep reading: with the shutdown flag set they take only acknowledgements,
            // which let deliveries beyond a subscriber's Receive Maximum go out before it is closed
            drainLanes();
            for (Channel ch : channels) {
                ch.pipeline().fireUserEventTriggered(ShutdownEvent.INSTANCE);
            }
            channels.newCloseFuture().awaitUninterruptibly(config.shutdownGraceSeconds(), TimeUnit.SECONDS);
            channels.close().awaitUninterruptibly();
            workerGroup.shutdownGracefully(0, config.shutdownGraceSeconds(), TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, config.shutdownGraceSeconds(), TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (plugins != null) {
            plugins.close(); // once no connection is left to call them
        }
        authExecutor.shutdownNow();
        LOG.info("stopped");
    }

    /**
     * Waits until work already handed between lanes has run: a PUBLISH that was read and
     * acknowledged has then been written to every subscriber's connection.
     */
    private void drainLanes() {
        for (int round = 0; round < DRAIN_ROUNDS; round++) {
            for (EventExecutor lane : workerGroup) {
                lane.submit(() -> { }).syncUninterruptibly();
            }
        }
    }
}
