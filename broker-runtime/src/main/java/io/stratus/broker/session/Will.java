package io.stratus.broker.session;

import io.stratus.broker.message.Message;

/**
 * The Will Message of a network connection. [MQTT-3.1.2-8]
 *
 * @param message      the message to publish
 * @param delaySeconds the 5.0 Will Delay Interval (0 on 3.1.1)
 */
public record Will(Message message, long delaySeconds) {
}
