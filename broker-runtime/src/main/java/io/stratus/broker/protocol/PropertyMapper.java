package io.stratus.broker.protocol;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.stratus.broker.message.PublishProperties;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Maps netty-codec-mqtt properties to the broker's immutable message properties. */
final class PropertyMapper {

    private PropertyMapper() {
    }

    static PublishProperties publishProperties(MqttProperties props) {
        if (props == null || props.isEmpty()) {
            return PublishProperties.NONE;
        }
        MqttProperties.MqttProperty<?> pfi = props.getProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR);
        MqttProperties.MqttProperty<?> contentType = props.getProperty(MqttProperties.CONTENT_TYPE);
        MqttProperties.MqttProperty<?> responseTopic = props.getProperty(MqttProperties.RESPONSE_TOPIC);
        MqttProperties.MqttProperty<?> correlation = props.getProperty(MqttProperties.CORRELATION_DATA);
        List<PublishProperties.UserProperty> users = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> p : props.getProperties(MqttProperties.USER_PROPERTY)) {
            if (p instanceof MqttProperties.UserProperties ups) {
                for (MqttProperties.StringPair pair : ups.value()) {
                    users.add(new PublishProperties.UserProperty(pair.key, pair.value));
                }
            } else if (p instanceof MqttProperties.UserProperty up) {
                users.add(new PublishProperties.UserProperty(up.value().key, up.value().value));
            }
        }
        if (pfi == null && contentType == null && responseTopic == null && correlation == null && users.isEmpty()) {
            return PublishProperties.NONE;
        }
        return new PublishProperties(
            pfi == null ? null : (Integer) pfi.value(),
            contentType == null ? null : (String) contentType.value(),
            responseTopic == null ? null : (String) responseTopic.value(),
            correlation == null ? null : ((byte[]) correlation.value()).clone(),
            users);
    }

    /** @return the expiry instant in epoch millis, or 0 for none */
    static long expiryAt(long nowMillis, long expirySeconds) {
        return expirySeconds < 0 ? 0 : nowMillis + expirySeconds * 1000;
    }

    static boolean isValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
