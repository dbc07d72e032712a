package io.stratus.broker.session;

import java.util.Collection;
import java.util.function.Supplier;

/**
 * Where a tenant's sessions live. Sessions keep subscriptions and queued and in-flight messages
 * across connections; this interface is the seam for durable and shared implementations.
 */
public interface SessionStore {

    /** What {@link #claim} did. */
    record Claim(Session session, boolean resumed, Session replaced) {
    }

    /**
     * Atomically decides which session a new connection with this client id gets: the existing one
     * when {@code cleanStart} is false and one exists, else a new one from {@code factory}, which
     * replaces (and ends) any existing one. [MQTT-3.1.2-4], [MQTT-3.1.2-5]
     */
    Claim claim(String clientId, boolean cleanStart, Supplier<Session> factory);

    /** Removes the session if it is still the one stored under its client id. */
    void remove(Session session);

    Session get(String clientId);

    Collection<Session> all();

    int size();
}
