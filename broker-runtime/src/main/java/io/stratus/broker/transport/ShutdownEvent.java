package io.stratus.broker.transport;

/** Fired through every client pipeline when the broker shuts down gracefully. */
public final class ShutdownEvent {

    public static final ShutdownEvent INSTANCE = new ShutdownEvent();

    private ShutdownEvent() {
    }
}
