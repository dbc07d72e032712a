package io.stratus.sdk.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Argument checks shared by the SDK's value builders. Every failure names the field, so a plugin
 * author sees which setter was given what. Not part of the API: the module does not export this
 * package and the broker's plugin class loader hides it.
 */
public final class Checks {

    /** The longest UTF-8 Encoded String MQTT can carry, in bytes. [MQTT-1.5.4] */
    public static final int MAX_STRING_BYTES = 65_535;

    /** The largest Four Byte Integer, such as a Message Expiry Interval. [MQTT-1.5.3] */
    public static final long MAX_FOUR_BYTE_INTEGER = 0xFFFF_FFFFL;

    /** Longest part of an offending value echoed in an exception, so a huge one cannot bloat a log line. */
    private static final int MAX_ECHO_CHARS = 100;

    private Checks() {
    }

    /**
     * @param field the field's name, for the message
     * @param value the value
     * @param <T>   its type
     * @return the value
     * @throws IllegalArgumentException if it is null
     */
    public static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return value;
    }

    /**
     * Checks a string MQTT can carry: well-formed UTF-16, no U+0000, at most 65,535 bytes in UTF-8.
     *
     * @param field the field's name
     * @param value the value
     * @return the value
     * @throws IllegalArgumentException if it is null or breaks a rule
     */
    public static String mqttString(String field, String value) {
        notNull(field, value);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                throw new IllegalArgumentException(field + " must not contain U+0000"); // [MQTT-1.5.4-2]
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                // [MQTT-1.5.4-1] an unpaired surrogate cannot be encoded as well-formed UTF-8
                throw new IllegalArgumentException(field + " holds an unpaired surrogate at index " + i);
            }
        }
        if (value.length() > MAX_STRING_BYTES / 3 && utf8Length(value) > MAX_STRING_BYTES) {
            throw new IllegalArgumentException(field + " is longer than " + MAX_STRING_BYTES + " UTF-8 bytes");
        }
        return value;
    }

    /**
     * @param field the field's name
     * @param value the value
     * @return the value
     * @throws IllegalArgumentException if it is null, empty or not an {@link #mqttString MQTT string}
     */
    public static String nonEmptyMqttString(String field, String value) {
        mqttString(field, value);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        return value;
    }

    /**
     * Checks a topic name, the string a PUBLISH carries.
     *
     * @param field the field's name
     * @param topic the topic name
     * @return the topic name
     * @throws IllegalArgumentException if it is null, empty, holds a wildcard or breaks a string rule
     */
    public static String topicName(String field, String topic) {
        nonEmptyMqttString(field, topic); // [MQTT-4.7.3-1]
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#') {
                // [MQTT-4.7.0-1] [MQTT-3.3.2-2]
                throw new IllegalArgumentException(field + " must not contain the wildcard '" + c + "': " + echo(topic));
            }
        }
        return topic;
    }

    /**
     * Checks a topic filter, the string a SUBSCRIBE carries: {@code #} only as the whole last level,
     * {@code +} only as a whole level.
     *
     * @param field  the field's name
     * @param filter the topic filter
     * @return the filter
     * @throws IllegalArgumentException if it is null, empty or misplaces a wildcard
     */
    public static String topicFilter(String field, String filter) {
        nonEmptyMqttString(field, filter); // [MQTT-4.7.3-1]
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            boolean wholeLevel = (i == 0 || filter.charAt(i - 1) == '/')
                && (i == filter.length() - 1 || filter.charAt(i + 1) == '/');
            if (c == '#' && !(wholeLevel && i == filter.length() - 1)) {
                // [MQTT-4.7.1-1]
                throw new IllegalArgumentException(field + " may hold '#' only as its whole last level: " + echo(filter));
            }
            if (c == '+' && !wholeLevel) {
                // [MQTT-4.7.1-2]
                throw new IllegalArgumentException(field + " may hold '+' only as a whole level: " + echo(filter));
            }
        }
        return filter;
    }

    /**
     * @param field the field's name
     * @param value the value
     * @param min   the smallest allowed
     * @param max   the largest allowed
     * @return the value
     * @throws IllegalArgumentException if it is outside {@code [min, max]}
     */
    public static long range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be from " + min + " to " + max + ", was " + value);
        }
        return value;
    }

    /**
     * @param field the field's name
     * @param qos   a QoS level
     * @return the QoS
     * @throws IllegalArgumentException if it is not 0, 1 or 2
     */
    public static int qos(String field, int qos) {
        return (int) range(field, qos, 0, 2);
    }

    /**
     * @param field the field's name
     * @param bytes bytes to copy
     * @return a copy
     * @throws IllegalArgumentException if {@code bytes} is null
     */
    public static byte[] copy(String field, byte[] bytes) {
        return notNull(field, bytes).clone();
    }

    /**
     * Copies the remaining bytes of a buffer without moving its position.
     *
     * @param field  the field's name
     * @param buffer the buffer
     * @return a copy of its remaining bytes
     * @throws IllegalArgumentException if {@code buffer} is null
     */
    public static byte[] copy(String field, ByteBuffer buffer) {
        ByteBuffer view = notNull(field, buffer).duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

    /**
     * @param field the field's name
     * @param bytes bytes that claim to be UTF-8
     * @throws IllegalArgumentException if they are not well-formed UTF-8
     */
    public static void wellFormedUtf8(String field, byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(field + " is not well-formed UTF-8", e);
        }
    }

    /**
     * @param bytes bytes, or null
     * @return a short description for {@code toString()} that never shows the content
     */
    public static String describe(byte[] bytes) {
        return bytes == null ? "none" : bytes.length + " bytes";
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String echo(String s) {
        return s.length() <= MAX_ECHO_CHARS ? s : s.substring(0, MAX_ECHO_CHARS) + "...";
    }
}
