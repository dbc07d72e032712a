package io.stratus.broker;

import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.CommandLine;
import io.stratus.broker.config.ConfigException;
import io.stratus.broker.config.ConfigLoader;
import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.tenant.StaticTenantDirectory;
import io.stratus.broker.tenant.TenantDirectory;
import io.stratus.broker.tenant.TenantsFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a standalone broker: {@code java -jar stratus-broker.jar [--config FILE] [--host H] [--port N]
 * [--set key=value]... [--help]}.
 *
 * <p>Exit status: 0 after {@code --help} or a graceful shutdown, 1 if the broker cannot start (a port
 * in use, say), 2 for a configuration error, whose message is printed without a stack trace.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private static final int EXIT_CANNOT_START = 1;
    private static final int EXIT_BAD_CONFIG = 2;

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        int status = run(args, System.getenv(), System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Starts the broker and returns once it has been shut down (by the shutdown hook), or at once for
     * {@code --help} and for errors.
     *
     * @return the exit status
     */
    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err)
        throws InterruptedException {
        BrokerConfig config;
        StratusBroker broker;
        try {
            CommandLine commandLine = CommandLine.parse(args);
            if (commandLine.helpRequested()) {
                out.print(CommandLine.usage());
                return 0;
            }
            config = ConfigLoader.load(commandLine.configFile(), environment, commandLine.overrides());
            TenantDirectory tenants = config.tenantsFile().isEmpty()
                ? StaticTenantDirectory.standalone(config.allowAnonymous())
                : StaticTenantDirectory.of(TenantsFile.read(Path.of(config.tenantsFile())));
            broker = new StratusBroker(config, Clock.systemUTC(), tenants);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return EXIT_BAD_CONFIG;
        } catch (TenantsFile.InvalidTenantsFile e) {
            err.println("tenants.file " + e.getMessage());
            return EXIT_BAD_CONFIG;
        }

        try {
            broker.start();
        } catch (Exception e) {
            broker.close();
            if (e instanceof IOException) {
                err.println("Stratus broker cannot start: " + e.getMessage());
            } else {
                LOG.error("Stratus broker cannot start", e);
            }
            return EXIT_CANNOT_START;
        }

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } finally {
                closed.countDown();
            }
        }, "stratus-shutdown"));
        for (ListenerConfig listener : config.listeners()) {
            out.println("Stratus broker listening: " + listener.name() + " "
                + listener.url(broker.port(listener.name())));
        }
        // Held until the hook has closed the broker, whether or not its threads are daemons.
        closed.await();
        return 0;
    }
}
