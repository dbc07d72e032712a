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

import java.nio.charset.StandardCharsets;
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

    private TestBroker(BrokerConfig config, ManualClock clock) throws Exception {
        this.config = config;
        this.clock = clock;
        this.broker = clock == null ? new StratusBroker(config) : new StratusBroker(config, clock);
        broker.start();
    }

    private TestBroker(BrokerConfig config, TenantDirectory tenants) throws Exception {
        this.config = config;
        this.clock = null;
        this.broker = new StratusBroker(config, Clock.systemUTC(), tenants);
        broker.start();
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
    }
}
