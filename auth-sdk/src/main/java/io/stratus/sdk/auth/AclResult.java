package io.stratus.sdk.auth;

import io.stratus.sdk.internal.Checks;

import java.util.Objects;
import java.util.Optional;

/**
 * An {@link Authorizer}'s answer: {@link #allow()}, {@link #deny(String) deny} or {@link #next()}.
 *
 * <p>Decisions combine with the tenant's own policies and other plugins' authorizers so that a deny
 * from any of them wins; a publish or subscribe goes ahead if at least one allows and none denies.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 1.0
 */
public final class AclResult {

    private static final AclResult ALLOW = new AclResult(Decision.ALLOW, null);
    private static final AclResult DENY = new AclResult(Decision.DENY, null);
    private static final AclResult NEXT = new AclResult(Decision.NEXT, null);

    private final Decision decision;
    private final String reason;

    private AclResult(Decision decision, String reason) {
        this.decision = decision;
        this.reason = reason;
    }

    /**
     * @return a result that allows, unless anyone else denies
     * @since 1.0
     */
    public static AclResult allow() {
        return ALLOW;
    }

    /**
     * @return a result that denies, whatever anyone else says
     * @since 1.0
     */
    public static AclResult deny() {
        return DENY;
    }

    /**
     * Denies with a reason for the tenant's audit log (not sent to the client).
     *
     * @param reason why
     * @return a result that denies, whatever anyone else says
     * @throws IllegalArgumentException naming {@code reason} if it is null
     * @since 1.0
     */
    public static AclResult deny(String reason) {
        return new AclResult(Decision.DENY, Checks.notNull("reason", reason));
    }

    /**
     * @return a result without an opinion, leaving the decision to the others
     * @since 1.0
     */
    public static AclResult next() {
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
     * @return a deny's reason, if it gave one
     * @since 1.0
     */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /**
     * @param o another object
     * @return whether it is a result with the same decision and reason
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof AclResult && ((AclResult) o).decision == decision && Objects.equals(((AclResult) o).reason, reason);
    }

    /**
     * @return a hash consistent with {@link #equals(Object)}
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(decision, reason);
    }

    /**
     * @return the decision and any reason
     * @since 1.0
     */
    @Override
    public String toString() {
        return "AclResult[" + decision + (reason == null ? "" : ": " + reason) + "]";
    }
}
