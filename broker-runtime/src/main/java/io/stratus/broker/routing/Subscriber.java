package io.stratus.broker.routing;

/**
 * Whoever a subscription delivers to: a session. The topic tree holds subscribers by reference so
 * that routing a message needs no look-up by client id.
 */
public interface Subscriber {

    /** @return the client identifier, unique within the tenant */
    String clientId();

    /** @return true while a network connection is attached (shared subscriptions prefer these) */
    boolean isOnline();
}
