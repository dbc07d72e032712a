package io.stratus.sdk.message;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PublishPacketTest {

    @Test
    void buildsWithDefaultsForEverythingButTheTopic() {
        PublishPacket p = PublishPacket.builder().topic("a/b").build();

        assertEquals("a/b", p.topic());
        assertEquals(0, p.qos());
        assertFalse(p.retain());
        assertEquals(0, p.payloadSize());
        assertTrue(p.userProperties().isEmpty());
        assertTrue(p.contentType().isEmpty());
        assertTrue(p.responseTopic().isEmpty());
        assertTrue(p.correlationData().isEmpty());
        assertTrue(p.messageExpiryInterval().isEmpty());
        assertEquals(PayloadFormat.UNSPECIFIED, p.payloadFormat());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/+/b", "a/#", "sport+", "a\u0000b"})
    void rejectsTopicsThatAreNotTopicNames(String topic) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PublishPacket.builder().topic(topic));

        assertTrue(e.getMessage().startsWith("topic "), e.getMessage());
    }

    @Test
    void rejectsATopicLongerThanAnMqttStringCanCarry() {
        String tooLong = "é".repeat(32_768); // 65,536 bytes in UTF-8

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PublishPacket.builder().topic(tooLong));

        assertTrue(e.getMessage().contains("65535"), e.getMessage());
    }

    @Test
    void rejectsATopicWithAnUnpairedSurrogate() {
        assertThrows(IllegalArgumentException.class, () -> PublishPacket.builder().topic("a/\uD800"));
    }

    @Test
    void rejectsBuildingWithoutATopic() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PublishPacket.builder().build());

        assertEquals("topic must not be null", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 3, 128})
    void rejectsQosOutsideZeroToTwo(int qos) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PublishPacket.builder().qos(qos));

        assertTrue(e.getMessage().startsWith("qos "), e.getMessage());
    }

    @Test
    void rejectsAResponseTopicWithAWildcard() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PublishPacket.builder().responseTopic("replies/#"));

        assertTrue(e.getMessage().startsWith("responseTopic "), e.getMessage());
    }

    @Test
    void rejectsAMessageExpiryIntervalBeyondFourBytes() {
        assertThrows(IllegalArgumentException.class, () -> PublishPacket.builder().messageExpiryInterval(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PublishPacket.builder().messageExpiryInterval(0x1_0000_0000L));

        assertTrue(e.getMessage().startsWith("messageExpiryInterval "), e.getMessage());
        assertEquals(0xFFFF_FFFFL, PublishPacket.builder().topic("t").messageExpiryInterval(0xFFFF_FFFFL).build()
            .messageExpiryInterval().getAsLong());
    }

    @Test
    void rejectsAUtf8PayloadFormatWithMalformedBytes() {
        PublishPacket.Builder b = PublishPacket.builder().topic("t").payload(new byte[] {(byte) 0xC3})
            .payloadFormat(PayloadFormat.UTF_8);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);

        assertTrue(e.getMessage().startsWith("payload "), e.getMessage());
    }

    @Test
    void acceptsAUtf8PayloadFormatWithWellFormedText() {
        PublishPacket p = PublishPacket.builder().topic("t").payload("21.5 °C".getBytes(StandardCharsets.UTF_8))
            .payloadFormat(PayloadFormat.UTF_8).build();

        assertEquals(PayloadFormat.UTF_8, p.payloadFormat());
    }

    @Test
    void copiesThePayloadInAndOut() {
        byte[] given = {1, 2, 3};
        PublishPacket p = PublishPacket.of("t", given);

        given[0] = 9;
        byte[] taken = p.payloadBytes();
        taken[1] = 9;

        assertArrayEquals(new byte[] {1, 2, 3}, p.payloadBytes());
    }

    @Test
    void givesThePayloadAsAReadOnlyBuffer() {
        PublishPacket p = PublishPacket.of("t", new byte[] {1, 2, 3});

        ByteBuffer payload = p.payload();

        assertTrue(payload.isReadOnly());
        assertEquals(3, payload.remaining());
        assertThrows(ReadOnlyBufferException.class, () -> payload.put(0, (byte) 9));
    }

    @Test
    void copiesTheRemainingBytesOfABufferWithoutMovingIt() {
        ByteBuffer source = ByteBuffer.wrap(new byte[] {0, 1, 2, 3});
        source.position(1);

        PublishPacket p = PublishPacket.builder().topic("t").payload(source).build();

        assertArrayEquals(new byte[] {1, 2, 3}, p.payloadBytes());
        assertEquals(1, source.position());
    }

    @Test
    void keepsUserPropertiesInOrderWithDuplicates() {
        PublishPacket p = PublishPacket.builder().topic("t")
            .addUserProperty("k", "1").addUserProperty("other", "x").addUserProperty("k", "2").build();

        assertEquals(List.of(UserProperty.of("k", "1"), UserProperty.of("other", "x"), UserProperty.of("k", "2")),
            p.userProperties());
        assertThrows(UnsupportedOperationException.class, () -> p.userProperties().clear());
    }

    @Test
    void copiesEveryValueWithToBuilderAndChangesOnlyWhatIsSet() {
        PublishPacket original = PublishPacket.builder().topic("in/t").payload(new byte[] {1}).qos(2).retain(true)
            .addUserProperty("a", "b").contentType("text/plain").responseTopic("reply/t")
            .correlationData(new byte[] {7}).messageExpiryInterval(60).payloadFormat(PayloadFormat.UTF_8).build();

        PublishPacket copy = original.toBuilder().build();
        PublishPacket moved = original.toBuilder().topic("out/t").qos(1).build();

        assertEquals(original, copy);
        assertEquals(original.hashCode(), copy.hashCode());
        assertNotEquals(original, moved);
        assertEquals("out/t", moved.topic());
        assertEquals(1, moved.qos());
        assertTrue(moved.retain());
        assertEquals(original.userProperties(), moved.userProperties());
        assertEquals(ByteBuffer.wrap(new byte[] {7}), moved.correlationData().orElseThrow());
        assertEquals(60, moved.messageExpiryInterval().getAsLong());
        assertEquals("reply/t", moved.responseTopic().orElseThrow());
    }

    @Test
    void leavesThePayloadOutOfToString() {
        PublishPacket p = PublishPacket.of("t", "secret-value".getBytes(StandardCharsets.UTF_8));

        assertFalse(p.toString().contains("secret-value"), p.toString());
        assertTrue(p.toString().contains("12 bytes"), p.toString());
    }

    @Test
    void rejectsNullsNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PublishPacket.builder().payload((byte[]) null));
        assertEquals("payload must not be null", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UserProperty.of(null, "v"));
        assertThrows(IllegalArgumentException.class, () -> PublishPacket.builder().payloadFormat(null));
    }
}
