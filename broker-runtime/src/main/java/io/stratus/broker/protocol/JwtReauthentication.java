package io.stratus.broker.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.stratus.broker.auth.AuthDecision;
import io.stratus.broker.auth.AuthMethod;
import io.stratus.broker.auth.ClientIdentity;
import io.stratus.broker.auth.ConnectCredentials;
import io.stratus.broker.tenant.TenantSpace;
import io.stratus.broker.transport.TransportInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * MQTT 5 enhanced authentication with the method {@value #METHOD}: a device that connected with
 * Authentication Method "JWT" and its token as Authentication Data may hand the broker a fresh token
 * before the first one expires, with AUTH 0x19 Re-authenticate [MQTT-4.12.1], and stay connected.
 *
 * <p>The fresh token is checked exactly as a CONNECT's: by the tenant's {@code jwt} method, for the
 * same client id; it must also belong to the same tenant and name the same subject. Accepted: AUTH
 * 0x00 Success with the method, and the connection now ends when the fresh token expires. Refused:
 * DISCONNECT 0x87 Not authorized; an AUTH naming another method: DISCONNECT 0x8C Bad authentication
 * method. The connection's policy stays the one computed at CONNECT. Other packets flow on while the
 * token is checked, as §4.12.1 allows.
 *
 * <p>One per connection; confined to the channel's event loop.
 */
final class JwtReauthentication {

    /** The enhanced authentication method the broker offers. */
    static final String METHOD = "JWT";
    /** AUTH reason code 0x19 Re-authenticate. */
    private static final byte RE_AUTHENTICATE = 0x19;

    private static final Logger AUDIT = LoggerFactory.getLogger("stratus.audit");

    private final BrokerServices services;
    private final MqttConnectionHandler handler;
    private final TenantSpace tenant;
    private final Connection connection;
    /** Whether a token is being checked: a second AUTH meanwhile is a protocol error. */
    private boolean checking;

    JwtReauthentication(BrokerServices services, MqttConnectionHandler handler, TenantSpace tenant,
                        Connection connection) {
        this.services = services;
        this.handler = handler;
        this.tenant = tenant;
        this.connection = connection;
    }

    /** Handles an AUTH from the client; runs on the channel's event loop. */
    void onAuth(ChannelHandlerContext ctx, MqttMessage m) {
        if (!(m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h)) {
            handler.protocolError("AUTH without a reason code"); // a client never ends an exchange it did not start
            return;
        }
        if (h.reasonCode() != RE_AUTHENTICATE || checking) {
            // the broker never asks to continue (0x18): it has one step; nor may two overlap
            handler.protocolError("unexpected AUTH reason code 0x" + Integer.toHexString(h.reasonCode() & 0xFF));
            return;
        }
        MqttProperties.MqttProperty<?> method = h.properties().getProperty(MqttProperties.AUTHENTICATION_METHOD);
        if (method == null || !METHOD.equals(method.value())) {
            // [MQTT-4.12.1-1] the method of the CONNECT, and no other
            handler.disconnectWith(ReasonCodes.BAD_AUTHENTICATION_METHOD, "re-authentication must use method " + METHOD);
            return;
        }
        MqttProperties.MqttProperty<?> data = h.properties().getProperty(MqttProperties.AUTHENTICATION_DATA);
        if (data == null) {
            refuse("AUTH without a token");
            return;
        }
        checking = true;
        TransportInfo transport = ctx.channel().attr(TransportInfo.KEY).get();
        ClientIdentity current = connection.identity();
        ConnectCredentials credentials = new ConnectCredentials(connection.clientId(), current.username(),
            (byte[]) data.value(), transport == null ? null : transport.sniHostName(),
            transport == null ? List.of() : transport.peerCertificates(),
            transport == null ? ctx.channel().remoteAddress() : transport.remoteAddress());
        services.authenticator().authenticate(credentials).whenComplete((decision, error) ->
            ctx.executor().execute(() -> {
                checking = false;
                decided(decision, current);
            }));
    }

    private void decided(AuthDecision decision, ClientIdentity current) {
        if (handler.isClosing() || !connection.channel().isActive()) {
            return;
        }
        if (!(decision instanceof AuthDecision.Accepted ok)) {
            String why = decision instanceof AuthDecision.Refused r ? r.detail() : "no decision";
            refuse(why);
            return;
        }
        ClientIdentity fresh = ok.identity();
        if (fresh.method() != AuthMethod.JWT || !fresh.tenant().equals(current.tenant())
            || !Objects.equals(fresh.variables().values("jwt.claims.sub"), current.variables().values("jwt.claims.sub"))) {
            refuse("the token is for another tenant or subject");
            return;
        }
        handler.scheduleCredentialExpiry(fresh.expiresAt());
        AUDIT.info("re-authenticated tenant={} client={} expires={}", tenant.id(), connection.clientId(),
            fresh.expiresAt());
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, METHOD));
        connection.write(new MqttMessage(new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0),
            new MqttReasonCodeAndPropertiesVariableHeader(ReasonCodes.SUCCESS, props)));
    }

    private void refuse(String why) {
        tenant.metrics().authFailures.increment();
        AUDIT.info("re-authentication failed tenant={} client={} reason={}", tenant.id(), connection.clientId(), why);
        handler.disconnectWith(ReasonCodes.NOT_AUTHORIZED, "re-authentication failed");
    }
}
