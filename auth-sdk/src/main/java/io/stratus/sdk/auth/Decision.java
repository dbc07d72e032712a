package io.stratus.sdk.auth;

/**
 * What an authenticator or authorizer decided.
 *
 * <p>Thread-safe (an enum).
 *
 * @since 1.0
 */
public enum Decision {

    /** Let the client connect, publish or subscribe (subject to everyone else's decisions). */
    ALLOW,

    /** Refuse; a deny is final whatever other methods or policies say. */
    DENY,

    /** No opinion: leave the decision to the tenant's next method or policy. */
    NEXT
}
