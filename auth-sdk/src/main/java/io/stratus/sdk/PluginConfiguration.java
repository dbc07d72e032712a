package io.stratus.sdk;

import io.stratus.sdk.internal.Checks;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The settings a tenant enabled a plugin with: string keys and values, with typed getters that fail
 * with a message naming the key. The plugin decides which keys it understands; the broker passes them
 * through unchanged.
 *
 * <p>Values may be secrets (API keys, passwords), so {@link #toString()} shows the keys only.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 1.0
 */
public final class PluginConfiguration {

    private static final PluginConfiguration EMPTY = new PluginConfiguration(Map.of());

    private final Map<String, String> values;

    private PluginConfiguration(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param values the settings; copied
     * @return a configuration holding them
     * @throws IllegalArgumentException if the map, a key or a value is null
     * @since 1.0
     */
    public static PluginConfiguration of(Map<String, String> values) {
        Checks.notNull("values", values);
        values.forEach((k, v) -> Checks.notNull("value of " + Checks.notNull("key", k), v));
        return new PluginConfiguration(Map.copyOf(values));
    }

    /**
     * @return a configuration without settings
     * @since 1.0
     */
    public static PluginConfiguration empty() {
        return EMPTY;
    }

    /**
     * @param key a setting's key
     * @return its value, if set
     * @since 1.0
     */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * @param key a setting's key
     * @return its value
     * @throws IllegalArgumentException naming the key if it is not set
     * @since 1.0
     */
    public String require(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("plugin setting " + key + " is required");
        }
        return value;
    }

    /**
     * @param key          a setting's key
     * @param defaultValue what to return if it is not set
     * @return its value, or the default
     * @since 1.0
     */
    public String getString(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /**
     * @param key          a setting's key
     * @param defaultValue what to return if it is not set
     * @return its value as a decimal {@code int}, or the default
     * @throws IllegalArgumentException naming the key if the value is not a whole number in range
     * @since 1.0
     */
    public int getInt(String key, int defaultValue) {
        return (int) parseLong(key, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE, "a whole number");
    }

    /**
     * @param key          a setting's key
     * @param defaultValue what to return if it is not set
     * @return its value as a decimal {@code long}, or the default
     * @throws IllegalArgumentException naming the key if the value is not a whole number in range
     * @since 1.0
     */
    public long getLong(String key, long defaultValue) {
        return parseLong(key, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE, "a whole number");
    }

    /**
     * @param key          a setting's key
     * @param defaultValue what to return if it is not set
     * @return true for {@code true}, false for {@code false} (in any case), or the default
     * @throws IllegalArgumentException naming the key if the value is anything else
     * @since 1.0
     */
    public boolean getBoolean(String key, boolean defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw invalid(key, "true or false");
        }
    }

    /**
     * Reads a duration written as a whole number with a unit ({@code 250ms}, {@code 30s}, {@code 5m},
     * {@code 2h}, {@code 1d}) or in ISO-8601 ({@code PT30S}).
     *
     * @param key          a setting's key
     * @param defaultValue what to return if it is not set
     * @return its value, or the default
     * @throws IllegalArgumentException naming the key if the value is not a duration of zero or more
     * @since 1.0
     */
    public Duration getDuration(String key, Duration defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (v.startsWith("p")) {
                d = Duration.parse(v.toUpperCase(Locale.ROOT));
            } else if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("d")) {
                d = Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                throw invalid(key, DURATION_FORMS);
            }
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw invalid(key, DURATION_FORMS);
        }
        if (d.isNegative()) {
            throw invalid(key, DURATION_FORMS);
        }
        return d;
    }

    private static final String DURATION_FORMS = "a duration of zero or more such as 250ms, 30s, 5m, 2h, 1d or PT30S";

    /**
     * @return the keys that are set; an unmodifiable set
     * @since 1.0
     */
    public Set<String> keys() {
        return values.keySet();
    }

    /**
     * @return all settings; an unmodifiable map
     * @since 1.0
     */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * @param o another object
     * @return whether it is a configuration with the same settings
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof PluginConfiguration && ((PluginConfiguration) o).values.equals(values);
    }

    /**
     * @return a hash of the settings
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /**
     * @return the keys, in order, without their values, which may be secrets
     * @since 1.0
     */
    @Override
    public String toString() {
        return "PluginConfiguration" + new TreeMap<>(values).keySet();
    }

    private long parseLong(String key, long defaultValue, long min, long max, String what) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < min || n > max) {
                throw invalid(key, what + " from " + min + " to " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalid(key, what);
        }
    }

    private IllegalArgumentException invalid(String key, String expected) {
        // The value is left out of the message: it may be a secret.
        return new IllegalArgumentException("plugin setting " + key + " must be " + expected);
    }
}
