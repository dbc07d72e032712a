package io.stratus.broker.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    private static final int MAX_LENGTH = 65_535;
    private static final int MAX_LEVELS = 32;

    private static InvalidTopicException rejected(String topic) {
        return assertThrows(InvalidTopicException.class,
            () -> Topics.validateTopicName(topic, MAX_LENGTH, MAX_LEVELS), () -> "expected rejection: " + topic);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"a", "/", "//", "a/b", "sport/tennis/player1", "Accounts payable", "ACCOUNTS",
        "/finance", "finance/", "$SYS/broker/uptime", "$share/g/x", "caf\u00e9", "\uD83D\uDE00/x", "a$b"})
    void acceptsTopicNamesTheSpecAllows(String topic) {
        assertDoesNotThrow(() -> Topics.validateTopicName(topic, MAX_LENGTH, MAX_LEVELS));
    }

    @Test
    void rejectsAnEmptyTopicName() {
        // [MQTT-4.7.3-1]
        assertTrue(rejected("").getMessage().contains("empty"));
        assertTrue(rejected(null).getMessage().contains("empty"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"+", "#", "a/+", "a/#", "sport/tennis#", "a+b", "+/x", "a/#/b"})
    void rejectsWildcardsInTopicNames(String topic) {
        // [MQTT-4.7.0-1] [MQTT-3.3.2-2]
        assertTrue(rejected(topic).getMessage().contains("wildcard"));
    }

    @Test
    void rejectsTheNullCharacter() {
        // [MQTT-4.7.3-2]
        assertTrue(rejected("a\u0000b").getMessage().contains("U+0000"));
    }

    @Test
    void rejectsUnpairedSurrogates() {
        // [MQTT-1.5.4-1]
        rejected("a/\uD800");
        rejected("\uDC00");
    }

    @Test
    void enforcesTheLengthLimitInUtf8Bytes() {
        assertDoesNotThrow(() -> Topics.validateTopicName("\u00e9\u00e9", 4, MAX_LEVELS));
        assertThrows(InvalidTopicException.class, () -> Topics.validateTopicName("\u00e9\u00e9", 3, MAX_LEVELS));
        assertDoesNotThrow(() -> Topics.validateTopicName("abcde", 5, MAX_LEVELS));
        assertThrows(InvalidTopicException.class, () -> Topics.validateTopicName("abcdef", 5, MAX_LEVELS));
    }

    @Test
    void neverAcceptsMoreThan65535Bytes() {
        // [MQTT-4.7.3-3]
        String max = "a".repeat(65_535);
        assertDoesNotThrow(() -> Topics.validateTopicName(max, Integer.MAX_VALUE, MAX_LEVELS));
        assertThrows(InvalidTopicException.class,
            () -> Topics.validateTopicName(max + "a", Integer.MAX_VALUE, MAX_LEVELS));
    }

    @Test
    void enforcesTheLevelLimitCountingEmptyLevels() {
        assertDoesNotThrow(() -> Topics.validateTopicName("a/b/c", MAX_LENGTH, 3));
        InvalidTopicException e = assertThrows(InvalidTopicException.class,
            () -> Topics.validateTopicName("a/b/c/", MAX_LENGTH, 3));
        assertTrue(e.getMessage().contains("4 levels"), e.getMessage());
        assertThrows(InvalidTopicException.class, () -> Topics.validateTopicName("/", MAX_LENGTH, 1));
    }

    @Test
    void splitKeepsEmptyLevelsAtEitherEndAndInTheMiddle() {
        assertArrayEquals(new String[] {"a"}, Topics.splitLevels("a"));
        assertArrayEquals(new String[] {"", ""}, Topics.splitLevels("/"));
        assertArrayEquals(new String[] {"", "finance"}, Topics.splitLevels("/finance"));
        assertArrayEquals(new String[] {"finance", ""}, Topics.splitLevels("finance/"));
        assertArrayEquals(new String[] {"a", "", "b"}, Topics.splitLevels("a//b"));
        assertArrayEquals(new String[] {""}, Topics.splitLevels(""));
    }
}
