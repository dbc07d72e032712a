package io.stratus.sdk.hook;

import io.stratus.sdk.internal.Checks;

import java.util.Objects;
import java.util.Optional;

/**
 * How a client's connection ended, for {@link LifecycleListener#onDisconnected(io.stratus.sdk.client.ClientIdentity,
 * DisconnectInfo)}.
 *
 * <p>Immutable and thread-safe. Plugins normally receive these from the broker; the builder is public
 * so that a plugin's unit tests can make them.
 *
 * @since 1.0
 */
public final class DisconnectInfo {

    private final boolean graceful;
    private final boolean serverInitiated;
    private final int reasonCode;
    private final String reason;

    private DisconnectInfo(Builder b) {
        this.graceful = b.graceful;
        this.serverInitiated = b.serverInitiated;
        this.reasonCode = b.reasonCode;
        this.reason = b.reason;
    }

    /**
     * Starts a description of a disconnection; unless set, it is not graceful, not initiated by the
     * server, and has reason code 0x00.
     *
     * @return a new builder
     * @since 1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return whether the client sent DISCONNECT with reason code 0x00 (Normal disconnection), so that
     *     its Will message is not published
     * @since 1.0
     */
    public boolean graceful() {
        return graceful;
    }

    /**
     * @return whether the broker ended the connection (keep-alive expired, session taken over, protocol
     *     error, administrative disconnect) rather than the client or the network
     * @since 1.0
     */
    public boolean serverInitiated() {
        return serverInitiated;
    }

    /**
     * @return the MQTT 5 reason code of the DISCONNECT that ended the connection, in whichever direction
     *     it went; 0x00 if none was sent, which includes every MQTT 3.1.1 disconnection
     * @since 1.0
     */
    public int reasonCode() {
        return reasonCode;
    }

    /**
     * @return a description of why the connection ended, for logs, if known
     * @since 1.0
     */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /**
     * @param o another object
     * @return whether it describes the same disconnection
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DisconnectInfo)) {
            return false;
        }
        DisconnectInfo d = (DisconnectInfo) o;
        return graceful == d.graceful && serverInitiated == d.serverInitiated && reasonCode == d.reasonCode
            && Objects.equals(reason, d.reason);
    }

    /**
     * @return a hash consistent with {@link #equals(Object)}
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(graceful, serverInitiated, reasonCode, reason);
    }

    /**
     * @return the values
     * @since 1.0
     */
    @Override
    public String toString() {
        return "DisconnectInfo[graceful=" + graceful + ", serverInitiated=" + serverInitiated + ", code=0x"
            + Integer.toHexString(reasonCode) + (reason == null ? "" : ", reason=" + reason) + "]";
    }

    /**
     * Collects a {@link DisconnectInfo}'s values.
     *
     * <p>Not thread-safe: use a builder from one thread at a time.
     *
     * @since 1.0
     */
    public static final class Builder {

        private boolean graceful;
        private boolean serverInitiated;
        private int reasonCode;
        private String reason;

        private Builder() {
        }

        /**
         * @param graceful whether the client disconnected normally
         * @return this builder
         * @since 1.0
         */
        public Builder graceful(boolean graceful) {
            this.graceful = graceful;
            return this;
        }

        /**
         * @param serverInitiated whether the broker ended the connection
         * @return this builder
         * @since 1.0
         */
        public Builder serverInitiated(boolean serverInitiated) {
            this.serverInitiated = serverInitiated;
            return this;
        }

        /**
         * @param reasonCode the MQTT 5 DISCONNECT reason code, 0 to 255
         * @return this builder
         * @throws IllegalArgumentException naming {@code reasonCode} if it is out of range
         * @since 1.0
         */
        public Builder reasonCode(int reasonCode) {
            this.reasonCode = (int) Checks.range("reasonCode", reasonCode, 0, 255);
            return this;
        }

        /**
         * @param reason a description for logs, or null for none
         * @return this builder
         * @since 1.0
         */
        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        /**
         * @return the description
         * @since 1.0
         */
        public DisconnectInfo build() {
            return new DisconnectInfo(this);
        }
    }
}
