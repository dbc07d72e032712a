package io.stratus.broker.support;

import io.stratus.broker.StratusBroker;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.metrics.TenantMetrics;
import io.stratus.broker.tenant.StaticTenantDirectory;
import io.stratus.broker.tenant.TenantDirectory;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantSpace;
import io.stratus.broker.tenant.TenantsFile;

import io.stratus.broker.transport.TransportInfo;

import io.stratus.sdk.StratusPlugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.time.Clock;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A real broker on an ephemeral loopback port for one test (or one test class). Use in
 * try-with-resources or close it in {@code @AfterEach}.
 */
public final class TestBroker implements AutoCloseable {

    private final StratusBroker broker;
    private final ManualClock clock;
    private final BrokerConfig config;
    /** A directory the test broker made for itself (its plugins directory), removed on close; or null. */
    private Path ownDirectory;

    private TestBroker(BrokerConfig config, ManualClock clock) throws Exception {
        this.config = config;
        this.clock = clock;
        this.broker = clock == null ? new StratusBroker(config) : new StratusBroker(config, clock);
        broker.start();
    }

    private TestBroker(BrokerConfig config, TenantDirectory tenants) throws Exception {
        this(config, tenants, b -> { });
    }

    private TestBroker(BrokerConfig config, TenantDirectory tenants, Consumer<StratusBroker> beforeStart)
        throws Exception {
        this.config = config;
        this.clock = null;
        this.broker = new StratusBroker(config, Clock.systemUTC(), tenants);
        try {
            beforeStart.accept(broker);
            broker.start();
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
    }

    /**
     * A broker serving the tenants of a tenants-file document, with an empty plugins directory of its
     * own and the given plugins installed from the test's class path before it starts.
     *
     * @param plugins     plugin id to plugin class
     * @param sysInterval seconds between {@code $SYS} statistics; 0 for none
     */
    public static TestBroker withPlugins(String tenantsJson, Map<String, Class<? extends StratusPlugin>> plugins,
                                         int sysInterval) throws Exception {
        Path directory = Files.createTempDirectory("stratus-test-plugins-");
        BrokerConfig d = BrokerConfig.defaults().onEphemeralPorts();
        BrokerConfig config = new BrokerConfig(d.listeners(), d.limits(), d.allowAnonymous(), sysInterval,
            d.shutdownGraceSeconds(), "", directory.toString());
        TenantDirectory tenants = StaticTenantDirectory.of(TenantsFile.parse(tenantsJson.getBytes(StandardCharsets.UTF_8),
            "test"));
        TestBroker broker = new TestBroker(config, tenants, b -> plugins.forEach((id, type) ->
            b.plugins().orElseThrow().manager().install(id, "test", type)));
        broker.ownDirectory = directory;
        return broker;
    }

    /** A broker built from a whole configuration (listeners moved to ephemeral ports) serving the given tenants. */
    public static TestBroker start(BrokerConfig config, TenantDirectory tenants) throws Exception {
        return new TestBroker(config.onEphemeralPorts(), tenants);
    }

    /** A broker with the default configuration serving the given tenants. */
    public static TestBroker withTenants(TenantDirectory tenants) throws Exception {
        return new TestBroker(config(UnaryOperator.identity(), 0), tenants);
    }

    /** A broker serving the tenants of a tenants-file document (JSON text). */
    public static TestBroker withTenantsFile(String json) throws Exception {
        return withTenants(StaticTenantDirectory.of(TenantsFile.parse(json.getBytes(StandardCharsets.UTF_8), "test")));
    }

    /** A broker with the default configuration, $SYS publishing off (tests ask for it explicitly). */
    public static TestBroker start() throws Exception {
        return start(UnaryOperator.identity());
    }

    /** A broker with the default configuration but the limits the test changes. */
    public static TestBroker start(UnaryOperator<LimitsConfig> limits) throws Exception {
        return new TestBroker(config(limits, 0), (ManualClock) null);
    }

    /** A broker whose expiry clock the test moves by hand. */
    public static TestBroker startWithManualClock(UnaryOperator<LimitsConfig> limits) throws Exception {
        return new TestBroker(config(limits, 0), new ManualClock());
    }

    /** A broker built from a whole configuration (listeners are moved to ephemeral loopback ports). */
    public static TestBroker start(BrokerConfig config) throws Exception {
        return new TestBroker(config.onEphemeralPorts(), (ManualClock) null);
    }

    private static BrokerConfig config(UnaryOperator<LimitsConfig> limits, int sysInterval) {
        BrokerConfig d = BrokerConfig.defaults().onEphemeralPorts();
        return new BrokerConfig(d.listeners(), limits.apply(d.limits()), d.allowAnonymous(), sysInterval,
            d.shutdownGraceSeconds());
    }

    public int port() {
        return broker.port("tcp");
    }

    /** @return the port of the named listener */
    public int port(String listener) {
        return broker.port(listener);
    }

    /** @return {@code tcp://127.0.0.1:PORT} for Paho */
    public String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    public String host() {
        return "127.0.0.1";
    }

    /** @return the manual clock, or null if the broker runs on the system clock */
    public ManualClock clock() {
        return clock;
    }

    public BrokerConfig config() {
        return config;
    }

    public StratusBroker broker() {
        return broker;
    }

    /** @return what the transport learned about each open connection on the named listener */
    public List<TransportInfo> connections(String listener) {
        return broker.connections().stream().filter(c -> c.listener().equals(listener)).toList();
    }

    /** @return the transport information of the one open connection on the named listener */
    public TransportInfo onlyConnection(String listener) {
        List<TransportInfo> connections = connections(listener);
        if (connections.size() != 1) {
            throw new AssertionError("expected one connection on " + listener + ", found " + connections);
        }
        return connections.get(0);
    }

    public TenantSpace defaultTenant() {
        return broker.tenant(TenantId.DEFAULT);
    }

    public TenantMetrics metrics() {
        return defaultTenant().metrics();
    }

    /** @return the client connections the broker holds open, connected or not */
    public int connectionCount() {
        return broker.connectionCount();
    }

    @Override
    public void close() {
        broker.close();
        if (ownDirectory != null) {
            try (Stream<Path> files = Files.walk(ownDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory is harmless
            }
        }
    }
}
