package io.stratus.sdk.auth;

import io.stratus.sdk.client.MqttVersion;
import io.stratus.sdk.internal.Checks;
import io.stratus.sdk.message.UserProperty;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an authenticator sees of a connecting client: its CONNECT packet and what the broker knows of
 * the connection (address, TLS server name and certificate chain, listener).
 *
 * <p>Secrets (the password and the authentication data) are copied on every read, so that a plugin
 * cannot change what another plugin sees and may wipe its copy after use.
 *
 * <p>Immutable and thread-safe. Plugins normally receive requests from the broker; the builder is
 * public so that a plugin's unit tests can make them.
 *
 * @since 1.0
 */
public final class ConnectRequest {

    private final String clientId;
    private final String username;
    private final byte[] password;
    private final MqttVersion mqttVersion;
    private final InetSocketAddress remoteAddress;
    private final String sniHost;
    private final List<X509Certificate> clientCertificateChain;
    private final String listenerName;
    private final String authenticationMethod;
    private final byte[] authenticationData;
    private final List<UserProperty> userProperties;

    private ConnectRequest(Builder b) {
        this.clientId = Checks.notNull("clientId", b.clientId);
        this.username = b.username;
        this.password = b.password;
        this.mqttVersion = b.mqttVersion;
        this.remoteAddress = Checks.notNull("remoteAddress", b.remoteAddress);
        this.sniHost = b.sniHost;
        this.clientCertificateChain = List.copyOf(b.clientCertificateChain);
        this.listenerName = b.listenerName;
        this.authenticationMethod = b.authenticationMethod;
        this.authenticationData = b.authenticationData;
        this.userProperties = List.copyOf(b.userProperties);
    }

    /**
     * Starts a request; the client id and remote address must be set.
     *
     * @return a new builder
     * @since 1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the client identifier: as the client sent it, or the one the broker assigned if it sent
     *     an empty one
     * @since 1.0
     */
    public String clientId() {
        return clientId;
    }

    /**
     * @return the user name, if the client sent one
     * @since 1.0
     */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /**
     * @return a copy of the password bytes, if the client sent a password
     * @since 1.0
     */
    public Optional<byte[]> password() {
        return password == null ? Optional.empty() : Optional.of(password.clone());
    }

    /**
     * Decodes the password as UTF-8, for passwords that are text, such as tokens. Malformed bytes
     * become U+FFFD.
     *
     * @return the password as a string, if the client sent one
     * @since 1.0
     */
    public Optional<String> passwordAsUtf8() {
        return password == null ? Optional.empty() : Optional.of(new String(password, StandardCharsets.UTF_8));
    }

    /**
     * @return the protocol version the client connects with
     * @since 1.0
     */
    public MqttVersion mqttVersion() {
        return mqttVersion;
    }

    /**
     * @return the address the connection comes from
     * @since 1.0
     */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /**
     * @return the host name the client asked for in the TLS Server Name Indication, if it connected
     *     over TLS and sent one
     * @since 1.0
     */
    public Optional<String> sniHost() {
        return Optional.ofNullable(sniHost);
    }

    /**
     * @return the certificate chain the client presented over TLS, its own certificate first; empty if
     *     it presented none. TLS proved that the client holds the certificate's key; whether the chain
     *     leads to one of the tenant's certificate authorities is checked by the tenant's {@code x509}
     *     method, not before a plugin sees it
     * @since 1.0
     */
    public List<X509Certificate> clientCertificateChain() {
        return clientCertificateChain;
    }

    /**
     * @return the name of the listener the client connected to, as in the broker's configuration
     * @since 1.0
     */
    public String listenerName() {
        return listenerName;
    }

    /**
     * @return the MQTT 5 Authentication Method, if the client sent one
     * @since 1.0
     */
    public Optional<String> authenticationMethod() {
        return Optional.ofNullable(authenticationMethod);
    }

    /**
     * @return a copy of the MQTT 5 Authentication Data, if the client sent any
     * @since 1.0
     */
    public Optional<byte[]> authenticationData() {
        return authenticationData == null ? Optional.empty() : Optional.of(authenticationData.clone());
    }

    /**
     * @return the MQTT 5 User Properties of the CONNECT in their order; an unmodifiable list
     * @since 1.0
     */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    /**
     * Describes the request without its password or authentication data, so the result is safe to log.
     *
     * @return the client id, user name, version, address and listener
     * @since 1.0
     */
    @Override
    public String toString() {
        return "ConnectRequest[client=" + clientId + ", username=" + username + ", version=" + mqttVersion
            + ", remote=" + remoteAddress + ", listener=" + listenerName + ", password="
            + (password == null ? "none" : "present") + "]";
    }

    /**
     * Collects a {@link ConnectRequest}'s values.
     *
     * <p>Not thread-safe: use a builder from one thread at a time.
     *
     * @since 1.0
     */
    public static final class Builder {

        private String clientId;
        private String username;
        private byte[] password;
        private MqttVersion mqttVersion = MqttVersion.V5;
        private InetSocketAddress remoteAddress;
        private String sniHost;
        private final List<X509Certificate> clientCertificateChain = new ArrayList<>();
        private String listenerName = "tcp";
        private String authenticationMethod;
        private byte[] authenticationData;
        private final List<UserProperty> userProperties = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param clientId the client identifier
         * @return this builder
         * @throws IllegalArgumentException naming {@code clientId} if it is null or not a valid MQTT string
         * @since 1.0
         */
        public Builder clientId(String clientId) {
            this.clientId = Checks.mqttString("clientId", clientId);
            return this;
        }

        /**
         * @param username the user name, or null for none
         * @return this builder
         * @throws IllegalArgumentException naming {@code username} if it is not a valid MQTT string
         * @since 1.0
         */
        public Builder username(String username) {
            this.username = username == null ? null : Checks.mqttString("username", username);
            return this;
        }

        /**
         * @param password the password, copied, or null for none
         * @return this builder
         * @since 1.0
         */
        public Builder password(byte[] password) {
            this.password = password == null ? null : password.clone();
            return this;
        }

        /**
         * @param version the protocol version; {@link MqttVersion#V5} unless set
         * @return this builder
         * @throws IllegalArgumentException naming {@code mqttVersion} if it is null
         * @since 1.0
         */
        public Builder mqttVersion(MqttVersion version) {
            this.mqttVersion = Checks.notNull("mqttVersion", version);
            return this;
        }

        /**
         * @param remoteAddress the address the connection comes from
         * @return this builder
         * @throws IllegalArgumentException naming {@code remoteAddress} if it is null
         * @since 1.0
         */
        public Builder remoteAddress(InetSocketAddress remoteAddress) {
            this.remoteAddress = Checks.notNull("remoteAddress", remoteAddress);
            return this;
        }

        /**
         * @param sniHost the TLS server name the client asked for, or null for none
         * @return this builder
         * @since 1.0
         */
        public Builder sniHost(String sniHost) {
            this.sniHost = sniHost;
            return this;
        }

        /**
         * @param chain the client's certificate chain, its own certificate first; copied
         * @return this builder
         * @throws IllegalArgumentException naming {@code clientCertificateChain} if it or an element is null
         * @since 1.0
         */
        public Builder clientCertificateChain(List<X509Certificate> chain) {
            Checks.notNull("clientCertificateChain", chain);
            for (X509Certificate c : chain) {
                Checks.notNull("clientCertificateChain element", c);
            }
            clientCertificateChain.clear();
            clientCertificateChain.addAll(chain);
            return this;
        }

        /**
         * @param listenerName the listener's name; {@code tcp} unless set
         * @return this builder
         * @throws IllegalArgumentException naming {@code listenerName} if it is null
         * @since 1.0
         */
        public Builder listenerName(String listenerName) {
            this.listenerName = Checks.notNull("listenerName", listenerName);
            return this;
        }

        /**
         * @param method the MQTT 5 Authentication Method, or null for none
         * @return this builder
         * @throws IllegalArgumentException naming {@code authenticationMethod} if it is not a valid MQTT string
         * @since 1.0
         */
        public Builder authenticationMethod(String method) {
            this.authenticationMethod = method == null ? null : Checks.mqttString("authenticationMethod", method);
            return this;
        }

        /**
         * @param data the MQTT 5 Authentication Data, copied, or null for none
         * @return this builder
         * @since 1.0
         */
        public Builder authenticationData(byte[] data) {
            this.authenticationData = data == null ? null : data.clone();
            return this;
        }

        /**
         * Appends a User Property after those already set.
         *
         * @param name  its name
         * @param value its value
         * @return this builder
         * @throws IllegalArgumentException if either is not a valid MQTT string
         * @since 1.0
         */
        public Builder addUserProperty(String name, String value) {
            userProperties.add(UserProperty.of(name, value));
            return this;
        }

        /**
         * @return the request
         * @throws IllegalArgumentException naming the field if the client id or remote address was not set
         * @since 1.0
         */
        public ConnectRequest build() {
            return new ConnectRequest(this);
        }
    }
}
