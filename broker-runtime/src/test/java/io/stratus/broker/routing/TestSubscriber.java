package io.stratus.broker.routing;

/** A subscriber whose online state a test can flip. Identity is object identity, like a session's. */
final class TestSubscriber implements Subscriber {

    private final String clientId;
    private volatile boolean online = true;

    TestSubscriber(String clientId) {
        this.clientId = clientId;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public boolean isOnline() {
        return online;
    }

    void setOnline(boolean online) {
        this.online = online;
    }

    @Override
    public String toString() {
        return clientId;
    }
}
