package io.stratus.broker.auth.acl;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FilterRelationsTest {

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "a/#, a/#, true",
        "a/#, a, true",          // '#' includes the parent level
        "a/#, a/b/c, true",
        "a/#, a/+, true",
        "a/+, a/b, true",
        "a/+, a/+, true",
        "a/+, a/#, false",       // a/# reaches deeper than a/+
        "a/+, a, false",
        "a/b, a/+, false",
        "a/b, a/b, true",
        "a/b, a/c, false",
        "#, a/b, true",
        "#, $SYS/x, false",       // [MQTT-4.7.2-1] a leading wildcard never reaches $-topics
        "+/x, $SYS/x, false",
        "$SYS/#, $SYS/x, true",
        "#, #, true",
        "+, +/x, false",
        "a/+/c, a/b/c, true",
        "a/+/c, a/+/+, false",
    })
    void coversWhenEveryTopicOfTheInnerFilterMatchesTheOuter(String outer, String inner, boolean expected) {
        assertEquals(expected, FilterRelations.covers(outer, inner));
    }

    @ParameterizedTest(name = "{0} meets {1}: {2}")
    @CsvSource({
        "a/#, a/b, true",
        "a/b, a/#, true",
        "a/#, a, true",
        "a/+, b/#, false",
        "a/+, +/b, true",
        "a/b, a/c, false",
        "a/+, a, false",
        "a/+/c, a/b, false",
        "#, $SYS/x, false",
        "$SYS/#, #, false",
        "$SYS/#, $SYS/+, true",
        "+/+, a/b, true",
        "a/b/c, a/+/#, true",
    })
    void intersectsWhenSomeTopicMatchesBoth(String a, String b, boolean expected) {
        assertEquals(expected, FilterRelations.intersect(a, b));
        assertEquals(expected, FilterRelations.intersect(b, a), "symmetric");
    }
}
