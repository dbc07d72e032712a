package io.stratus.sdk.auth;

import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.internal.Checks;

import java.util.Optional;

/**
 * One MQTT 5 enhanced authentication exchange in progress: the CONNECT that started the connection,
 * the authentication method, whether this is a re-authentication of a live connection, and the state
 * the {@link EnhancedAuthenticator} kept from its previous step.
 *
 * <p>The broker keeps the state for the plugin, from one step to the next, and forgets it when the
 * exchange ends or the connection closes, so a plugin need not keep (and clean up) a map of
 * exchanges in progress.
 *
 * <p>Immutable and thread-safe as long as the state object is. Plugins normally receive exchanges from
 * the broker; the builder is public so that a plugin's unit tests can make them.
 *
 * @since 1.0
 */
public final class AuthExchange {

    private final String authenticationMethod;
    private final ConnectRequest connectRequest;
    private final ClientIdentity identity;
    private final Object state;

    private AuthExchange(Builder b) {
        this.authenticationMethod = Checks.notNull("authenticationMethod", b.authenticationMethod);
        this.connectRequest = Checks.notNull("connectRequest", b.connectRequest);
        this.identity = b.identity;
        this.state = b.state;
    }

    /**
     * Starts an exchange; the authentication method and the connect request must be set.
     *
     * @return a new builder
     * @since 1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the MQTT 5 Authentication Method of the exchange
     * @since 1.0
     */
    public String authenticationMethod() {
        return authenticationMethod;
    }

    /**
     * @return the CONNECT that started the connection
     * @since 1.0
     */
    public ConnectRequest connectRequest() {
        return connectRequest;
    }

    /**
     * @return whether this exchange re-authenticates a connected client (it started with an AUTH packet
     *     with reason code 0x19) rather than a connecting one
     * @since 1.0
     */
    public boolean reauthentication() {
        return identity != null;
    }

    /**
     * @return the connected client's identity during a re-authentication; empty while connecting
     * @since 1.0
     */
    public Optional<ClientIdentity> identity() {
        return Optional.ofNullable(identity);
    }

    /**
     * Gives back what the previous step passed to {@link AuthStep#continueWith(byte[], Object)}.
     *
     * @param type the state's class
     * @param <T>  its type
     * @return the state, if the previous step kept one of that type
     * @since 1.0
     */
    public <T> Optional<T> state(Class<T> type) {
        return type.isInstance(state) ? Optional.of(type.cast(state)) : Optional.empty();
    }

    /**
     * @return the method and whether this is a re-authentication; never the state, which may hold secrets
     * @since 1.0
     */
    @Override
    public String toString() {
        return "AuthExchange[method=" + authenticationMethod + ", client=" + connectRequest.clientId()
            + ", reauthentication=" + reauthentication() + "]";
    }

    /**
     * Collects an {@link AuthExchange}'s values.
     *
     * <p>Not thread-safe: use a builder from one thread at a time.
     *
     * @since 1.0
     */
    public static final class Builder {

        private String authenticationMethod;
        private ConnectRequest connectRequest;
        private ClientIdentity identity;
        private Object state;

        private Builder() {
        }

        /**
         * @param method the MQTT 5 Authentication Method
         * @return this builder
         * @throws IllegalArgumentException naming {@code authenticationMethod} if it is null or empty
         * @since 1.0
         */
        public Builder authenticationMethod(String method) {
            this.authenticationMethod = Checks.nonEmptyMqttString("authenticationMethod", method);
            return this;
        }

        /**
         * @param request the CONNECT that started the connection
         * @return this builder
         * @throws IllegalArgumentException naming {@code connectRequest} if it is null
         * @since 1.0
         */
        public Builder connectRequest(ConnectRequest request) {
            this.connectRequest = Checks.notNull("connectRequest", request);
            return this;
        }

        /**
         * @param identity the connected client's identity for a re-authentication, or null while connecting
         * @return this builder
         * @since 1.0
         */
        public Builder identity(ClientIdentity identity) {
            this.identity = identity;
            return this;
        }

        /**
         * @param state what the previous step kept, or null for nothing
         * @return this builder
         * @since 1.0
         */
        public Builder state(Object state) {
            this.state = state;
            return this;
        }

        /**
         * @return the exchange
         * @throws IllegalArgumentException naming the field if the method or connect request was not set
         * @since 1.0
         */
        public AuthExchange build() {
            return new AuthExchange(this);
        }
    }
}
