package io.stratus.sdk.message;

import io.stratus.sdk.internal.Checks;

import java.util.Objects;

/**
 * One MQTT 5 User Property: a name/value pair. A message or packet holds an ordered list of them in
 * which a name may appear more than once, as MQTT 5 allows. [MQTT-3.3.2-17] [MQTT-3.3.2-18]
 *
 * <p>Immutable and thread-safe.
 *
 * @since 1.0
 */
public final class UserProperty {

    private final String name;
    private final String value;

    private UserProperty(String name, String value) {
        this.name = Checks.mqttString("user property name", name);
        this.value = Checks.mqttString("user property value", value);
    }

    /**
     * Creates a user property.
     *
     * @param name  its name; may be empty
     * @param value its value; may be empty
     * @return the property
     * @throws IllegalArgumentException if either is null, contains U+0000 or an unpaired surrogate, or
     *     is longer than 65,535 bytes in UTF-8
     * @since 1.0
     */
    public static UserProperty of(String name, String value) {
        return new UserProperty(name, value);
    }

    /**
     * @return the property's name
     * @since 1.0
     */
    public String name() {
        return name;
    }

    /**
     * @return the property's value
     * @since 1.0
     */
    public String value() {
        return value;
    }

    /**
     * @param o another object
     * @return whether it is a user property with the same name and value
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof UserProperty && ((UserProperty) o).name.equals(name) && ((UserProperty) o).value.equals(value);
    }

    /**
     * @return a hash of the name and value
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(name, value);
    }

    /**
     * @return {@code name=value}
     * @since 1.0
     */
    @Override
    public String toString() {
        return name + "=" + value;
    }
}
