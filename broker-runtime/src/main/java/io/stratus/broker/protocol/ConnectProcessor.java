package io.stratus.broker.protocol;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.message.Message;
import io.stratus.broker.message.PublishProperties;
import io.stratus.broker.routing.InvalidTopicException;
import io.stratus.broker.routing.Topics;
import io.stratus.broker.session.Will;
import io.stratus.broker.tenant.TenantId;

import java.security.SecureRandom;

/**
 * Checks a CONNECT against every normative rule the decoder does not already enforce and works out
 * what is granted: client identifier, keep alive, session expiry, flow-control limits and will.
 */
final class ConnectProcessor {

    /** A CONNECT that is refused: the CONNACK code for its protocol version, or none to just close. */
    static final class Refusal extends Exception {
        final byte code;

        Refusal(byte code, String reason) {
            super(reason, null, false, false);
            this.code = code;
        }
    }

    /** What was granted to an accepted CONNECT. */
    record Accepted(MqttVersion version, String clientId, boolean assignedClientId, boolean cleanStart,
                    int keepAliveSeconds, boolean keepAliveChanged, long sessionExpirySeconds,
                    boolean sessionExpiryChanged, int clientReceiveMaximum, int clientMaxPacketSize,
                    int clientTopicAliasMaximum, Will will, String userName, String authenticationMethod,
                    byte[] authenticationData) {

        /** @return the same, with the will (if any) published in the tenant the client was found to belong to */
        Accepted inTenant(TenantId tenant) {
            if (will == null || will.message().tenant().equals(tenant)) {
                return this;
            }
            Message m = will.message();
            Will moved = new Will(new Message(tenant, m.topic(), m.payload(), m.qos(), m.retain(), m.properties(),
                m.publisherClientId(), m.expiryAtMillis()), will.delaySeconds(), will.expirySeconds());
            return new Accepted(version, clientId, assignedClientId, cleanStart, keepAliveSeconds, keepAliveChanged,
                sessionExpirySeconds, sessionExpiryChanged, clientReceiveMaximum, clientMaxPacketSize,
                clientTopicAliasMaximum, moved, userName, authenticationMethod, authenticationData);
        }
    }

    private static final String ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final LimitsConfig limits;

    ConnectProcessor(LimitsConfig limits) {
        this.limits = limits;
    }

    static MqttVersion versionOf(MqttConnectMessage connect) {
        MqttConnectVariableHeader h = connect.variableHeader();
        return MqttVersion.fromProtocolNameAndLevel(h.name(), (byte) h.version());
    }

    Accepted accept(MqttConnectMessage connect, TenantId tenant) throws Refusal {
        MqttConnectVariableHeader h = connect.variableHeader();
        MqttConnectPayload p = connect.payload();
        MqttVersion version = versionOf(connect);
        boolean v5 = version == MqttVersion.MQTT_5;

        // [MQTT-3.1.2-11], [MQTT-3.1.2-13], [MQTT-3.1.2-15]: no will, so no will QoS or retain
        if (!h.isWillFlag() && (h.willQos() != 0 || h.isWillRetain())) {
            throw new Refusal(v5 ? ReasonCodes.MALFORMED_PACKET : 0, "will QoS or retain set without a will");
        }
        if (h.willQos() > 2) {
            throw new Refusal(v5 ? ReasonCodes.MALFORMED_PACKET : 0, "will QoS 3"); // [MQTT-3.1.2-14]
        }
        // [MQTT-3.1.2-22]: 3.1.1 forbids a password without a user name; 5.0 allows it
        if (!v5 && h.hasPassword() && !h.hasUserName()) {
            throw new Refusal((byte) 0, "password flag without user name flag");
        }

        MqttProperties props = h.properties();
        int receiveMaximum = intProperty(props, MqttProperties.RECEIVE_MAXIMUM, 65535);
        if (receiveMaximum == 0) {
            throw new Refusal(ReasonCodes.PROTOCOL_ERROR, "Receive Maximum 0"); // §3.1.2.11.3
        }
        long maxPacketSize = unsignedProperty(props, MqttProperties.MAXIMUM_PACKET_SIZE, Integer.MAX_VALUE);
        if (maxPacketSize == 0) {
            throw new Refusal(ReasonCodes.PROTOCOL_ERROR, "Maximum Packet Size 0");
        }
        String authenticationMethod = null;
        byte[] authenticationData = null;
        MqttProperties.MqttProperty<?> method = props.getProperty(MqttProperties.AUTHENTICATION_METHOD);
        MqttProperties.MqttProperty<?> data = props.getProperty(MqttProperties.AUTHENTICATION_DATA);
        if (method != null) {
            authenticationMethod = (String) method.value();
            if (!JwtReauthentication.METHOD.equals(authenticationMethod)) {
                // [MQTT-4.12.0-1] a method the server does not support
                throw new Refusal(ReasonCodes.BAD_AUTHENTICATION_METHOD,
                    "authentication method " + authenticationMethod + " is not offered; " + JwtReauthentication.METHOD + " is");
            }
            if (data == null) {
                throw new Refusal(ReasonCodes.NOT_AUTHORIZED, "authentication method JWT without a token");
            }
            authenticationData = (byte[]) data.value();
        } else if (data != null) {
            throw new Refusal(ReasonCodes.PROTOCOL_ERROR, "Authentication Data without Authentication Method"); // §3.1.2.11.10
        }
        int topicAliasMaximum = intProperty(props, MqttProperties.TOPIC_ALIAS_MAXIMUM, 0);

        String clientId = p.clientIdentifier();
        boolean assigned = false;
        if (clientId == null || clientId.isEmpty()) {
            if (!v5 && !h.isCleanSession()) {
                // [MQTT-3.1.3-8]
                throw new Refusal(ReasonCodes.V3_IDENTIFIER_REJECTED, "empty client id needs a clean session");
            }
            clientId = assignClientId();
            assigned = true; // [MQTT-3.1.3-6], [MQTT-3.2.2-16]
        }
        if (!assigned && clientId.length() > limits.maxClientIdLength()) {
            throw new Refusal(v5 ? ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID : ReasonCodes.V3_IDENTIFIER_REJECTED,
                "client id longer than " + limits.maxClientIdLength());
        }

        int keepAlive = h.keepAliveTimeSeconds();
        boolean keepAliveChanged = false;
        int maxKeepAlive = limits.maxKeepAliveSeconds();
        if (maxKeepAlive > 0 && (keepAlive == 0 || keepAlive > maxKeepAlive)) {
            if (v5) {
                keepAlive = maxKeepAlive; // announced as Server Keep Alive [MQTT-3.2.2-21]
                keepAliveChanged = true;
            } else if (keepAlive > maxKeepAlive) {
                // 3.1.1 cannot tell the client another keep alive: refuse rather than cut it off later
                throw new Refusal(ReasonCodes.V3_IDENTIFIER_REJECTED, "keep alive above " + maxKeepAlive);
            }
        }

        long sessionExpiry;
        boolean sessionExpiryChanged = false;
        if (v5) {
            sessionExpiry = unsignedProperty(props, MqttProperties.SESSION_EXPIRY_INTERVAL, 0);
            if (sessionExpiry > limits.maxSessionExpirySeconds()) {
                sessionExpiry = limits.maxSessionExpirySeconds();
                sessionExpiryChanged = true;
            }
        } else {
            sessionExpiry = h.isCleanSession() ? 0 : limits.maxSessionExpirySeconds();
        }

        Will will = null;
        if (h.isWillFlag()) {
            will = will(p, h, tenant, clientId, v5);
        }
        return new Accepted(version, clientId, assigned, h.isCleanSession(), keepAlive, keepAliveChanged,
            sessionExpiry, sessionExpiryChanged, Math.min(receiveMaximum, 65535),
            (int) Math.min(maxPacketSize, Integer.MAX_VALUE), topicAliasMaximum, will, p.userName(), authenticationMethod,
            authenticationData);
    }

    private Will will(MqttConnectPayload p, MqttConnectVariableHeader h, TenantId tenant, String clientId,
                      boolean v5) throws Refusal {
        try {
            Topics.validateTopicName(p.willTopic(), limits.maxTopicLength(), limits.maxTopicLevels());
        } catch (InvalidTopicException e) {
            throw new Refusal(v5 ? ReasonCodes.TOPIC_NAME_INVALID : 0, "will topic: " + e.getMessage());
        }
        if (p.willTopic().startsWith("$")) {
            throw new Refusal(v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_NOT_AUTHORIZED,
                "will topic " + p.willTopic() + " is read-only");
        }
        byte[] payload = p.willMessageInBytes() == null ? new byte[0] : p.willMessageInBytes();
        MqttProperties wp = p.willProperties();
        PublishProperties properties = PropertyMapper.publishProperties(wp);
        if (properties.payloadFormatIndicator() != null && properties.payloadFormatIndicator() == 1
            && !PropertyMapper.isValidUtf8(payload)) {
            throw new Refusal(ReasonCodes.PAYLOAD_FORMAT_INVALID, "will payload is not UTF-8"); // [MQTT-3.1.3-11]
        }
        long expiry = unsignedProperty(wp, MqttProperties.PUBLICATION_EXPIRY_INTERVAL, -1);
        long delay = v5 ? unsignedProperty(wp, MqttProperties.WILL_DELAY_INTERVAL, 0) : 0;
        Message message = new Message(tenant, p.willTopic(), payload, h.willQos(), h.isWillRetain(), properties,
            clientId, 0);
        return new Will(message, delay, expiry); // its expiry runs from publication
    }

    /**
     * @return "auto-" and 18 random alphanumerics (about 107 bits): 23 characters from 0-9a-zA-Z, which
     *     every server must accept [MQTT-3.1.3-5], so the client can come back with it under any limit of
     *     at least that
     */
    private static String assignClientId() {
        StringBuilder id = new StringBuilder("auto-");
        for (int i = 0; i < 18; i++) {
            id.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    static MqttConnAckMessage connAck(MqttVersion version, byte code, boolean sessionPresent,
                                      MqttProperties properties) {
        return MqttMessageBuilders.connAck()
            .returnCode(MqttConnectReturnCode.valueOf(code))
            .sessionPresent(sessionPresent && version != MqttVersion.MQTT_3_1) // 3.1: a reserved byte
            .properties(version == MqttVersion.MQTT_5 ? properties : MqttProperties.NO_PROPERTIES)
            .build();
    }

    /**
     * The CONNACK properties that state what this server supports and its limits [MQTT-3.2.2.3].
     *
     * @param granted the limits of the client's tenant, which may be lower than the broker's: its
     *                Maximum Packet Size is the one announced
     */
    MqttProperties connAckProperties(Accepted a, LimitsConfig granted) {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, granted.receiveMaximum()));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, granted.maxPacketSize()));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, granted.topicAliasMaximum()));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 1));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 1));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 1));
        if (a.authenticationMethod() != null) {
            // §3.2.2.3.17: the method the client authenticated with, as its CONNECT named it
            props.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, a.authenticationMethod()));
        }
        if (a.assignedClientId()) {
            props.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, a.clientId()));
        }
        if (a.keepAliveChanged()) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, a.keepAliveSeconds()));
        }
        if (a.sessionExpiryChanged()) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL,
                (int) a.sessionExpirySeconds()));
        }
        return props;
    }

    static MqttProperties reasonString(String reason) {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, reason));
        return props;
    }

    static int intProperty(MqttProperties props, int id, int absent) {
        MqttProperties.MqttProperty<?> p = props.getProperty(id);
        return p == null ? absent : (Integer) p.value();
    }

    /** Four-byte integer properties are unsigned. */
    static long unsignedProperty(MqttProperties props, int id, long absent) {
        MqttProperties.MqttProperty<?> p = props.getProperty(id);
        return p == null ? absent : Integer.toUnsignedLong((Integer) p.value());
    }
}
