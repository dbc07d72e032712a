package io.stratus.broker.config;

import java.util.Objects;

/**
 * A configuration that cannot be used: an unknown key, a value that does not parse or is out of
 * range, a config file that cannot be read, or a bad command-line flag. The message names the
 * offending key (or flag), the value and what is allowed; it is meant to be shown to the operator
 * as it is, without a stack trace.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key     the offending key, environment variable or flag
     * @param message the whole message; it names the key
     */
    public ConfigException(String key, String message) {
        super(message);
        this.key = Objects.requireNonNull(key, "key");
    }

    /** @return the offending key, environment variable or flag */
    public String key() {
        return key;
    }

    /** @return a value that is not one of those allowed: {@code key=value is <problem>; allowed: <allowed>} */
    public static ConfigException invalidValue(String key, String value, String problem, String allowed) {
        return new ConfigException(key, key + "=" + value + " is " + problem + "; allowed: " + allowed);
    }

    /** @return a copy of this exception whose message says where the value came from */
    ConfigException from(String source) {
        return new ConfigException(key, getMessage() + " (" + source + ")");
    }
}
