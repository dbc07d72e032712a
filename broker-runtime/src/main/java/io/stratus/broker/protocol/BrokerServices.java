package io.stratus.broker.protocol;

import io.netty.channel.group.ChannelGroup;
import io.stratus.broker.auth.ConnectAuthenticator;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.plugin.PluginCalls;
import io.stratus.broker.routing.Router;
import io.stratus.broker.tenant.StaticTenantDirectory;
import io.stratus.broker.tenant.Tenants;

import java.time.Clock;

/**
 * What every connection handler needs from the broker, handed over explicitly.
 *
 * @param config   the configuration
 * @param clock    the time source for expiry (replaceable in tests)
 * @param router   routes publications
 * @param tenants  the tenants' spaces
 * @param channels every open client channel (connection limit, graceful shutdown)
 * @param shutdown set when the broker is shutting down: new CONNECTs are refused
 * @param sweepers the connect-deadline and keep-alive sweeper of each event loop
 * @param authenticator finds each CONNECT's tenant and checks its credentials
 * @param plugins  the tenants' plugins: authorizers, hooks and listeners
 */
public record BrokerServices(BrokerConfig config, Clock clock, Router router, Tenants tenants,
                             ChannelGroup channels, ShutdownFlag shutdown, DeadlineSweeper.PerLoop sweepers,
                             ConnectAuthenticator authenticator, PluginCalls plugins) {

    /** Services without plugins. */
    public BrokerServices(BrokerConfig config, Clock clock, Router router, Tenants tenants, ChannelGroup channels,
                          ShutdownFlag shutdown, DeadlineSweeper.PerLoop sweepers, ConnectAuthenticator authenticator) {
        this(config, clock, router, tenants, channels, shutdown, sweepers, authenticator, PluginCalls.NONE);
    }

    /** Services with a fresh sweeper per event loop and the tenants' plugins. */
    public BrokerServices(BrokerConfig config, Clock clock, Router router, Tenants tenants, ChannelGroup channels,
                          ShutdownFlag shutdown, ConnectAuthenticator authenticator, PluginCalls plugins) {
        this(config, clock, router, tenants, channels, shutdown, new DeadlineSweeper.PerLoop(), authenticator, plugins);
    }

    /** Services with a fresh sweeper per event loop, without plugins. */
    public BrokerServices(BrokerConfig config, Clock clock, Router router, Tenants tenants, ChannelGroup channels,
                          ShutdownFlag shutdown, ConnectAuthenticator authenticator) {
        this(config, clock, router, tenants, channels, shutdown, authenticator, PluginCalls.NONE);
    }

    /** Services of a standalone broker with its one default tenant, which needs no slow authentication. */
    public BrokerServices(BrokerConfig config, Clock clock, Router router, Tenants tenants, ChannelGroup channels,
                          ShutdownFlag shutdown) {
        this(config, clock, router, tenants, channels, shutdown, new DeadlineSweeper.PerLoop(),
            new ConnectAuthenticator(StaticTenantDirectory.standalone(config.allowAnonymous()), clock, Runnable::run,
                null));
    }

    /** Whether the broker is shutting down; thread-safe. */
    public static final class ShutdownFlag {
        private volatile boolean set;

        public boolean isSet() {
            return set;
        }

        public void set() {
            set = true;
        }
    }
}
