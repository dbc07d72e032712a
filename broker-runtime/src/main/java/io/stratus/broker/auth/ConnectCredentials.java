package io.stratus.broker.auth;

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
 */
public record ConnectCredentials(String clientId, String username, byte[] password, String sniHost,
                                 List<X509Certificate> chain, SocketAddress remote) {

    public ConnectCredentials {
        chain = List.copyOf(chain);
    }

    @Override
    public String toString() {
        return "ConnectCredentials[clientId=" + clientId + ", username=" + username + ", password="
            + (password == null ? "none" : "present") + ", sniHost=" + sniHost + ", certificates=" + chain.size() + "]";
    }
}
