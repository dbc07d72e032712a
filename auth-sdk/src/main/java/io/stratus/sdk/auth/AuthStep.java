package io.stratus.sdk.auth;

import io.stratus.sdk.internal.Checks;

import java.util.Optional;

/**
 * One step of an MQTT 5 enhanced authentication exchange, as an {@link EnhancedAuthenticator} answers
 * it: {@link #continueWith(byte[]) continue} with data for the client (an AUTH packet with reason code
 * 0x18, Continue authentication), {@link #success(AuthResult, byte[]) succeed} (CONNACK 0x00, or AUTH
 * 0x00 after a re-authentication), or {@link #failure(DenyReason, String) fail} (CONNACK, or DISCONNECT
 * after a re-authentication, with the reason's code). [MQTT-4.12]
 *
 * <p>Immutable and thread-safe as long as the state object is.
 *
 * @since 1.0
 */
public final class AuthStep {

    /**
     * The kinds of step.
     *
     * @since 1.0
     */
    public enum Kind {

        /** Send data to the client and wait for its next AUTH packet. */
        CONTINUE,

        /** The client is authenticated. */
        SUCCESS,

        /** The client is refused. */
        FAILURE
    }

    private final Kind kind;
    private final byte[] data;
    private final Object state;
    private final AuthResult result;

    private AuthStep(Kind kind, byte[] data, Object state, AuthResult result) {
        this.kind = kind;
        this.data = data;
        this.state = state;
        this.result = result;
    }

    /**
     * Sends the client authentication data (a challenge, say) and waits for its answer, which arrives in
     * {@link EnhancedAuthenticator#onAuth(AuthExchange, byte[])}.
     *
     * @param data the Authentication Data for the client; copied
     * @return the step
     * @throws IllegalArgumentException naming {@code data} if it is null or longer than 65,535 bytes
     * @since 1.0
     */
    public static AuthStep continueWith(byte[] data) {
        return continueWith(data, null);
    }

    /**
     * Sends the client authentication data and keeps state for the next step, which receives it through
     * {@link AuthExchange#state(Class)}: a server nonce, a salted password, whatever the next step needs.
     *
     * @param data  the Authentication Data for the client; copied
     * @param state what the next step needs, or null for nothing
     * @return the step
     * @throws IllegalArgumentException naming {@code data} if it is null or longer than 65,535 bytes
     * @since 1.0
     */
    public static AuthStep continueWith(byte[] data, Object state) {
        return new AuthStep(Kind.CONTINUE, binaryData(data), state, null);
    }

    /**
     * Ends the exchange successfully and sends the client final data (a server signature, say).
     *
     * @param result    an allowing result, with any attributes for the client's identity
     * @param finalData the Authentication Data of the CONNACK or AUTH; copied
     * @return the step
     * @throws IllegalArgumentException if {@code result} is null or does not allow, or {@code finalData}
     *     is null or longer than 65,535 bytes
     * @since 1.0
     */
    public static AuthStep success(AuthResult result, byte[] finalData) {
        Checks.notNull("result", result);
        if (result.decision() != Decision.ALLOW) {
            throw new IllegalArgumentException("result must allow, was " + result.decision());
        }
        return new AuthStep(Kind.SUCCESS, binaryData(finalData), null, result);
    }

    /**
     * Ends the exchange successfully without final data.
     *
     * @param result an allowing result, with any attributes for the client's identity
     * @return the step
     * @throws IllegalArgumentException if {@code result} is null or does not allow
     * @since 1.0
     */
    public static AuthStep success(AuthResult result) {
        return success(result, new byte[0]);
    }

    /**
     * Ends the exchange by refusing the client.
     *
     * @param reason  why, which sets the reason code
     * @param message what went wrong, for the tenant's audit log (not sent to the client)
     * @return the step
     * @throws IllegalArgumentException naming the field if either is null
     * @since 1.0
     */
    public static AuthStep failure(DenyReason reason, String message) {
        return new AuthStep(Kind.FAILURE, null, null, AuthResult.deny(reason, message));
    }

    /**
     * @return continue, success or failure
     * @since 1.0
     */
    public Kind kind() {
        return kind;
    }

    /**
     * @return a copy of the Authentication Data for the client, for continue and success steps
     * @since 1.0
     */
    public Optional<byte[]> data() {
        return data == null ? Optional.empty() : Optional.of(data.clone());
    }

    /**
     * @return the state a continue step keeps for the next step, if any
     * @since 1.0
     */
    public Optional<Object> state() {
        return Optional.ofNullable(state);
    }

    /**
     * @return the allowing result of a success step or the denying result of a failure step; empty for
     *     a continue step
     * @since 1.0
     */
    public Optional<AuthResult> result() {
        return Optional.ofNullable(result);
    }

    /**
     * @return the kind, the data's size and the result; never the data or the state
     * @since 1.0
     */
    @Override
    public String toString() {
        return "AuthStep[" + kind + ", data=" + Checks.describe(data) + (result == null ? "" : ", " + result) + "]";
    }

    private static byte[] binaryData(byte[] data) {
        Checks.notNull("data", data);
        Checks.range("data length", data.length, 0, Checks.MAX_STRING_BYTES); // Binary Data [MQTT-1.5.6]
        return data.clone();
    }
}
