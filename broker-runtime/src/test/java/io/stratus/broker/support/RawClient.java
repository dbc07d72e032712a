package io.stratus.broker.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.HexFormat;

/**
 * A client that writes literal bytes to a real broker socket and reads whole MQTT packets back, for
 * the edge cases that well-behaved client libraries refuse to produce.
 */
public final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Opens a 3.1.1 connection and checks the CONNACK accepts it. */
    public static RawClient open311(TestBroker broker, String clientId, boolean cleanSession) throws IOException {
        RawClient client = new RawClient(broker.host(), broker.port());
        client.send(Packets.connect311(clientId, cleanSession));
        PacketReader.expectConnAck(client, false);
        return client;
    }

    /** Opens a 5.0 connection with the given CONNECT properties and checks the CONNACK accepts it. */
    public static RawClient open5(TestBroker broker, String clientId, boolean cleanStart, byte[]... props)
            throws IOException {
        RawClient client = new RawClient(broker.host(), broker.port());
        client.send(Packets.connect5(clientId, cleanStart, props));
        PacketReader.expectConnAck(client, true);
        return client;
    }

    public RawClient(String host, int port) throws IOException {
        this(host, port, 0);
    }

    /**
     * @param receiveBufferBytes the socket's receive buffer, set before connecting so that the TCP
     *     window follows it; 0 for the system's default. A small one makes a client that does not
     *     read fill up after a few kilobytes.
     */
    public RawClient(String host, int port, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        // buffered: a packet is read a byte at a time up to its length, then its body in one go
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** @return the client's own port, which the broker sees as the connection's remote port */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Writes bytes given as hex, spaces allowed: {@code "10 0c 00 04 4d 51 54 54 04 02 00 3c 00 00"}. */
    public RawClient send(String hex) throws IOException {
        return send(Packets.hex(hex));
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one whole packet (fixed header included), or throws EOFException if the broker closed. */
    public byte[] readPacket() throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        int first = in.read();
        if (first < 0) {
            throw new EOFException("connection closed by the broker");
        }
        packet.write(first);
        int remaining = 0;
        int multiplier = 1;
        int digit;
        do {
            digit = in.read();
            if (digit < 0) {
                throw new EOFException("connection closed inside a packet");
            }
            packet.write(digit);
            remaining += (digit & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((digit & 0x80) != 0);
        byte[] body = in.readNBytes(remaining);
        if (body.length < remaining) {
            throw new EOFException("connection closed inside a packet");
        }
        packet.write(body);
        return packet.toByteArray();
    }

    /** @return the packet as lower-case hex without spaces */
    public String readPacketHex() throws IOException {
        return HexFormat.of().formatHex(readPacket());
    }

    /**
     * @return true if the broker closes the connection (end of stream) within the socket timeout,
     *     discarding whatever packets come before that
     */
    public boolean closedByBroker() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
