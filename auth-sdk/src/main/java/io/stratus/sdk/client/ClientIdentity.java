package io.stratus.sdk.client;

import io.stratus.sdk.internal.Checks;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a connected client is, as established when it authenticated: its tenant, client id, user name,
 * how it authenticated and the attributes its authentication produced. Authorizers, hooks and
 * lifecycle listeners receive it; {@link io.stratus.sdk.service.ClientService#identity(String)} looks
 * it up.
 *
 * <p>Attributes are the facts ACL policies refer to as variables, for example {@code cert.cn} for the
 * common name of a client certificate or {@code jwt.claims.region} for a JWT claim; an authenticator
 * adds its own with {@link io.stratus.sdk.auth.AuthResult.Builder#attribute(String, String)}.
 *
 * <p>Immutable and thread-safe. Plugins normally receive identities from the broker; the builder is
 * public so that a plugin's unit tests can make them.
 *
 * @since 1.0
 */
public final class ClientIdentity {

    private final String tenantId;
    private final String clientId;
    private final String username;
    private final Map<String, String> attributes;
    private final String certificateSubject;
    private final String authenticationMethod;
    private final InetSocketAddress remoteAddress;
    private final MqttVersion mqttVersion;

    private ClientIdentity(Builder b) {
        this.tenantId = Checks.notNull("tenantId", b.tenantId);
        this.clientId = Checks.notNull("clientId", b.clientId);
        this.username = b.username;
        this.attributes = Map.copyOf(b.attributes);
        this.certificateSubject = b.certificateSubject;
        this.authenticationMethod = b.authenticationMethod;
        this.remoteAddress = Checks.notNull("remoteAddress", b.remoteAddress);
        this.mqttVersion = b.mqttVersion;
    }

    /**
     * Starts an identity; tenant id, client id and remote address must be set.
     *
     * @return a new builder
     * @since 1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return a builder holding this identity's values
     * @since 1.0
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.tenantId = tenantId;
        b.clientId = clientId;
        b.username = username;
        b.attributes.putAll(attributes);
        b.certificateSubject = certificateSubject;
        b.authenticationMethod = authenticationMethod;
        b.remoteAddress = remoteAddress;
        b.mqttVersion = mqttVersion;
        return b;
    }

    /**
     * @return the id of the tenant the client belongs to
     * @since 1.0
     */
    public String tenantId() {
        return tenantId;
    }

    /**
     * @return the client identifier, unique within the tenant among connected clients
     * @since 1.0
     */
    public String clientId() {
        return clientId;
    }

    /**
     * @return the user name from CONNECT, if the client sent one
     * @since 1.0
     */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /**
     * @return the attributes its authentication produced; an unmodifiable map
     * @since 1.0
     */
    public Map<String, String> attributes() {
        return attributes;
    }

    /**
     * @param name an attribute's name, such as {@code cert.cn}
     * @return its value, if the identity has it
     * @since 1.0
     */
    public Optional<String> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    /**
     * @return the subject of the client's certificate as an RFC 2253 distinguished name, if it presented one
     * @since 1.0
     */
    public Optional<String> certificateSubject() {
        return Optional.ofNullable(certificateSubject);
    }

    /**
     * @return how the client authenticated: a built-in method ({@code password}, {@code jwt},
     *     {@code x509}), a plugin's MQTT 5 authentication method, {@code plugin:<id>} for a plugin's
     *     simple authenticator, or {@code anonymous}
     * @since 1.0
     */
    public String authenticationMethod() {
        return authenticationMethod;
    }

    /**
     * @return the address the connection comes from (after any proxy protocol the listener honours)
     * @since 1.0
     */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /**
     * @return the protocol version the client connected with
     * @since 1.0
     */
    public MqttVersion mqttVersion() {
        return mqttVersion;
    }

    /**
     * @param o another object
     * @return whether it is an identity with equal values
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ClientIdentity)) {
            return false;
        }
        ClientIdentity c = (ClientIdentity) o;
        return tenantId.equals(c.tenantId) && clientId.equals(c.clientId) && Objects.equals(username, c.username)
            && attributes.equals(c.attributes) && Objects.equals(certificateSubject, c.certificateSubject)
            && authenticationMethod.equals(c.authenticationMethod) && remoteAddress.equals(c.remoteAddress)
            && mqttVersion == c.mqttVersion;
    }

    /**
     * @return a hash consistent with {@link #equals(Object)}
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(tenantId, clientId, username, attributes, certificateSubject, authenticationMethod,
            remoteAddress, mqttVersion);
    }

    /**
     * @return the tenant, client id, user name and authentication method; attribute values are left out
     *     because they may be personal data
     * @since 1.0
     */
    @Override
    public String toString() {
        return "ClientIdentity[tenant=" + tenantId + ", client=" + clientId + ", username=" + username
            + ", method=" + authenticationMethod + ", attributes=" + attributes.keySet() + "]";
    }

    /**
     * Collects a {@link ClientIdentity}'s values.
     *
     * <p>Not thread-safe: use a builder from one thread at a time.
     *
     * @since 1.0
     */
    public static final class Builder {

        private String tenantId;
        private String clientId;
        private String username;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private String certificateSubject;
        private String authenticationMethod = "anonymous";
        private InetSocketAddress remoteAddress;
        private MqttVersion mqttVersion = MqttVersion.V5;

        private Builder() {
        }

        /**
         * @param tenantId the tenant's id
         * @return this builder
         * @throws IllegalArgumentException naming {@code tenantId} if it is null or empty
         * @since 1.0
         */
        public Builder tenantId(String tenantId) {
            this.tenantId = Checks.nonEmptyMqttString("tenantId", tenantId);
            return this;
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
         * Adds or replaces one attribute.
         *
         * @param name  its name
         * @param value its value
         * @return this builder
         * @throws IllegalArgumentException naming {@code attribute} if either is null
         * @since 1.0
         */
        public Builder attribute(String name, String value) {
            attributes.put(Checks.notNull("attribute name", name), Checks.notNull("attribute value", value));
            return this;
        }

        /**
         * Adds or replaces attributes.
         *
         * @param attributes the attributes; copied
         * @return this builder
         * @throws IllegalArgumentException naming {@code attributes} if the map, a name or a value is null
         * @since 1.0
         */
        public Builder attributes(Map<String, String> attributes) {
            Checks.notNull("attributes", attributes).forEach(this::attribute);
            return this;
        }

        /**
         * @param subject the client certificate's subject as an RFC 2253 name, or null for none
         * @return this builder
         * @since 1.0
         */
        public Builder certificateSubject(String subject) {
            this.certificateSubject = subject;
            return this;
        }

        /**
         * @param method how the client authenticated; {@code anonymous} unless set
         * @return this builder
         * @throws IllegalArgumentException naming {@code authenticationMethod} if it is null or empty
         * @since 1.0
         */
        public Builder authenticationMethod(String method) {
            this.authenticationMethod = Checks.nonEmptyMqttString("authenticationMethod", method);
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
         * @return the identity
         * @throws IllegalArgumentException naming the field if the tenant id, client id or remote address
         *     was not set
         * @since 1.0
         */
        public ClientIdentity build() {
            return new ClientIdentity(this);
        }
    }
}
