package io.stratus.broker.retain;

import io.stratus.broker.message.Message;
import io.stratus.broker.routing.TopicFilter;

import java.util.List;

/**
 * The retained messages of one tenant: at most one per topic name. Spec references use the
 * MQTT 5.0 numbering.
 */
public interface RetainedStore {

    /**
     * Stores a message published with RETAIN=1, replacing the one retained for its topic
     * [MQTT-3.3.1-5]. A message with an empty payload instead deletes the retained message for the
     * topic and is not stored itself [MQTT-3.3.1-6] [MQTT-3.3.1-7]. The caller must not pass
     * messages published with RETAIN=0, which neither store nor delete anything. [MQTT-3.3.1-8]
     *
     * @param message the message; its topic is a valid topic name
     * @return false if the store is full and the topic has no retained message yet, so the message
     *     was refused; true otherwise (stored, replaced or deleted)
     */
    boolean put(Message message);

    /**
     * Finds the retained messages for a new subscription. [MQTT-3.3.1-9] [MQTT-3.3.1-10]
     * Expired messages are not returned, and are deleted.
     *
     * <p>Only {@link TopicFilter#filter()} is used: for a shared subscription, the caller decides
     * whether to send retained messages at all (MQTT 5.0 §4.8.2 says they are not sent).
     *
     * @param filter    the subscription's filter; a leading wildcard does not match {@code $} topics
     * @param nowMillis the current time, for expiry
     * @return the matching messages, in no particular order; a new list the caller may keep
     */
    List<Message> match(TopicFilter filter, long nowMillis);

    /**
     * Deletes every expired message, for periodic housekeeping: otherwise a message nobody
     * subscribes to would occupy its place until its topic is published to again.
     *
     * @return the number deleted
     */
    int removeExpired(long nowMillis);

    /** @return the number of retained messages */
    int size();

    /** @return the sum of the payload sizes of the retained messages, in bytes */
    long payloadBytes();

    /** @return how many puts were refused because the store was full */
    long refusedCount();
}
