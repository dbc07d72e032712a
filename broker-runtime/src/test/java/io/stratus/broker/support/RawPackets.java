package io.stratus.broker.support;

import java.io.ByteArrayOutputStream;

/** Byte-level helpers for the packets tests build by hand for {@link RawClient}. */
public final class RawPackets {

    private RawPackets() {
    }

    /** @return the fixed header (first byte and Remaining Length) followed by the body */
    public static byte[] withFixedHeader(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 5);
        out.write(firstByte);
        writeVariableByteInteger(out, body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Writes a Variable Byte Integer (§1.5.5). */
    public static void writeVariableByteInteger(ByteArrayOutputStream out, int value) {
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }
}
