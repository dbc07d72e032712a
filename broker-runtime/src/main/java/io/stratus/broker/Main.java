package io.stratus.broker;

import io.stratus.broker.auth.password.PasswordHasher;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.CommandLine;
import io.stratus.broker.config.ConfigException;
import io.stratus.broker.config.ConfigLoader;
import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.tenant.StaticTenantDirectory;
import io.stratus.broker.tenant.TenantDirectory;
import io.stratus.broker.tenant.TenantsFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a standalone broker: {@code java -jar stratus-broker.jar [--config FILE] [--host H] [--port N]
 * [--set key=value]... [--help]}; or {@code java -jar stratus-broker.jar hash-password}, which prints the
 * hash of a password read from standard input, for a tenants file.
 *
 * <p>Exit status: 0 after {@code --help} or a graceful shutdown, 1 if the broker cannot start (a port
 * in use, say), 2 for a configuration error, whose message is printed without a stack trace.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private static final int EXIT_CANNOT_START = 1;
    /** The subcommand that prints the hash of a device password, for the tenants file's {@code users}. */
    static final String HASH_PASSWORD = "hash-password";
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
        if (args.length > 0 && args[0].equals(HASH_PASSWORD)) {
            return hashPassword(args, System.in, out, err);
        }
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

    /**
     * {@code java -jar stratus-broker.jar hash-password}: reads one password (a line) from standard
     * input and prints its Argon2id hash in PHC format, as a password method's {@code users} expects
     * it. The password is read, hashed and forgotten: nothing is logged.
     *
     * @return the exit status: 0, or 2 without a password
     */
    static int hashPassword(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length != 1) {
            err.println("usage: java -jar stratus-broker.jar hash-password < password-file");
            return EXIT_BAD_CONFIG;
        }
        byte[] password;
        try {
            String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                err.println("hash-password: no password on standard input");
                return EXIT_BAD_CONFIG;
            }
            password = line.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("hash-password: cannot read standard input: " + e.getMessage());
            return EXIT_BAD_CONFIG;
        }
        PasswordHasher hasher = new PasswordHasher(PasswordHasher.Argon2Cost.OWASP, Runnable::run, new SecureRandom());
        out.println(hasher.hashNow(password));
        Arrays.fill(password, (byte) 0);
        return 0;
    }
}
