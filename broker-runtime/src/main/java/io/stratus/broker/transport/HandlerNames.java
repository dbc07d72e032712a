package io.stratus.broker.transport;

/** Names of the handlers in a connection's pipeline; every listener's pipeline is built from these. */
public final class HandlerNames {

    /** Removes itself once it has seen the CONNECT. */
    public static final String CONNECT_CHECK = "connectPropertyCheck";
    public static final String SUBSCRIBE_CHECK = "subscribeCheck";
    public static final String DECODER = "mqttDecoder";
    public static final String ENCODER = "mqttEncoder";
    public static final String CONNECTION = "mqttConnection";

    private HandlerNames() {
    }
}
