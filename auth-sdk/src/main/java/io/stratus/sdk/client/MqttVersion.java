package io.stratus.sdk.client;

/**
 * The MQTT protocol version a client connected with.
 *
 * <p>Thread-safe (an enum).
 *
 * @since 1.0
 */
public enum MqttVersion {

    /** MQTT 3.1 (protocol name {@code MQIsdp}, level 3). */
    V3_1,

    /** MQTT 3.1.1 (protocol level 4). */
    V3_1_1,

    /** MQTT 5.0 (protocol level 5): reason codes, properties and enhanced authentication. */
    V5
}
