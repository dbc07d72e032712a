package io.stratus.broker.routing;

/**
 * A topic name or topic filter breaks the MQTT rules or a configured limit. The message says
 * which rule, so that it can go into a reason string for the client.
 */
public class InvalidTopicException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidTopicException(String message) {
        super(message);
    }
}
