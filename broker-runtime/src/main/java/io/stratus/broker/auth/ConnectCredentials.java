package io.stratus.broker.auth;

import io.stratus.sdk.client.MqttVersion;

import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a client presented to prove who it is: the CONNECT's fields and what the transport saw.
 *
 * @param clientId the CONNECT's client id (possibly assigned by the broker)
 * @param username the user name, or {@code null}
 * @param password the password, or {@code null}; never logged
 * @param sniHost  the TLS server name the client asked for, or {@code null}
 * @param chain    the client's certificate chain, leaf first; empty without mutual TLS
 * @param remote   the client's address (after PROXY protocol), or {@code null}
 * @param version  the protocol version of the CONNECT, for plugin authenticators
 * @param listener the name of the listener the client connected to, or {@code null} if unknown
 */
public record ConnectCredentials(String clientId, String username, byte[] password, String sniHost,
                                 List<X509Certificate> chain, SocketAddress remote, MqttVersion version,
                                 String listener) {

    public ConnectCredentials {
        chain = List.copyOf(chain);
        version = version == null ? MqttVersion.V5 : version;
    }

    /** Credentials of a CONNECT whose version and listener do not matter (the built-in methods ignore them). */
    public ConnectCredentials(String clientId, String username, byte[] password, String sniHost,
                              List<X509Certificate> chain, SocketAddress remote) {
        this(clientId, username, password, sniHost, chain, remote, MqttVersion.V5, null);
    }

    @Override
    public String toString() {
        return "ConnectCredentials[clientId=" + clientId + ", username=" + username + ", password="
            + (password == null ? "none" : "present") + ", sniHost=" + sniHost + ", certificates=" + chain.size() + "]";
    }
}
