package io.stratus.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds a {@link BrokerConfig} from, in increasing precedence: {@link BrokerConfig#defaults()}, an
 * optional Java properties file, environment variables and command-line overrides.
 *
 * <p>Keys are kebab-case ({@code limits.max-packet-size}, {@code listeners.tcp.port}). The environment
 * variable of a key is {@code STRATUS_} followed by the key upper-cased with {@code .} and {@code -}
 * turned into {@code _} ({@code STRATUS_LIMITS_MAX_PACKET_SIZE}); {@code STRATUS_CONFIG} names the file.
 * A file, a variable or an override may define a listener of its own ({@code listeners.tcp2.port}).
 *
 * <p>Unknown keys, unknown {@code STRATUS_} variables and values that do not parse are refused with a
 * {@link ConfigException} naming the key and where the value came from; ranges are checked by the
 * records themselves when the tree is built.
 */
public final class ConfigLoader {

    /** The prefix of every environment variable the loader reads. */
    public static final String ENVIRONMENT_PREFIX = "STRATUS_";

    /** The environment variable that names the config file (the {@code --config} flag beats it). */
    public static final String CONFIG_FILE_VARIABLE = "STRATUS_CONFIG";

    /** {@code listeners.<name>.<property>}: group 1 is the name, group 2 the property. */
    private static final Pattern LISTENER_KEY = Pattern.compile("listeners\\.([^.]+)\\.("
        + ListenerConfig.PROPERTIES.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")");
    /** A listener property's variable suffix ({@code TLS_CERT_FILE}) to the property ({@code tls.cert-file}). */
    private static final Map<String, String> LISTENER_VARIABLE_SUFFIXES = ListenerConfig.PROPERTIES.stream()
        .collect(Collectors.toUnmodifiableMap(p -> environmentVariable(p).substring(ENVIRONMENT_PREFIX.length()),
            p -> p));
    /**
     * {@code STRATUS_LISTENERS_<NAME>_<PROPERTY>}. No property's suffix ends another's after a
     * {@code _}, so a name with hyphens ({@code TCP_INTERNAL}) splits from the property in one way only.
     */
    private static final Pattern LISTENER_VARIABLE = Pattern.compile("STRATUS_LISTENERS_([A-Z0-9_]+)_("
        + String.join("|", LISTENER_VARIABLE_SUFFIXES.keySet()) + ")");

    /** What a listener that only a file, variable or override defines gets unless it says otherwise. */
    private static final String NEW_LISTENER_HOST = "0.0.0.0";

    /** Every key that is not a listener's, in documentation order, with how to read its default. */
    private static final Map<String, Function<BrokerConfig, Object>> GLOBAL_KEYS = globalKeys();

    private ConfigLoader() {
    }

    /**
     * Loads the configuration.
     *
     * @param configFile  the file given on the command line; when empty, {@code STRATUS_CONFIG} is used if set
     * @param environment the environment (Main passes {@link System#getenv()})
     * @param overrides   command-line settings, key to value; they beat everything else
     * @return the validated configuration
     * @throws ConfigException if the file cannot be read, a key is unknown or a value is not allowed
     */
    public static BrokerConfig load(Optional<Path> configFile, Map<String, String> environment,
                                    Map<String, String> overrides) {
        Settings settings = new Settings();
        defaultSettings().forEach((key, value) -> settings.put(key, value, null));
        String fileKey = configFile.isPresent() ? "--config" : CONFIG_FILE_VARIABLE;
        chooseConfigFile(configFile, environment).ifPresent(file -> readFile(file, fileKey, settings));
        readEnvironment(environment, settings);
        overrides.forEach((key, value) -> {
            requireKnownKey(key, "on the command line");
            settings.put(key, value, "from the command line");
        });
        return settings.build();
    }

    /** @return every key with its default value as text, in documentation order */
    public static Map<String, String> defaultSettings() {
        BrokerConfig defaults = BrokerConfig.defaults();
        Map<String, String> settings = new LinkedHashMap<>();
        for (ListenerConfig listener : defaults.listeners()) {
            settings.putAll(listener.settings());
        }
        GLOBAL_KEYS.forEach((key, value) -> settings.put(key, String.valueOf(value.apply(defaults))));
        return Collections.unmodifiableMap(settings);
    }

    /**
     * @return the environment variable that sets a key: {@code limits.max-packet-size} is
     *     {@code STRATUS_LIMITS_MAX_PACKET_SIZE}
     */
    public static String environmentVariable(String key) {
        return ENVIRONMENT_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Map<String, Function<BrokerConfig, Object>> globalKeys() {
        Map<String, Function<BrokerConfig, Object>> keys = new LinkedHashMap<>();
        keys.put(LimitsConfig.MAX_PACKET_SIZE.key(), c -> c.limits().maxPacketSize());
        keys.put(LimitsConfig.MAX_TOPIC_LENGTH.key(), c -> c.limits().maxTopicLength());
        keys.put(LimitsConfig.MAX_TOPIC_LEVELS.key(), c -> c.limits().maxTopicLevels());
        keys.put(LimitsConfig.MAX_CLIENT_ID_LENGTH.key(), c -> c.limits().maxClientIdLength());
        keys.put(LimitsConfig.RECEIVE_MAXIMUM.key(), c -> c.limits().receiveMaximum());
        keys.put(LimitsConfig.MAX_INFLIGHT_OUTBOUND.key(), c -> c.limits().maxInflightOutbound());
        keys.put(LimitsConfig.MAX_QUEUED_MESSAGES.key(), c -> c.limits().maxQueuedMessages());
        keys.put(LimitsConfig.MAX_QUEUED_BYTES.key(), c -> c.limits().maxQueuedBytes());
        keys.put(LimitsConfig.MAX_CONNECTIONS.key(), c -> c.limits().maxConnections());
        keys.put(LimitsConfig.MAX_KEEP_ALIVE.key(), c -> c.limits().maxKeepAliveSeconds());
        keys.put(LimitsConfig.TOPIC_ALIAS_MAXIMUM.key(), c -> c.limits().topicAliasMaximum());
        keys.put(LimitsConfig.MAX_SESSION_EXPIRY.key(), c -> c.limits().maxSessionExpirySeconds());
        keys.put(LimitsConfig.MAX_SUBSCRIPTIONS_PER_CLIENT.key(), c -> c.limits().maxSubscriptionsPerClient());
        keys.put(LimitsConfig.CONNECT_TIMEOUT.key(), c -> c.limits().connectTimeoutSeconds());
        keys.put(LimitsConfig.SLOW_CONSUMER_TIMEOUT.key(), c -> c.limits().slowConsumerTimeoutSeconds());
        keys.put(BrokerConfig.ALLOW_ANONYMOUS, BrokerConfig::allowAnonymous);
        keys.put(BrokerConfig.SYS_INTERVAL.key(), BrokerConfig::sysIntervalSeconds);
        keys.put(BrokerConfig.SHUTDOWN_GRACE.key(), BrokerConfig::shutdownGraceSeconds);
        keys.put(BrokerConfig.TENANTS_FILE, BrokerConfig::tenantsFile);
        keys.put(BrokerConfig.TENANTS_RELOAD_INTERVAL.key(), BrokerConfig::tenantsReloadIntervalSeconds);
        keys.put(BrokerConfig.PLUGINS_DIR, BrokerConfig::pluginsDir);
        return Collections.unmodifiableMap(keys);
    }

    private static Optional<Path> chooseConfigFile(Optional<Path> fromCommandLine, Map<String, String> environment) {
        if (fromCommandLine.isPresent()) {
            return fromCommandLine;
        }
        String fromEnvironment = environment.get(CONFIG_FILE_VARIABLE);
        if (fromEnvironment == null || fromEnvironment.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(fromEnvironment.trim()));
        } catch (InvalidPathException e) {
            throw ConfigException.invalidValue(CONFIG_FILE_VARIABLE, fromEnvironment, "not a valid path",
                "the path of a properties file");
        }
    }

    private static void readFile(Path file, String fileKey, Settings settings) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException(fileKey, fileKey + ": config file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(fileKey, fileKey + ": cannot read config file " + file + ": " + e.getMessage());
        }
        // Sorted, so that errors and the order of listeners the file adds do not depend on hashing.
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            requireKnownKey(key, "in config file " + file);
            settings.put(key, properties.getProperty(key), "in config file " + file);
        }
    }

    private static void readEnvironment(Map<String, String> environment, Settings settings) {
        Map<String, String> globalVariables = new LinkedHashMap<>();
        GLOBAL_KEYS.keySet().forEach(key -> globalVariables.put(environmentVariable(key), key));
        for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
            String name = variable.getKey();
            if (!name.startsWith(ENVIRONMENT_PREFIX) || name.equals(CONFIG_FILE_VARIABLE)) {
                continue;
            }
            String key = globalVariables.get(name);
            Matcher listener = LISTENER_VARIABLE.matcher(name);
            if (key == null && listener.matches()) {
                String listenerName = listener.group(1).toLowerCase(Locale.ROOT).replace('_', '-');
                key = ListenerConfig.key(listenerName, LISTENER_VARIABLE_SUFFIXES.get(listener.group(2)));
            }
            if (key == null) {
                List<String> known =
                    defaultSettings().keySet().stream().map(ConfigLoader::environmentVariable).toList();
                throw new ConfigException(name, "unknown environment variable " + name
                    + ": it is not a Stratus setting" + suggestion(name, known)
                    + " (every variable that starts with " + ENVIRONMENT_PREFIX + " must be one)");
            }
            settings.put(key, variable.getValue(), "from environment variable " + name);
        }
    }

    private static void requireKnownKey(String key, String where) {
        if (!GLOBAL_KEYS.containsKey(key) && !LISTENER_KEY.matcher(key).matches()) {
            List<String> candidates = new ArrayList<>(defaultSettings().keySet());
            Matcher listener = Pattern.compile("listeners\\.([^.]+)\\..*").matcher(key);
            if (listener.matches()) {
                ListenerConfig.PROPERTIES.forEach(p -> candidates.add(ListenerConfig.key(listener.group(1), p)));
            }
            throw new ConfigException(key, "unknown key " + key + " " + where
                + suggestion(key, candidates) + " (run with --help to list every key)");
        }
    }

    /** @return "; did you mean X?" for the closest candidate within a few typos, or "" */
    private static String suggestion(String typed, Iterable<String> candidates) {
        String best = null;
        int bestDistance = Math.max(2, typed.length() / 5) + 1;
        for (String candidate : candidates) {
            int distance = editDistance(typed, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best == null ? "" : "; did you mean " + best + "?";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** @return the comma-separated items of a value, trimmed, without empty ones */
    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
    }

    /** A value as text and where it came from (null for a default). */
    private record Value(String text, String source) {
    }

    /** The settings of every layer merged, later layers winning; turned into the record tree once. */
    private static final class Settings {

        private final Map<String, Value> values = new LinkedHashMap<>();

        void put(String key, String text, String source) {
            values.put(key, new Value(text.trim(), source));
        }

        BrokerConfig build() {
            try {
                LimitsConfig limits = new LimitsConfig(
                    intValue(LimitsConfig.MAX_PACKET_SIZE),
                    intValue(LimitsConfig.MAX_TOPIC_LENGTH),
                    intValue(LimitsConfig.MAX_TOPIC_LEVELS),
                    intValue(LimitsConfig.MAX_CLIENT_ID_LENGTH),
                    intValue(LimitsConfig.RECEIVE_MAXIMUM),
                    intValue(LimitsConfig.MAX_INFLIGHT_OUTBOUND),
                    intValue(LimitsConfig.MAX_QUEUED_MESSAGES),
                    longValue(LimitsConfig.MAX_QUEUED_BYTES),
                    intValue(LimitsConfig.MAX_CONNECTIONS),
                    intValue(LimitsConfig.MAX_KEEP_ALIVE),
                    intValue(LimitsConfig.TOPIC_ALIAS_MAXIMUM),
                    longValue(LimitsConfig.MAX_SESSION_EXPIRY),
                    intValue(LimitsConfig.MAX_SUBSCRIPTIONS_PER_CLIENT),
                    intValue(LimitsConfig.CONNECT_TIMEOUT),
                    intValue(LimitsConfig.SLOW_CONSUMER_TIMEOUT));
                return new BrokerConfig(listeners(), limits, booleanValue(BrokerConfig.ALLOW_ANONYMOUS),
                    intValue(BrokerConfig.SYS_INTERVAL), intValue(BrokerConfig.SHUTDOWN_GRACE),
                    text(BrokerConfig.TENANTS_FILE).orElse(""), intValue(BrokerConfig.TENANTS_RELOAD_INTERVAL),
                    text(BrokerConfig.PLUGINS_DIR).orElse(""));
            } catch (ConfigException e) {
                throw source(e.key()).map(e::from).orElse(e);
            }
        }

        /** @return where the key, or the first key under it ({@code listeners.x} for a bad name), was set */
        private Optional<String> source(String key) {
            return values.entrySet().stream()
                .filter(entry -> entry.getKey().equals(key) || entry.getKey().startsWith(key + "."))
                .map(entry -> entry.getValue().source())
                .filter(Objects::nonNull)
                .findFirst();
        }

        /** @return the defaults' listeners first, then the others in the order their first key was set */
        private List<ListenerConfig> listeners() {
            Set<String> names = new LinkedHashSet<>();
            for (String key : values.keySet()) {
                Matcher matcher = LISTENER_KEY.matcher(key);
                if (matcher.matches()) {
                    names.add(matcher.group(1));
                }
            }
            List<ListenerConfig> listeners = new ArrayList<>();
            for (String name : names) {
                listeners.add(listener(name));
            }
            return listeners;
        }

        private ListenerConfig listener(String name) {
            NumberSetting port = ListenerConfig.portSetting(name);
            if (!values.containsKey(port.key())) {
                throw new ConfigException(port.key(), port.key() + " is not set; allowed: " + port.allowed()
                    + " (every listener needs a port)");
            }
            String transportKey = ListenerConfig.key(name, ListenerConfig.TRANSPORT);
            Transport transport = text(transportKey).map(text -> Transport.of(text).orElseThrow(() ->
                    ConfigException.invalidValue(transportKey, text, "not a supported transport", Transport.allowed())))
                .orElse(Transport.TCP);
            for (String property : ListenerConfig.PROPERTIES) {
                boolean used = property.startsWith("tls.") ? transport.tls()
                    : !property.startsWith("ws.") || transport.webSocket();
                if (!used && values.containsKey(ListenerConfig.key(name, property))) {
                    throw ListenerConfig.withoutUse(name, transport, property,
                        property.startsWith("tls.") ? "tls or wss" : "ws or wss");
                }
            }
            Optional<String> webSocketPath = transport.webSocket()
                ? Optional.of(text(ListenerConfig.key(name, ListenerConfig.WS_PATH))
                    .orElse(ListenerConfig.DEFAULT_WEBSOCKET_PATH))
                : Optional.empty();
            return new ListenerConfig(name, transport,
                text(ListenerConfig.key(name, ListenerConfig.HOST)).orElse(NEW_LISTENER_HOST),
                intValue(port),
                transport.tls() ? Optional.of(tls(name)) : Optional.empty(),
                webSocketPath,
                booleanValue(ListenerConfig.key(name, ListenerConfig.PROXY_PROTOCOL), false));
        }

        private TlsConfig tls(String name) {
            String protocolsKey = ListenerConfig.key(name, ListenerConfig.TLS_PROTOCOLS);
            List<String> protocols = text(protocolsKey).map(text -> list(text).stream()
                    .map(p -> TlsConfig.SUPPORTED_PROTOCOLS.stream().filter(p::equalsIgnoreCase).findFirst()
                        .orElseThrow(() -> ConfigException.invalidValue(protocolsKey, text,
                            "not a list of supported protocols", "TLSv1.3, TLSv1.2 or both, comma-separated")))
                    .toList())
                .orElse(TlsConfig.SUPPORTED_PROTOCOLS);
            NumberSetting reloadInterval = ListenerConfig.reloadIntervalSetting(name);
            return new TlsConfig(
                path(name, ListenerConfig.TLS_CERT_FILE, "the path of a PEM file with the server certificate"),
                path(name, ListenerConfig.TLS_KEY_FILE, "the path of a PEM file with the certificate's private key"),
                protocols,
                text(ListenerConfig.key(name, ListenerConfig.TLS_CIPHERS)).map(ConfigLoader::list).orElse(List.of()),
                choice(ListenerConfig.key(name, ListenerConfig.TLS_CLIENT_AUTH), TlsConfig.ClientAuth.class,
                    TlsConfig.ClientAuth.NONE),
                values.containsKey(reloadInterval.key()) ? intValue(reloadInterval)
                    : TlsConfig.DEFAULT_RELOAD_INTERVAL_SECONDS,
                choice(ListenerConfig.key(name, ListenerConfig.TLS_PROVIDER), TlsConfig.Provider.class,
                    TlsConfig.Provider.AUTO));
        }

        private Path path(String name, String property, String allowed) {
            String key = ListenerConfig.key(name, property);
            String text = text(key).filter(t -> !t.isEmpty())
                .orElseThrow(() -> ListenerConfig.notSet(name, property, allowed));
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw ConfigException.invalidValue(key, text, "not a valid path", allowed);
            }
        }

        /** @return the constant whose lower-case name the value is, or the default when the key is not set */
        private <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
            Optional<String> text = text(key);
            if (text.isEmpty()) {
                return defaultValue;
            }
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(text.get())) {
                    return constant;
                }
            }
            throw ConfigException.invalidValue(key, text.get(), "not one of the choices",
                Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", ")));
        }

        private Optional<String> text(String key) {
            return Optional.ofNullable(values.get(key)).map(Value::text);
        }

        private long longValue(NumberSetting setting) {
            String text = values.get(setting.key()).text();
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw setting.notANumber(text);
            }
        }

        private int intValue(NumberSetting setting) {
            long value = longValue(setting);
            // The range itself is the record's to check; this only refuses what the int component cannot hold.
            if ((int) value != value) {
                throw setting.outOfRange(values.get(setting.key()).text());
            }
            return (int) value;
        }

        private boolean booleanValue(String key, boolean defaultValue) {
            return values.containsKey(key) ? booleanValue(key) : defaultValue;
        }

        private boolean booleanValue(String key) {
            String text = values.get(key).text();
            if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(text);
            }
            throw ConfigException.invalidValue(key, text, "not a boolean", "true or false");
        }
    }
}
