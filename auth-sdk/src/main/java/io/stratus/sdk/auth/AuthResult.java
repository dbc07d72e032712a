package io.stratus.sdk.auth;

import io.stratus.sdk.internal.Checks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of authenticating a client: {@link #allow()} it (with attributes for its
 * {@link io.stratus.sdk.client.ClientIdentity}), {@link #deny(DenyReason, String) deny} it, or pass with
 * {@link #next()} so that the tenant's next authentication method decides. If no method decides the
 * client is denied with {@link DenyReason#NOT_AUTHORIZED}.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 1.0
 */
public final class AuthResult {

    private static final AuthResult ALLOW = new AuthResult(Decision.ALLOW, Map.of(), null, null);
    private static final AuthResult NEXT = new AuthResult(Decision.NEXT, Map.of(), null, null);

    private final Decision decision;
    private final Map<String, String> attributes;
    private final DenyReason denyReason;
    private final String message;

    private AuthResult(Decision decision, Map<String, String> attributes, DenyReason denyReason, String message) {
        this.decision = decision;
        this.attributes = attributes;
        this.denyReason = denyReason;
        this.message = message;
    }

    /**
     * Allows the client without attributes of the plugin's own.
     *
     * @return the result
     * @since 1.0
     */
    public static AuthResult allow() {
        return ALLOW;
    }

    /**
     * Starts an allowing result that carries attributes, for example a role or a site that the
     * tenant's ACL policies can use as variables.
     *
     * @return a new builder
     * @since 1.0
     */
    public static Builder allowBuilder() {
        return new Builder();
    }

    /**
     * Refuses the client. The message goes to the tenant's audit log, not to the client, so it may say
     * precisely what was wrong; it must not contain the credential itself.
     *
     * @param reason  why, which sets the code the client is refused with
     * @param message what went wrong, for the audit log
     * @return the result
     * @throws IllegalArgumentException naming the field if either is null
     * @since 1.0
     */
    public static AuthResult deny(DenyReason reason, String message) {
        return new AuthResult(Decision.DENY, Map.of(), Checks.notNull("reason", reason), Checks.notNull("message", message));
    }

    /**
     * Refuses the client without a message.
     *
     * @param reason why, which sets the code the client is refused with
     * @return the result
     * @throws IllegalArgumentException naming {@code reason} if it is null
     * @since 1.0
     */
    public static AuthResult deny(DenyReason reason) {
        return deny(reason, reason.name());
    }

    /**
     * Passes: this method does not know the client (for example it holds no password for that user
     * name), so the tenant's next authentication method decides.
     *
     * @return the result
     * @since 1.0
     */
    public static AuthResult next() {
        return NEXT;
    }

    /**
     * @return allow, deny or next
     * @since 1.0
     */
    public Decision decision() {
        return decision;
    }

    /**
     * @return the attributes an allowing result adds to the client's identity; empty otherwise
     * @since 1.0
     */
    public Map<String, String> attributes() {
        return attributes;
    }

    /**
     * @return why a denying result denies; empty otherwise
     * @since 1.0
     */
    public Optional<DenyReason> denyReason() {
        return Optional.ofNullable(denyReason);
    }

    /**
     * @return a denying result's message for the audit log; empty otherwise
     * @since 1.0
     */
    public Optional<String> message() {
        return Optional.ofNullable(message);
    }

    /**
     * @param o another object
     * @return whether it is a result with the same decision, attributes, reason and message
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AuthResult)) {
            return false;
        }
        AuthResult r = (AuthResult) o;
        return decision == r.decision && attributes.equals(r.attributes) && denyReason == r.denyReason
            && Objects.equals(message, r.message);
    }

    /**
     * @return a hash consistent with {@link #equals(Object)}
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(decision, attributes, denyReason, message);
    }

    /**
     * @return the decision, and the reason and message of a deny, or the attribute names of an allow
     * @since 1.0
     */
    @Override
    public String toString() {
        return decision == Decision.DENY ? "AuthResult[DENY " + denyReason + ": " + message + "]"
            : "AuthResult[" + decision + (attributes.isEmpty() ? "" : " attributes=" + attributes.keySet()) + "]";
    }

    /**
     * Collects the attributes of an allowing {@link AuthResult}.
     *
     * <p>Not thread-safe: use a builder from one thread at a time.
     *
     * @since 1.0
     */
    public static final class Builder {

        private final Map<String, String> attributes = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds or replaces an attribute of the client's identity.
         *
         * @param name  its name, for example {@code role}; names the broker sets itself ({@code cert.*},
         *     {@code jwt.*}) cannot be overridden and are ignored
         * @param value its value
         * @return this builder
         * @throws IllegalArgumentException naming the field if either is null
         * @since 1.0
         */
        public Builder attribute(String name, String value) {
            attributes.put(Checks.notNull("attribute name", name), Checks.notNull("attribute value", value));
            return this;
        }

        /**
         * @return an allowing result with the attributes collected
         * @since 1.0
         */
        public AuthResult build() {
            return new AuthResult(Decision.ALLOW, Map.copyOf(attributes), null, null);
        }
    }
}
