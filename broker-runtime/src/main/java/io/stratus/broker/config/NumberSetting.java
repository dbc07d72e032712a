package io.stratus.broker.config;

/**
 * A whole-number setting: its key and the range of values it allows. The records of this package
 * declare one for each of their numeric components and check it in their compact constructors, so
 * each range is stated once and holds however a configuration is built.
 *
 * @param key the configuration key, e.g. {@code limits.max-packet-size}
 * @param min the smallest value allowed
 * @param max the largest value allowed
 */
record NumberSetting(String key, long min, long max) {

    NumberSetting {
        if (min > max) {
            throw new IllegalArgumentException(key + ": min " + min + " > max " + max);
        }
    }

    /** @return the value, if it is in range */
    long check(long value) {
        if (value < min || value > max) {
            throw outOfRange(Long.toString(value));
        }
        return value;
    }

    /** @return the range in words, for messages */
    String allowed() {
        return max == Long.MAX_VALUE ? "a whole number, at least " + min : "a whole number from " + min + " to " + max;
    }

    /** @return true if every allowed value fits in an {@code int} */
    boolean fitsInt() {
        return min >= Integer.MIN_VALUE && max <= Integer.MAX_VALUE;
    }

    ConfigException outOfRange(String value) {
        return ConfigException.invalidValue(key, value, "out of range", allowed());
    }

    ConfigException notANumber(String value) {
        return ConfigException.invalidValue(key, value, "not a whole number", allowed());
    }
}
