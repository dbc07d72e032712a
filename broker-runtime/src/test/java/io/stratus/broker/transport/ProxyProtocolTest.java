package io.stratus.broker.transport;

import io.stratus.broker.support.BrokerFixture;
import io.stratus.broker.support.LogCapture;
import io.stratus.broker.support.PacketReader;
import io.stratus.broker.support.Packets;
import io.stratus.broker.support.RawClient;
import io.stratus.broker.support.TestBroker;
import io.stratus.broker.support.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Listeners behind a load balancer that speaks the PROXY protocol (HAProxy's v1 text and v2 binary
 * headers, as an AWS Network Load Balancer sends v2): the client's real address is taken from the
 * header, and a connection without a valid header is closed.
 */
class ProxyProtocolTest {

    /** The 12 bytes every v2 header starts with. */
    private static final byte[] V2_SIGNATURE = Packets.hex("0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a");

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture();

    @TempDir
    Path dir;

    @Test
    void takesTheClientAddressFromAVersion1Header() throws Exception {
        TestBroker broker = start();

        connect(broker, ascii("PROXY TCP4 203.0.113.7 10.0.0.1 51234 1883\r\n"));

        assertEquals(new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 51234),
            broker.onlyConnection("lb").remoteAddress());
    }

    @Test
    void takesAnIpv6ClientAddressFromAVersion1Header() throws Exception {
        TestBroker broker = start();

        connect(broker, ascii("PROXY TCP6 2001:db8::7 2001:db8::1 40000 1883\r\n"));

        assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 40000),
            broker.onlyConnection("lb").remoteAddress());
    }

    @Test
    void takesTheClientAddressFromAVersion2HeaderWithTlvs() throws Exception {
        TestBroker broker = start();
        // an AWS VPC endpoint id TLV (type 0xEA), as a Network Load Balancer adds it
        byte[] tlv = Packets.concat(Packets.hex("ea 00 0d 01"), ascii("vpce-0123abc"));

        connect(broker, v2Header(0x21, new byte[] {(byte) 198, 51, 100, 20}, 60000, tlv));

        assertEquals(new InetSocketAddress(InetAddress.getByName("198.51.100.20"), 60000),
            broker.onlyConnection("lb").remoteAddress());
    }

    @Test
    void aVersion2LocalHeaderKeepsTheSocketAddress() throws Exception {
        TestBroker broker = start();
        byte[] local = Packets.concat(V2_SIGNATURE, Packets.hex("20 00 00 00")); // LOCAL, UNSPEC, no address

        int clientPort = connect(broker, local);

        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), clientPort),
            broker.onlyConnection("lb").remoteAddress());
    }

    @Test
    void aHeaderThatArrivesInPiecesIsStillRead() throws Exception {
        TestBroker broker = start();
        try (RawClient client = new RawClient("127.0.0.1", broker.port("lb"))) {
            byte[] header = ascii("PROXY TCP4 192.0.2.44 10.0.0.1 1111 1883\r\n");
            client.send(Arrays.copyOfRange(header, 0, 3));
            client.send(Arrays.copyOfRange(header, 3, 20));
            client.send(Packets.concat(Arrays.copyOfRange(header, 20, header.length), Packets.connect(4, "pieces")));

            PacketReader.expectConnAck(client, false);
            assertEquals("192.0.2.44", broker.onlyConnection("lb").remoteAddress().getAddress().getHostAddress());
        }
    }

    @Test
    void closesAConnectionThatStartsWithoutAHeaderAtOnce() throws Exception {
        TestBroker broker = start();
        try (LogCapture logs = new LogCapture(); RawClient client = new RawClient("127.0.0.1", broker.port("lb"))) {
            client.send(Packets.connect(4, "direct"));

            // within the client's 5 s read timeout, well before the 10 s connect timeout
            assertTrue(client.closedByBroker());
            assertEquals(List.of(), logs.messages());
        }
    }

    @Test
    void closesAConnectionWithAMalformedHeader() throws Exception {
        TestBroker broker = start();
        try (LogCapture logs = new LogCapture(); RawClient client = new RawClient("127.0.0.1", broker.port("lb"))) {
            client.send(Packets.concat(ascii("PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n"), Packets.connect(4, "bad")));

            assertTrue(client.closedByBroker());
            assertEquals(List.of(), logs.messages());
        }
    }

    @Test
    void theHeaderComesBeforeTls() throws Exception {
        TestPki.Authority ca = TestPki.authority("Stratus Proxy CA");
        TestPki.PemFiles files = ca.server().writeTo(dir.resolve("server.crt"), dir.resolve("server.key"));
        TestBroker broker = fixture.start(new ListenerSettings().listener("lb", "tls", files)
            .set("lb", "proxy-protocol", "true").load()).broker();

        try (Socket plain = new Socket("127.0.0.1", broker.port("lb"));
             SSLSocket tls = (SSLSocket) ca.socketFactory(null).createSocket(plain, "127.0.0.1", broker.port("lb"),
                 true)) {
            plain.getOutputStream().write(v2Header(0x21, new byte[] {(byte) 203, 0, 113, 99}, 4242, new byte[0]));
            tls.setSoTimeout(5000);
            tls.getOutputStream().write(Packets.connect(4, "proxied-tls"));
            byte[] connAck = new byte[4];
            new DataInputStream(tls.getInputStream()).readFully(connAck);
            assertEquals(Packets.CONNACK, connAck[0] & 0xFF);

            TransportInfo info = broker.onlyConnection("lb");
            assertEquals(new InetSocketAddress(InetAddress.getByName("203.0.113.99"), 4242), info.remoteAddress());
            assertNotNull(info.tlsProtocol());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private TestBroker start() throws Exception {
        return fixture.start(new ListenerSettings().listener("lb", "tcp").set("lb", "proxy-protocol", "true").load())
            .broker();
    }

    /** Sends the header and a CONNECT in one write, expects a CONNACK; @return the client's local port */
    private int connect(TestBroker broker, byte[] header) throws Exception {
        RawClient client = fixture.clients().raw(broker.port("lb"));
        client.send(Packets.concat(header, Packets.connect(4, "behind-lb")));
        PacketReader.expectConnAck(client, false);
        return client.localPort();
    }

    /** A v2 header for TCP over IPv4 to 10.0.0.1:1883 (command byte 0x21 is v2 PROXY). */
    private static byte[] v2Header(int versionAndCommand, byte[] source, int sourcePort, byte[] tlvs) {
        ByteBuffer address = ByteBuffer.allocate(12 + tlvs.length)
            .put(source).put(new byte[] {10, 0, 0, 1}).putShort((short) sourcePort).putShort((short) 1883).put(tlvs);
        return Packets.concat(V2_SIGNATURE, new byte[] {(byte) versionAndCommand, 0x11}, Packets.u16(address.capacity()),
            address.array());
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
