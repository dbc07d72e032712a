package io.stratus.broker.plugin;

import io.stratus.broker.auth.AuthMethod;
import io.stratus.broker.auth.ConnectCredentials;
import io.stratus.broker.auth.acl.AclVariables;
import io.stratus.broker.message.Message;
import io.stratus.broker.message.PublishProperties;
import io.stratus.broker.tenant.TenantId;
import io.stratus.sdk.auth.ConnectRequest;
import io.stratus.sdk.client.ClientIdentity;
import io.stratus.sdk.client.MqttVersion;
import io.stratus.sdk.message.PayloadFormat;
import io.stratus.sdk.message.PublishPacket;
import io.stratus.sdk.message.UserProperty;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Translates between the broker's own values and the SDK's, which plugins see: plugins never get a
 * broker or Netty type, and what they hand back is checked and copied before the broker uses it.
 */
public final class SdkValues {

    /**
     * The variable that records which plugin authenticated a client. Attributes a plugin gives its
     * clients cannot set it, nor any other name the broker fills itself.
     */
    public static final String AUTHENTICATING_PLUGIN = "auth.plugin";

    private static final Set<String> RESERVED_NAMES = Set.of("tenant", "client.id", "username", AUTHENTICATING_PLUGIN);
    private static final InetSocketAddress UNKNOWN_ADDRESS = InetSocketAddress.createUnresolved("unknown", 0);

    private SdkValues() {
    }

    /** @return whether a plugin's attribute may become an ACL variable under its name */
    public static boolean isPluginAttribute(String name) {
        return !RESERVED_NAMES.contains(name) && !name.startsWith("cert.") && !name.startsWith("jwt.")
            && !name.startsWith("auth.");
    }

    /** @return what a plugin authenticator sees of a CONNECT */
    public static ConnectRequest connectRequest(ConnectCredentials c, String username) {
        ConnectRequest.Builder b = ConnectRequest.builder()
            .clientId(c.clientId())
            .username(username)
            .password(c.password())
            .mqttVersion(c.version())
            .remoteAddress(address(c.remote()))
            .sniHost(c.sniHost())
            .clientCertificateChain(c.chain());
        if (c.listener() != null) {
            b.listenerName(c.listener());
        }
        return b.build();
    }

    /**
     * @param remote      where the client connects from, or null if unknown
     * @param certificate the client's own certificate, or null
     * @return the identity plugins see of an authenticated client
     */
    public static ClientIdentity identity(io.stratus.broker.auth.ClientIdentity id, SocketAddress remote,
                                          MqttVersion version, X509Certificate certificate) {
        ClientIdentity.Builder b = ClientIdentity.builder()
            .tenantId(id.tenant().value())
            .clientId(id.clientId())
            .username(id.username())
            .remoteAddress(address(remote))
            .mqttVersion(version)
            .authenticationMethod(method(id));
        attributes(id.variables()).forEach(b::attribute);
        if (certificate != null) {
            b.certificateSubject(certificate.getSubjectX500Principal().getName());
        }
        return b.build();
    }

    private static String method(io.stratus.broker.auth.ClientIdentity id) {
        if (id.method() == AuthMethod.PLUGIN) {
            List<String> plugin = id.variables().values(AUTHENTICATING_PLUGIN);
            return plugin.isEmpty() ? "plugin" : "plugin:" + plugin.get(0);
        }
        return id.method().name().toLowerCase(Locale.ROOT);
    }

    /** The client's ACL variables as attributes; one with several values gives them comma-separated. */
    private static Map<String, String> attributes(AclVariables variables) {
        Map<String, String> out = new LinkedHashMap<>();
        variables.asMap().forEach((name, values) -> {
            if (!RESERVED_NAMES.contains(name) && !values.isEmpty()) {
                out.put(name, String.join(",", values));
            }
        });
        return out;
    }

    private static InetSocketAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet : UNKNOWN_ADDRESS;
    }

    /**
     * @param qos       the QoS the packet says it has: as published, or as delivered
     * @param retain    the RETAIN flag likewise
     * @param nowMillis now, for the remaining Message Expiry Interval
     * @return the message as a plugin sees it
     */
    public static PublishPacket packet(Message m, int qos, boolean retain, long nowMillis) {
        PublishProperties p = m.properties();
        PublishPacket.Builder b = PublishPacket.builder()
            .topic(m.topic())
            .payload(m.payload())
            .qos(qos)
            .retain(retain)
            .contentType(p.contentType())
            .responseTopic(p.responseTopic())
            .correlationData(p.correlationData());
        if (p.payloadFormatIndicator() != null && p.payloadFormatIndicator() == 1) {
            b.payloadFormat(PayloadFormat.UTF_8);
        }
        for (PublishProperties.UserProperty u : p.userProperties()) {
            b.addUserProperty(u.key(), u.value());
        }
        long remaining = m.remainingExpirySeconds(nowMillis);
        if (remaining >= 0) {
            b.messageExpiryInterval(remaining);
        }
        return b.build();
    }

    /**
     * @param publisherClientId the publishing client, or null for a message of a plugin
     * @return the broker's message for a packet a plugin made; its topic must have been checked
     */
    public static Message message(TenantId tenant, PublishPacket p, String publisherClientId, long nowMillis) {
        List<PublishProperties.UserProperty> users = new ArrayList<>(p.userProperties().size());
        for (UserProperty u : p.userProperties()) {
            users.add(new PublishProperties.UserProperty(u.name(), u.value()));
        }
        byte[] correlation = p.correlationData().map(buffer -> {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }).orElse(null);
        PublishProperties properties = p.payloadFormat() == PayloadFormat.UNSPECIFIED && p.contentType().isEmpty()
            && p.responseTopic().isEmpty() && correlation == null && users.isEmpty()
            ? PublishProperties.NONE
            : new PublishProperties(p.payloadFormat() == PayloadFormat.UTF_8 ? 1 : null, p.contentType().orElse(null),
                p.responseTopic().orElse(null), correlation, users);
        long expiry = p.messageExpiryInterval().isPresent() ? nowMillis + p.messageExpiryInterval().getAsLong() * 1000 : 0;
        return new Message(tenant, p.topic(), p.payloadBytes(), p.qos(), p.retain(), properties, publisherClientId,
            expiry);
    }
}
