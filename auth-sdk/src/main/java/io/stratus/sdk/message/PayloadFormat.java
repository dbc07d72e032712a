package io.stratus.sdk.message;

/**
 * The MQTT 5 Payload Format Indicator of a message. [MQTT-3.3.2.3.2]
 *
 * <p>Thread-safe (an enum).
 *
 * @since 1.0
 */
public enum PayloadFormat {

    /** Unspecified bytes (indicator 0, or no indicator at all, which means the same). */
    UNSPECIFIED,

    /** UTF-8 encoded character data (indicator 1); the payload must be well-formed UTF-8. */
    UTF_8
}
