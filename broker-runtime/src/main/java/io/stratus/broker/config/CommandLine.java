package io.stratus.broker.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The broker's command line, parsed. Flags take their value as the next argument or after {@code =}
 * ({@code --port 1884}, {@code --port=1884}); a later flag beats an earlier one for the same key.
 * Values are checked by {@link ConfigLoader}, not here.
 *
 * @param configFile    the file named by {@code --config}, if any
 * @param overrides     settings from {@code --host}, {@code --port} and {@code --set}, key to value
 * @param helpRequested whether {@code --help} (or {@code -h}) was given; the other arguments are then ignored
 */
public record CommandLine(Optional<Path> configFile, Map<String, String> overrides, boolean helpRequested) {

    /** The listener that {@code --host} and {@code --port} change. */
    static final String DEFAULT_LISTENER = "tcp";

    public CommandLine {
        // Keeps the order of the flags: listeners that only the command line defines are listed in it.
        overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
    }

    /**
     * @param args the arguments of {@code main}
     * @return the parsed command line
     * @throws ConfigException for an unknown flag, a flag without its value, a {@code --set} without
     *     {@code key=value}, or a stray argument; the message names the flag
     */
    public static CommandLine parse(String... args) {
        Optional<Path> configFile = Optional.empty();
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int equals = arg.indexOf('=');
            String flag = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
            if (flag.equals("--help") || flag.equals("-h")) {
                return new CommandLine(Optional.empty(), Map.of(), true);
            }
            String value;
            if (flag.length() < arg.length()) {
                value = arg.substring(equals + 1);
            } else if (isFlagWithValue(flag)) {
                if (i + 1 >= args.length) {
                    throw new ConfigException(flag, flag + " needs a value; see --help");
                }
                value = args[++i];
            } else {
                value = null;
            }
            switch (flag) {
                case "--config" -> configFile = Optional.of(path(value));
                case "--host" -> overrides.put(ListenerConfig.key(DEFAULT_LISTENER, "host"), value);
                case "--port" -> overrides.put(ListenerConfig.key(DEFAULT_LISTENER, "port"), value);
                case "--set" -> {
                    int separator = value.indexOf('=');
                    if (separator <= 0) {
                        throw new ConfigException(flag,
                            "--set " + value + " is not key=value; allowed: --set limits.max-packet-size=65536");
                    }
                    overrides.put(value.substring(0, separator).trim(), value.substring(separator + 1));
                }
                default -> throw new ConfigException(flag, flag.startsWith("-")
                    ? "unknown flag " + flag + "; allowed: --config, --host, --port, --set, --help"
                    : "unexpected argument " + flag + "; settings are given as --set key=value (see --help)");
            }
        }
        return new CommandLine(configFile, overrides, false);
    }

    /** @return the text {@code --help} prints: the flags, then every key with its default and variable */
    public static String usage() {
        StringBuilder usage = new StringBuilder("""
            Usage: java -jar stratus-broker.jar [options]
                   java -jar stratus-broker.jar hash-password < FILE   (prints a password's hash for tenants.file)

            Options:
              --config FILE      read settings from a Java properties file (or set STRATUS_CONFIG=FILE)
              --host HOST        bind the tcp listener to HOST (same as --set listeners.tcp.host=HOST)
              --port PORT        bind the tcp listener to PORT; 0 picks a free port
              --set KEY=VALUE    set any key below; repeatable
              -h, --help         print this help and exit

            Precedence, lowest first: defaults, the config file, environment variables, the command line.
            Other listeners: listeners.NAME.PROPERTY (NAME: lower-case letters, digits, '-'), PROPERTY one of
              transport (tcp, tls, ws, wss), host, port, proxy-protocol, ws.path (ws, wss),
              tls.cert-file, tls.key-file, tls.protocols, tls.ciphers, tls.client-auth,
              tls.reload-interval-seconds, tls.provider (tls, wss); see README.md.

            Keys, their defaults and environment variables:
            """);
        ConfigLoader.defaultSettings().forEach((key, value) -> usage.append(String.format(
            "  %-38s %-10s %s%n", key, value, ConfigLoader.environmentVariable(key))));
        return usage.toString();
    }

    private static boolean isFlagWithValue(String flag) {
        return switch (flag) {
            case "--config", "--host", "--port", "--set" -> true;
            default -> false;
        };
    }

    private static Path path(String value) {
        if (value.isBlank()) {
            throw new ConfigException("--config", "--config needs a value; allowed: the path of a properties file");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException("--config", "--config " + value + " is not a valid path; allowed: a file path");
        }
    }
}
