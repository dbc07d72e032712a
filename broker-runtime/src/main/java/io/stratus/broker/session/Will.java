package io.stratus.broker.session;

import io.stratus.broker.message.Message;

/**
 * The Will Message of a network connection. [MQTT-3.1.2-8]
 *
 * @param message       the message to publish, without an expiry instant (see {@link #messageAt})
 * @param delaySeconds  the 5.0 Will Delay Interval (0 on 3.1.1)
 * @param expirySeconds the 5.0 Message Expiry Interval of the will, or -1 if it has none
 */
public record Will(Message message, long delaySeconds, long expirySeconds) {

    /**
     * @return the message to publish at {@code nowMillis}: a will's lifetime starts when it is
     *     published, not when it was sent in CONNECT (§3.1.3.2.4)
     */
    public Message messageAt(long nowMillis) {
        if (expirySeconds < 0) {
            return message;
        }
        return new Message(message.tenant(), message.topic(), message.payload(), message.qos(), message.retain(),
            message.properties(), message.publisherClientId(), nowMillis + expirySeconds * 1000);
    }
}
