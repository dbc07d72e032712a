package io.stratus.broker.support;

import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.LimitsConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.function.UnaryOperator;

/**
 * A {@link TestBroker} and the {@link Clients} connected to it, for one test: register it with
 * {@code @RegisterExtension}, start the broker the test needs, and the clients and the broker are
 * closed after the test, whatever happened.
 */
public final class BrokerFixture implements AfterEachCallback {

    private TestBroker broker;
    private Clients clients;

    /** Starts a broker with the default configuration. */
    public BrokerFixture start() throws Exception {
        return use(TestBroker.start());
    }

    /** Starts a broker with the default configuration but the limits the test changes. */
    public BrokerFixture start(UnaryOperator<LimitsConfig> limits) throws Exception {
        return use(TestBroker.start(limits));
    }

    /** Starts a broker built from a whole configuration. */
    public BrokerFixture start(BrokerConfig config) throws Exception {
        return use(TestBroker.start(config));
    }

    /** Replaces the current broker, if any (closing it and its clients), with one the test started. */
    public BrokerFixture use(TestBroker newBroker) {
        stop();
        broker = newBroker;
        clients = new Clients(broker);
        return this;
    }

    public TestBroker broker() {
        return broker;
    }

    public Clients clients() {
        return clients;
    }

    /** Closes the clients, then the broker; the fixture can start another. */
    public void stop() {
        if (clients != null) {
            clients.close();
            clients = null;
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop();
    }
}
