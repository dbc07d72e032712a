package io.stratus.broker.message;

import io.stratus.broker.tenant.TenantId;

/**
 * An application message as the broker routes it: immutable, shared by every subscriber it is
 * delivered to (the payload is never copied per subscriber).
 *
 * @param tenant            the tenant whose namespace the topic is in
 * @param topic             the topic name, without any tenant prefix
 * @param payload           the payload; never mutated after construction
 * @param qos               the QoS it was published with (0, 1, 2)
 * @param retain            the RETAIN flag it was published with
 * @param properties        MQTT 5 properties passed through unchanged
 * @param publisherClientId the client id of the publisher, or null for messages the broker makes
 * @param expiryAtMillis    when it expires (epoch millis), or 0 if it never does
 */
public record Message(TenantId tenant, String topic, byte[] payload, int qos, boolean retain,
                      PublishProperties properties, String publisherClientId, long expiryAtMillis) {

    /** @return true if the message has a Message Expiry Interval that has passed at {@code nowMillis} */
    public boolean isExpired(long nowMillis) {
        return expiryAtMillis != 0 && nowMillis >= expiryAtMillis;
    }

    /**
     * @return the remaining Message Expiry Interval in seconds at {@code nowMillis} (at least 0),
     *     or -1 if the message does not expire. [MQTT-3.3.2-6]
     */
    public long remainingExpirySeconds(long nowMillis) {
        if (expiryAtMillis == 0) {
            return -1;
        }
        return Math.max(0, (expiryAtMillis - nowMillis + 999) / 1000);
    }

    /** @return a copy with another retain flag */
    public Message withRetain(boolean newRetain) {
        return newRetain == retain ? this
            : new Message(tenant, topic, payload, qos, newRetain, properties, publisherClientId, expiryAtMillis);
    }
}
