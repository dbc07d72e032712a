package io.stratus.sdk.auth;

/**
 * Why a client is refused, and the code it is refused with: an MQTT 5 CONNACK or DISCONNECT reason
 * code, or an MQTT 3.1/3.1.1 CONNACK return code, which has fewer values.
 *
 * <p>Thread-safe (an enum).
 *
 * @since 1.0
 */
public enum DenyReason {

    /** The user name, password or token is wrong: MQTT 5 0x86, MQTT 3 0x04. */
    BAD_CREDENTIALS(0x86, 0x04),

    /** The client is known but not allowed: MQTT 5 0x87, MQTT 3 0x05. */
    NOT_AUTHORIZED(0x87, 0x05),

    /** The client is banned: MQTT 5 0x8A, MQTT 3 0x05. */
    BANNED(0x8A, 0x05),

    /** The decision cannot be made now, for example a back end is down: MQTT 5 0x89, MQTT 3 0x03. */
    SERVER_BUSY(0x89, 0x03),

    /** The MQTT 5 authentication method or its data is not acceptable: MQTT 5 0x8C, MQTT 3 0x05. */
    BAD_AUTHENTICATION_METHOD(0x8C, 0x05);

    private final int mqtt5ReasonCode;
    private final int mqtt3ReturnCode;

    DenyReason(int mqtt5ReasonCode, int mqtt3ReturnCode) {
        this.mqtt5ReasonCode = mqtt5ReasonCode;
        this.mqtt3ReturnCode = mqtt3ReturnCode;
    }

    /**
     * @return the MQTT 5 reason code the client is refused with
     * @since 1.0
     */
    public int mqtt5ReasonCode() {
        return mqtt5ReasonCode;
    }

    /**
     * @return the MQTT 3.1/3.1.1 CONNACK return code the client is refused with
     * @since 1.0
     */
    public int mqtt3ReturnCode() {
        return mqtt3ReturnCode;
    }
}
