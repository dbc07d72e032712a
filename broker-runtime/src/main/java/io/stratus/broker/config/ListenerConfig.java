package io.stratus.broker.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One network listener.
 *
 * @param name      its name, as used in configuration keys ({@code listeners.<name>.port})
 * @param transport how it speaks: only {@code tcp} for now
 * @param host      the address to bind
 * @param port      the port to bind; 0 picks a free one (tests)
 */
public record ListenerConfig(String name, String transport, String host, int port) {

    /** The transports a listener may use. */
    static final String TRANSPORT_TCP = "tcp";

    /**
     * Lower-case letters, digits and inner hyphens: a name that survives the round trip through an
     * environment variable ({@code STRATUS_LISTENERS_TCP_INTERNAL_PORT} is {@code tcp-internal}).
     */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    /** @throws ConfigException if a component is not allowed; the message names its key */
    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(host, "host");
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException("listeners." + name, "listeners." + name + ": listener name " + name
                + " is not valid; allowed: lower-case letters and digits, with single '-' between them");
        }
        if (!transport.equals(TRANSPORT_TCP)) {
            throw ConfigException.invalidValue(key(name, "transport"), transport, "not a supported transport",
                TRANSPORT_TCP);
        }
        if (host.isBlank()) {
            throw ConfigException.invalidValue(key(name, "host"), host, "empty", "a host name or IP address to bind");
        }
        portSetting(name).check(port);
    }

    /** @return the key of one of a listener's properties, e.g. {@code listeners.tcp.port} */
    static String key(String listenerName, String property) {
        return "listeners." + listenerName + "." + property;
    }

    /** @return the port setting of the named listener: 0 (any free port) to 65535 */
    static NumberSetting portSetting(String listenerName) {
        return new NumberSetting(key(listenerName, "port"), 0, 65_535);
    }
}
