package io.stratus.broker.protocol;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.stratus.broker.config.LimitsConfig;
import io.stratus.broker.message.Message;
import io.stratus.broker.message.PublishProperties;
import io.stratus.broker.routing.InvalidTopicException;
import io.stratus.broker.routing.Subscription;
import io.stratus.broker.routing.SubscriptionOptions;
import io.stratus.broker.routing.TopicFilter;
import io.stratus.broker.routing.Topics;
import io.stratus.broker.session.Delivery;
import io.stratus.broker.session.Session;
import io.stratus.broker.tenant.TenantSpace;
import io.stratus.sdk.hook.SubscriptionInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Handles the packets of one connected client: PUBLISH and its acknowledgements, SUBSCRIBE and
 * UNSUBSCRIBE. {@link #onPublish} runs on the channel's event loop (topic aliases are per connection
 * and in packet order); everything else runs on the session's lane.
 */
final class PacketProcessor {

    private final BrokerServices services;
    private final LimitsConfig limits;
    private final TenantSpace tenant;
    private final Session session;
    private final Connection connection;
    private final MqttConnectionHandler handler;
    /** QoS 1 PUBLISHes read but not yet acknowledged: read on the lane, written on both threads. */
    private final AtomicInteger unackedQos1 = new AtomicInteger();
    /** The tenant's plugins' side of this connection; null when the broker runs no plugins. */
    private final ConnectionPlugins plugins;

    PacketProcessor(BrokerServices services, TenantSpace tenant, Session session, Connection connection,
                    MqttConnectionHandler handler) {
        this.handler = handler;
        this.services = services;
        this.limits = connection.quota().limits(); // the broker's, with its tenant's lower ones
        this.tenant = tenant;
        this.session = session;
        this.connection = connection;
        this.plugins = services.plugins().enabled()
            ? new ConnectionPlugins(services.plugins(), tenant, session, connection, this, services.clock()) : null;
        if (plugins != null) {
            connection.deliveryHooks(plugins.deliveries());
        }
    }

    /** @return the plugins' side of this connection, or null when the broker runs no plugins */
    ConnectionPlugins plugins() {
        return plugins;
    }

    // ---- PUBLISH from the client --------------------------------------------------------------

    void onPublish(MqttPublishMessage p) {
        MqttFixedHeader fixed = p.fixedHeader();
        int qos = fixed.qosLevel().value();
        int packetId = p.variableHeader().packetId();
        MqttProperties props = p.variableHeader().properties();
        String topic = p.variableHeader().topicName();

        if (connection.isMqtt5()) {
            MqttProperties.MqttProperty<?> aliasProperty = props.getProperty(MqttProperties.TOPIC_ALIAS);
            if (aliasProperty != null) {
                int alias = (Integer) aliasProperty.value();
                String[] aliases = connection.inboundAliases();
                if (alias == 0 || alias >= aliases.length) {
                    handler.disconnectWith(ReasonCodes.TOPIC_ALIAS_INVALID, "topic alias " + alias); // [MQTT-3.3.2-9]
                    return;
                }
                if (topic.isEmpty()) {
                    topic = aliases[alias];
                    if (topic == null) {
                        handler.protocolError("unknown topic alias " + alias);
                        return;
                    }
                } else {
                    aliases[alias] = topic;
                }
            }
            if (!props.getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER).isEmpty()) {
                handler.protocolError("PUBLISH from a client with a Subscription Identifier"); // [MQTT-3.3.4-6]
                return;
            }
        }
        try {
            Topics.validateTopicName(topic, limits.maxTopicLength(), limits.maxTopicLevels());
        } catch (InvalidTopicException e) {
            handler.disconnectWith(ReasonCodes.TOPIC_NAME_INVALID, e.getMessage());
            return;
        }
        PublishProperties properties = PropertyMapper.publishProperties(props);
        if (properties.responseTopic() != null && !validTopicName(properties.responseTopic())) {
            handler.protocolError("Response Topic is not a valid topic name"); // [MQTT-3.3.2-14]
            return;
        }
        byte[] payload = ByteBufUtil.getBytes(p.payload());
        long now = services.clock().millis();
        long expiry = ConnectProcessor.unsignedProperty(props, MqttProperties.PUBLICATION_EXPIRY_INTERVAL, -1);
        Message message = new Message(tenant.id(), topic, payload, qos, fixed.isRetain(), properties,
            connection.clientId(), PropertyMapper.expiryAt(now, expiry));
        tenant.metrics().messagesReceived.increment();
        tenant.metrics().bytesReceived.add(fixed.remainingLength() + 2L);

        boolean badFormat = properties.payloadFormatIndicator() != null && properties.payloadFormatIndicator() == 1
            && !PropertyMapper.isValidUtf8(payload);
        if (badFormat && qos == 0) {
            handler.disconnectWith(ReasonCodes.PAYLOAD_FORMAT_INVALID, "payload is not UTF-8"); // §3.3.2.3.2
            return;
        }
        boolean allowed = connection.acl().mayPublish(topic);
        if (qos == 1) {
            unackedQos1.incrementAndGet();
        }
        if (plugins != null && plugins.interceptsPublish()) {
            plugins.publish(message, packetId, badFormat, allowed); // routed once the plugins decided, in order
            return;
        }
        handler.onLane(() -> routePublish(message, packetId, badFormat, allowed, false));
    }

    private boolean validTopicName(String topic) {
        try {
            Topics.validateTopicName(topic, limits.maxTopicLength(), limits.maxTopicLevels());
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    /**
     * @param allowed whether the tenant's policy and plugins allow the publish
     * @param dropped whether a plugin's inbound hook dropped the message
     */
    void routePublish(Message message, int packetId, boolean badFormat, boolean allowed, boolean dropped) {
        int qos = message.qos();
        if (qos == 2 && session.isInboundQos2Pending(packetId)) {
            // a resent QoS 2 PUBLISH before PUBREL: acknowledge, never route twice [MQTT-4.3.3-10]
            connection.write(pubReply(MqttMessageType.PUBREC, packetId, ReasonCodes.SUCCESS));
            return;
        }
        int pending = unackedQos1.get() + session.inboundQos2Count() + (qos == 2 ? 1 : 0);
        if (qos > 0 && pending > limits.receiveMaximum()) {
            handler.disconnectWith(ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED, "more than Receive Maximum unacknowledged");
            return;
        }
        byte code;
        if (badFormat) {
            code = ReasonCodes.PAYLOAD_FORMAT_INVALID;
        } else if (message.topic().startsWith("$") || !allowed) {
            // $SYS and other $-topics belong to the broker; clients may read but not write them.
            // Otherwise the tenant's policy decides.
            tenant.metrics().publishDenied.increment();
            code = ReasonCodes.NOT_AUTHORIZED;
        } else if (dropped) {
            // [MQTT-3.4.2.1] 0x83: the PUBLISH is valid but the server is not willing to accept it
            tenant.metrics().droppedByPlugin.increment();
            code = ReasonCodes.IMPLEMENTATION_SPECIFIC_ERROR;
        } else {
            int receivers = services.router().publish(tenant, message, session);
            code = receivers == 0 ? ReasonCodes.NO_MATCHING_SUBSCRIBERS : ReasonCodes.SUCCESS;
        }
        if (!connection.isMqtt5() && (code & 0x80) != 0) {
            code = ReasonCodes.SUCCESS; // 3.1.1 has no way to say no: acknowledge and drop (documented)
        }
        if (qos == 1) {
            unackedQos1.decrementAndGet();
            connection.write(pubReply(MqttMessageType.PUBACK, packetId, code));
        } else if (qos == 2) {
            if ((code & 0x80) == 0) {
                session.markInboundQos2(packetId);
            }
            connection.write(pubReply(MqttMessageType.PUBREC, packetId, code));
        }
    }

    private MqttMessage pubReply(MqttMessageType type, int packetId, byte code) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return Connection.pubReply(type, qos, packetId, connection.isMqtt5() ? code : ReasonCodes.SUCCESS);
    }

    void onPubRel(int packetId) {
        boolean known = session.releaseInboundQos2(packetId);
        // [MQTT-4.3.3-11] PUBCOMP even for an unknown id; 5.0 says which
        connection.write(pubReply(MqttMessageType.PUBCOMP, packetId,
            known ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND));
    }

    void onPubRec(int packetId, byte reasonCode) {
        boolean failed = (reasonCode & 0x80) != 0;
        if (session.onPubRec(packetId, failed)) {
            connection.sendPubRel(packetId);
        } else if (!failed) {
            connection.write(pubReply(MqttMessageType.PUBREL, packetId, ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND));
        }
    }

    // ---- SUBSCRIBE / UNSUBSCRIBE --------------------------------------------------------------

    void onSubscribe(MqttSubscribeMessage s) {
        if (plugins != null && plugins.authorizesSubscribe()) {
            plugins.subscribe(s, denied -> subscribe(s, denied)); // in order with the SUBSCRIBEs before it
            return;
        }
        subscribe(s, null);
    }

    /** @param deniedByPlugin for each filter whether a plugin's authorizer denied it; null if none was asked */
    private void subscribe(MqttSubscribeMessage s, boolean[] deniedByPlugin) {
        int packetId = s.idAndPropertiesVariableHeader().messageId();
        MqttProperties props = s.idAndPropertiesVariableHeader().properties();
        int subscriptionId = ConnectProcessor.intProperty(props, MqttProperties.SUBSCRIPTION_IDENTIFIER, 0);
        if (props.getProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER) != null && subscriptionId == 0) {
            handler.protocolError("Subscription Identifier 0"); // [MQTT-3.8.2-? §3.8.2.1.2]
            return;
        }
        List<MqttTopicSubscription> requested = s.payload().topicSubscriptions();
        if (requested.isEmpty()) {
            handler.protocolError("SUBSCRIBE without topic filters"); // [MQTT-3.8.3-2]
            return;
        }
        int[] codes = new int[requested.size()];
        List<Subscription> retainedFor = new ArrayList<>();
        List<SubscriptionInfo> granted = plugins != null && plugins.listens() ? new ArrayList<>() : null;
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription t = requested.get(i);
            MqttSubscriptionOption o = t.option();
            if (!connection.isMqtt5() && (o.isNoLocal() || o.isRetainAsPublished()
                || o.retainHandling() != MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE)) {
                connection.channel().close(); // [MQTT-3.8.3-4] 3.1.1 reserved bits must be zero
                return;
            }
            TopicFilter filter;
            try {
                filter = TopicFilter.parse(t.topicFilter(), limits.maxTopicLength(), limits.maxTopicLevels());
            } catch (InvalidTopicException e) {
                codes[i] = failure(ReasonCodes.TOPIC_FILTER_INVALID);
                continue;
            }
            if (filter.isShared() && o.isNoLocal()) {
                handler.protocolError("No Local on a shared subscription"); // [MQTT-3.8.3-4]
                return;
            }
            if (!connection.acl().maySubscribe(filter.filter()) || deniedByPlugin != null && deniedByPlugin[i]) {
                tenant.metrics().subscribeDenied.increment();
                codes[i] = failure(ReasonCodes.NOT_AUTHORIZED);
                continue;
            }
            if (!session.subscriptions().containsKey(filter.raw())
                && session.subscriptions().size() >= limits.maxSubscriptionsPerClient()) {
                tenant.metrics().subscriptionsOverQuota.increment();
                codes[i] = failure(ReasonCodes.QUOTA_EXCEEDED);
                continue;
            }
            int qos = o.qos().value();
            SubscriptionOptions options = new SubscriptionOptions(qos, o.isNoLocal(), o.isRetainAsPublished(),
                o.retainHandling().value());
            Subscription sub = new Subscription(session, filter, options, subscriptionId);
            boolean existed = tenant.topics().subscribe(sub).existed();
            session.putSubscription(filter.raw(), sub);
            codes[i] = qos;
            if (granted != null) {
                granted.add(SubscriptionInfo.builder().topicFilter(filter.raw()).qos(qos).noLocal(options.noLocal())
                    .retainAsPublished(options.retainAsPublished()).retainHandling(options.retainHandling()).build());
            }
            // [MQTT-3.3.1-9..11] retained messages per Retain Handling; never for shared subscriptions
            if (!filter.isShared() && (options.retainHandling() == 0 || (options.retainHandling() == 1 && !existed))) {
                retainedFor.add(sub);
            }
        }
        connection.write(new MqttSubAckMessage(
            new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
            new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
            new MqttSubAckPayload(codes)));
        if (granted != null) {
            plugins.subscribed(granted);
        }
        long now = services.clock().millis();
        for (Subscription sub : retainedFor) {
            int[] ids = sub.subscriptionId() > 0 ? new int[] {sub.subscriptionId()} : new int[0];
            for (Message m : tenant.retained().match(sub.filter(), now)) {
                session.deliverNow(new Delivery(m, Math.min(m.qos(), sub.options().qos()), true, ids, null));
            }
        }
    }

    private int failure(byte v5Code) {
        return connection.isMqtt5() ? v5Code & 0xFF : ReasonCodes.V3_SUBACK_FAILURE;
    }

    void onUnsubscribe(MqttUnsubscribeMessage u) {
        if (plugins != null && plugins.subscribesPending()) {
            plugins.afterSubscribes(() -> unsubscribe(u)); // not before a SUBSCRIBE that came first
            return;
        }
        unsubscribe(u);
    }

    private void unsubscribe(MqttUnsubscribeMessage u) {
        int packetId = u.idAndPropertiesVariableHeader().messageId();
        List<String> filters = u.payload().topics();
        if (filters.isEmpty()) {
            handler.protocolError("UNSUBSCRIBE without topic filters"); // [MQTT-3.10.3-2]
            return;
        }
        MqttMessageBuilders.UnsubAckBuilder ack = MqttMessageBuilders.unsubAck().packetId(packetId);
        List<String> unsubscribed = plugins != null ? new ArrayList<>() : null;
        for (String raw : filters) {
            short code;
            try {
                TopicFilter.parse(raw, limits.maxTopicLength(), limits.maxTopicLevels());
                boolean removed = tenant.topics().unsubscribe(session, raw);
                session.removeSubscription(raw);
                code = removed ? ReasonCodes.SUCCESS : ReasonCodes.NO_SUBSCRIPTION_EXISTED;
                if (removed && unsubscribed != null) {
                    unsubscribed.add(raw);
                }
            } catch (InvalidTopicException e) {
                code = (short) (ReasonCodes.TOPIC_FILTER_INVALID & 0xFF);
            }
            ack.addReasonCode(code);
        }
        connection.write(ack.build());
        if (plugins != null) {
            plugins.unsubscribed(unsubscribed);
        }
    }
}
