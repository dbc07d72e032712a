package io.stratus.testkit;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import io.stratus.broker.StratusBroker;
import io.stratus.broker.auth.AuthMethodSettings;
import io.stratus.broker.config.BrokerConfig;
import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.plugin.PluginJar;
import io.stratus.broker.plugin.PluginStats;
import io.stratus.broker.plugin.PluginTimeouts;
import io.stratus.broker.tenant.PluginSettings;
import io.stratus.broker.tenant.StaticTenantDirectory;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantLimits;
import io.stratus.broker.tenant.TenantSettings;
import io.stratus.sdk.PluginConfiguration;
import io.stratus.sdk.StratusPlugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Runs one plugin in a real, in-process Stratus broker, for the plugin's own tests: the broker listens
 * on a free loopback port and serves one tenant that enables the plugin with the test's configuration;
 * the test drives it with MQTT clients. A few lines:
 * <pre>{@code
 * try (PluginTestKit kit = PluginTestKit.start(MyPlugin.class, Map.of("greeting", "hello"))) {
 *     Mqtt5BlockingClient client = kit.connect("device-1");
 *     client.publishWith().topic("a/b").payload("x".getBytes()).send();
 *     assertEquals(0, kit.stats().failures());
 * }
 * }</pre>
 * or, for more control, {@link #builder()}: a plugin JAR instead of a class, the plugin as the tenant's
 * authenticator, shorter timeouts.
 *
 * <p>Every client belongs to the one tenant ({@code default}) whatever user name it connects with, so
 * user names reach the plugin exactly as the test sends them. A plugin given as a class is loaded from
 * the test's class path, with no JAR and none of a JAR's class-loader isolation; a plugin given as a
 * JAR is loaded as the broker loads it in production. The broker logs to the test's SLF4J binding.
 *
 * <p>Close the kit (try-with-resources, or in {@code @AfterEach}/{@code @AfterAll}): it disconnects the
 * clients it made, stops the plugin and the broker. Not thread-safe to build; the clients and
 * {@link #stats()} may be used from any thread.
 */
public final class PluginTestKit implements AutoCloseable {

    /** The tenant the kit's broker serves. */
    public static final String TENANT = TenantId.DEFAULT.value();

    private final StratusBroker broker;
    private final Path pluginsDirectory;
    private final String pluginId;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    private PluginTestKit(StratusBroker broker, Path pluginsDirectory, String pluginId) {
        this.broker = broker;
        this.pluginsDirectory = pluginsDirectory;
        this.pluginId = pluginId;
    }

    /**
     * Starts a broker running the plugin with the configuration; clients connect anonymously.
     *
     * @param plugin        the plugin's class, with a public no-argument constructor
     * @param configuration what the plugin reads from {@code context.configuration()}
     * @return the running kit
     * @throws IllegalStateException if the broker or the plugin cannot start
     */
    public static PluginTestKit start(Class<? extends StratusPlugin> plugin, Map<String, String> configuration) {
        return builder().plugin(plugin).configuration(configuration).start();
    }

    /** @return a builder for a kit with more than the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the broker's host, {@code 127.0.0.1} */
    public String host() {
        return "127.0.0.1";
    }

    /** @return the port the broker's MQTT listener is bound to */
    public int port() {
        return broker.port("tcp");
    }

    /** @return the id the plugin runs under */
    public String pluginId() {
        return pluginId;
    }

    /**
     * @return a builder of a HiveMQ MQTT 5 client aimed at the broker, with the client id set; the test
     *     adds what it needs (user name and password, a will) and builds it. The kit does not close it
     */
    public Mqtt5ClientBuilder clientBuilder(String clientId) {
        return Mqtt5Client.builder().identifier(clientId).serverHost(host()).serverPort(port());
    }

    /** @return a client that is not connected yet, disconnected when the kit closes */
    public Mqtt5BlockingClient client(String clientId) {
        Mqtt5BlockingClient c = clientBuilder(clientId).buildBlocking();
        synchronized (clients) {
            clients.add(c);
        }
        return c;
    }

    /** @return a client connected without credentials, with a clean start */
    public Mqtt5BlockingClient connect(String clientId) {
        Mqtt5BlockingClient c = client(clientId);
        c.connectWith().cleanStart(true).send();
        return c;
    }

    /**
     * @param password the password, or null for none
     * @return a client connected with a user name and password, with a clean start
     * @throws com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException if the broker refuses it; its
     *     reason code says why
     */
    public Mqtt5BlockingClient connect(String clientId, String username, String password) {
        Mqtt5BlockingClient c = client(clientId);
        var auth = c.connectWith().cleanStart(true).simpleAuth().username(username);
        if (password != null) {
            auth.password(password.getBytes(StandardCharsets.UTF_8));
        }
        auth.applySimpleAuth().send();
        return c;
    }

    /**
     * @return the broker's counters of the plugin: calls, failures, timeouts, drops, and the metrics the
     *     plugin keeps itself ({@code stats().metrics().snapshot()})
     */
    public PluginStats stats() {
        return broker.plugins().orElseThrow().manager().stats(TenantId.DEFAULT, pluginId)
            .orElseThrow(() -> new IllegalStateException("plugin " + pluginId + " never ran"));
    }

    /** @return whether the plugin is running now (it started, and was not stopped) */
    public boolean pluginRunning() {
        return broker.plugins().orElseThrow().manager().hosts(TenantId.DEFAULT).stream()
            .anyMatch(h -> h.jar().id().equals(pluginId) && h.isRunning());
    }

    /** @return the broker, for what the kit does not offer */
    public StratusBroker broker() {
        return broker;
    }

    @Override
    public void close() {
        synchronized (clients) {
            for (Mqtt5BlockingClient c : clients) {
                try {
                    if (c.getState().isConnected()) {
                        c.disconnect();
                    }
                } catch (RuntimeException e) {
                    // the broker may have closed it already, which is often what a test was about
                }
            }
            clients.clear();
        }
        broker.close();
        deleteQuietly(pluginsDirectory);
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    /**
     * What the kit's broker runs. Set the plugin with {@link #plugin(Class)} or {@link #pluginJar(Path)}.
     *
     * <p>Not thread-safe: use a builder from one thread.
     */
    public static final class Builder {

        private Class<? extends StratusPlugin> pluginClass;
        private Path pluginJar;
        private String pluginId;
        private Map<String, String> configuration = Map.of();
        private PluginTimeouts timeouts = PluginTimeouts.DEFAULTS;
        private boolean authenticates;

        private Builder() {
        }

        /**
         * @param type the plugin's class, loaded from the test's class path
         * @return this builder
         */
        public Builder plugin(Class<? extends StratusPlugin> type) {
            this.pluginClass = Objects.requireNonNull(type, "type");
            this.pluginJar = null;
            return this;
        }

        /**
         * @param jar a plugin JAR, loaded in its own class loader as the broker loads it in production;
         *     its id comes from its manifest ({@code Stratus-Plugin-Id}) or file name
         * @return this builder
         */
        public Builder pluginJar(Path jar) {
            this.pluginJar = Objects.requireNonNull(jar, "jar");
            this.pluginClass = null;
            return this;
        }

        /**
         * @param id the id the plugin runs under; by default a JAR's own, or the class's simple name in
         *     lower-case words joined by {@code -} ({@code HttpAuthPlugin} runs as {@code http-auth-plugin})
         * @return this builder
         */
        public Builder pluginId(String id) {
            this.pluginId = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * @param values what the plugin reads from {@code context.configuration()}
         * @return this builder
         */
        public Builder configuration(Map<String, String> values) {
            this.configuration = Map.copyOf(values);
            return this;
        }

        /**
         * Makes the plugin's authenticator the tenant's only authentication method: a client it allows
         * connects, one it denies is refused with its reason code, one it passes with {@code next} is
         * refused as no method accepted it (0x86 if it sent a password, else 0x87). Without this,
         * clients connect anonymously.
         *
         * @return this builder
         */
        public Builder authenticatesClients() {
            this.authenticates = true;
            return this;
        }

        /**
         * @param authentication how long the broker waits for the plugin's authenticator
         * @param authorization  for its authorizer
         * @param hook           for its inbound and outbound hooks
         * @return this builder
         */
        public Builder timeouts(Duration authentication, Duration authorization, Duration hook) {
            PluginTimeouts d = PluginTimeouts.DEFAULTS;
            this.timeouts = new PluginTimeouts(authentication, authorization, hook, d.lifecycle(), d.startStop());
            return this;
        }

        /**
         * Starts the broker and the plugin.
         *
         * @return the running kit
         * @throws IllegalStateException if no plugin was set, or the broker cannot start
         */
        public PluginTestKit start() {
            if (pluginClass == null && pluginJar == null) {
                throw new IllegalStateException("set the plugin: plugin(MyPlugin.class) or pluginJar(path)");
            }
            Path directory;
            try {
                directory = Files.createTempDirectory("stratus-testkit-plugins-");
                if (pluginJar != null) {
                    Files.copy(pluginJar, directory.resolve(pluginJar.getFileName()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare a plugins directory", e);
            }
            String id = pluginId != null ? pluginId : pluginClass != null ? idOf(pluginClass) : idOf(pluginJar);
            List<AuthMethodSettings> auth = authenticates ? List.of(new AuthMethodSettings.Plugin(id))
                : List.of(new AuthMethodSettings.Anonymous());
            TenantSettings tenant = new TenantSettings(TenantId.DEFAULT, auth, null, TenantLimits.NONE,
                List.of(new PluginSettings(id, PluginConfiguration.of(configuration), timeouts)));
            BrokerConfig defaults = BrokerConfig.defaults();
            BrokerConfig config = new BrokerConfig(List.of(new ListenerConfig("tcp", "tcp", "127.0.0.1", 0)),
                defaults.limits(), false, 0, 1, "", directory.toString());
            StratusBroker broker = new StratusBroker(config, Clock.systemUTC(), StaticTenantDirectory.single(tenant));
            try {
                if (pluginClass != null) {
                    broker.plugins().orElseThrow().manager().install(id, "test", pluginClass);
                }
                broker.start();
            } catch (Exception e) {
                broker.close();
                deleteQuietly(directory);
                throw new IllegalStateException("the broker cannot start: " + e, e);
            }
            return new PluginTestKit(broker, directory, id);
        }

        /** {@code HttpAuthPlugin} is {@code http-auth-plugin}. */
        static String idOf(Class<?> type) {
            return type.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        }

        private static String idOf(Path jar) {
            try (JarFile file = new JarFile(jar.toFile())) {
                Manifest manifest = file.getManifest();
                String id = manifest == null ? null : manifest.getMainAttributes().getValue(PluginJar.ID_ATTRIBUTE);
                if (id != null) {
                    return id.trim();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read plugin JAR " + jar, e);
            }
            String name = jar.getFileName().toString();
            return (name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name).toLowerCase(Locale.ROOT);
        }
    }
}
