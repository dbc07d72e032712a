package io.stratus.broker.routing;

/**
 * Rules for topic names, the strings a PUBLISH carries (as opposed to the filters a SUBSCRIBE
 * carries; see {@link TopicFilter}). Spec references use the MQTT 5.0 numbering.
 */
public final class Topics {

    /** The largest UTF-8 Encoded String MQTT can carry. [MQTT-4.7.3-3] */
    public static final int MAX_TOPIC_BYTES = 65_535;

    static final char SEPARATOR = '/';
    static final String SINGLE_LEVEL = "+";
    static final String MULTI_LEVEL = "#";

    /** Longest part of an offending string echoed in an exception, so a huge one cannot bloat a log line. */
    private static final int MAX_ECHO_CHARS = 100;

    private Topics() {
    }

    /**
     * Checks a topic name as a publisher sends it.
     *
     * @param topic     the topic name
     * @param maxLength the largest length allowed, in UTF-8 bytes
     * @param maxLevels the largest number of levels allowed
     * @throws InvalidTopicException if it is empty, holds a wildcard or U+0000, is not well-formed
     *     UTF-16 (so cannot be well-formed UTF-8), or exceeds a limit
     */
    public static void validateTopicName(String topic, int maxLength, int maxLevels) throws InvalidTopicException {
        if (topic == null || topic.isEmpty()) {
            throw new InvalidTopicException("topic name must not be empty"); // [MQTT-4.7.3-1]
        }
        int levels = 1;
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#') {
                // [MQTT-4.7.0-1] [MQTT-3.3.2-2]
                throw new InvalidTopicException("topic name must not contain the wildcard '" + c + "': "
                    + echo(topic));
            }
            if (c == SEPARATOR) {
                levels++;
            }
        }
        checkCharactersAndLength("topic name", topic, maxLength);
        if (levels > maxLevels) {
            throw new InvalidTopicException("topic name has " + levels + " levels, more than the limit of "
                + maxLevels + ": " + echo(topic));
        }
    }

    /**
     * Splits a topic name into its levels. Unlike {@link String#split(String)} it keeps empty
     * levels, including leading and trailing ones, because {@code /a}, {@code a} and {@code a/}
     * are three different topics.
     *
     * @param topic a topic name (not validated here)
     * @return a new array of its levels; {@code "a//b"} gives {@code ["a", "", "b"]}
     */
    public static String[] splitLevels(String topic) {
        int count = 1;
        for (int i = 0; i < topic.length(); i++) {
            if (topic.charAt(i) == SEPARATOR) {
                count++;
            }
        }
        String[] levels = new String[count];
        int start = 0;
        for (int n = 0; n < count - 1; n++) {
            int end = topic.indexOf(SEPARATOR, start);
            levels[n] = topic.substring(start, end);
            start = end + 1;
        }
        levels[count - 1] = topic.substring(start);
        return levels;
    }

    /**
     * Rejects U+0000 and unpaired surrogates, then checks the UTF-8 length. Decoding has already
     * happened by now, so an unpaired surrogate is the only way ill-formed UTF-8 can show up.
     */
    static void checkCharactersAndLength(String what, String s, int maxLength) throws InvalidTopicException {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u0000') {
                // [MQTT-4.7.3-2] [MQTT-1.5.4-2]
                throw new InvalidTopicException(what + " must not contain the null character U+0000");
            }
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new InvalidTopicException(what + " is not well-formed UTF-8"); // [MQTT-1.5.4-1]
                }
                bytes += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw new InvalidTopicException(what + " is not well-formed UTF-8"); // [MQTT-1.5.4-1]
            } else {
                bytes += 3;
            }
        }
        // [MQTT-4.7.3-3] caps this at 65,535 whatever the configured limit says
        int limit = Math.min(maxLength, MAX_TOPIC_BYTES);
        if (bytes > limit) {
            throw new InvalidTopicException(what + " is " + bytes + " bytes long, more than the limit of "
                + limit + ": " + echo(s));
        }
    }

    static String echo(String s) {
        return s.length() <= MAX_ECHO_CHARS ? "'" + s + "'" : "'" + s.substring(0, MAX_ECHO_CHARS) + "...'";
    }
}
