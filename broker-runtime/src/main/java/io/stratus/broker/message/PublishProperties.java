package io.stratus.broker.message;

import java.util.List;

/**
 * The MQTT 5 properties of a PUBLISH that the broker passes through unchanged to subscribers.
 * Topic alias and subscription identifiers are per hop, so they are not part of it.
 *
 * @param payloadFormatIndicator 0 (bytes) or 1 (UTF-8); null when absent
 * @param contentType            content type, or null
 * @param responseTopic          response topic, or null
 * @param correlationData        correlation data, or null (never mutated)
 * @param userProperties         user properties in order, never null
 */
public record PublishProperties(Integer payloadFormatIndicator, String contentType, String responseTopic,
                                byte[] correlationData, List<UserProperty> userProperties) {

    public static final PublishProperties NONE = new PublishProperties(null, null, null, null, List.of());

    public PublishProperties {
        userProperties = List.copyOf(userProperties);
    }

    /** One MQTT 5 user property. */
    public record UserProperty(String key, String value) {
    }
}
