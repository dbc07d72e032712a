package io.stratus.broker.session;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/** Sessions in memory: lost when the broker stops. */
public final class InMemorySessionStore implements SessionStore {

    private final ConcurrentMap<String, Session> sessions = new ConcurrentHashMap<>();

    @Override
    public Claim claim(String clientId, boolean cleanStart, Supplier<Session> factory) {
        Session[] result = new Session[2];
        boolean[] resumed = new boolean[1];
        sessions.compute(clientId, (id, existing) -> {
            if (existing != null && !cleanStart && !existing.isEnded()) {
                resumed[0] = true;
                result[0] = existing;
                return existing;
            }
            result[0] = factory.get();
            result[1] = existing;
            return result[0];
        });
        return new Claim(result[0], resumed[0], result[1]);
    }

    @Override
    public void remove(Session session) {
        sessions.remove(session.clientId(), session);
    }

    @Override
    public Session get(String clientId) {
        return sessions.get(clientId);
    }

    @Override
    public Collection<Session> all() {
        return sessions.values();
    }

    @Override
    public int size() {
        return sessions.size();
    }
}
