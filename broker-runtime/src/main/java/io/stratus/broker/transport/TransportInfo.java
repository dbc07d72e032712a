package io.stratus.broker.transport;

import io.netty.util.AttributeKey;
import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.config.Transport;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What the transport learned about a connection before MQTT begins: which listener took it, the
 * client's real address, and for TLS the host name the client asked for (SNI) and the certificate
 * chain it presented. Tenant resolution and authentication read it when the CONNECT arrives; it is
 * in the channel's {@link #KEY} attribute by then, because the transport's handlers pass no byte on
 * before their own handshakes are done.
 *
 * @param listener         the name of the listener that accepted the connection
 * @param transport        how the listener speaks
 * @param remoteAddress    the client's address: from the PROXY protocol header when the listener
 *                         expects one and the header names a client, else the socket's peer
 * @param sniHostName      the host name the client sent in its TLS ClientHello (lower case), or
 *                         null without TLS or without SNI
 * @param peerCertificates the client's certificate chain, its own certificate first; empty unless it
 *                         sent one. TLS proved only that the client holds the certificate's key: the
 *                         chain is not checked against any CA here, which is the authenticator's job,
 *                         per tenant
 * @param tlsProtocol      the negotiated protocol ({@code TLSv1.3}), or null without TLS
 * @param tlsCipherSuite   the negotiated cipher suite, or null without TLS
 */
public record TransportInfo(String listener, Transport transport, InetSocketAddress remoteAddress,
                            String sniHostName, List<X509Certificate> peerCertificates, String tlsProtocol,
                            String tlsCipherSuite) {

    /** The channel attribute that holds a connection's transport information. */
    public static final AttributeKey<TransportInfo> KEY = AttributeKey.valueOf(TransportInfo.class, "transportInfo");

    public TransportInfo {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        peerCertificates = List.copyOf(peerCertificates);
    }

    /** @return the information of a connection without TLS */
    static TransportInfo withoutTls(ListenerConfig listener, InetSocketAddress remoteAddress) {
        return new TransportInfo(listener.name(), listener.transport(), remoteAddress, null, List.of(), null, null);
    }

    /** @return true if the client sent a certificate chain */
    public boolean hasClientCertificate() {
        return !peerCertificates.isEmpty();
    }

    /** A line for logs: addresses, names and the certificate's subject, never key material. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("listener=").append(listener).append(" transport=").append(transport)
            .append(" remote=").append(remoteAddress.getAddress() == null ? remoteAddress.getHostString()
                : remoteAddress.getAddress().getHostAddress()).append(':').append(remoteAddress.getPort());
        if (tlsProtocol != null) {
            s.append(" tls=").append(tlsProtocol).append('/').append(tlsCipherSuite);
            s.append(" sni=").append(sniHostName);
            s.append(" clientCertificate=").append(peerCertificates.isEmpty() ? "none"
                : peerCertificates.get(0).getSubjectX500Principal().getName());
        }
        return s.toString();
    }
}
