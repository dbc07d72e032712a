package io.stratus.broker.routing;

import static io.stratus.broker.routing.Fixtures.MAX_LENGTH;
import static io.stratus.broker.routing.Fixtures.MAX_LEVELS;
import static io.stratus.broker.routing.Fixtures.filter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicFilterTest {

    private static InvalidTopicException rejected(String raw) {
        return assertThrows(InvalidTopicException.class, () -> TopicFilter.parse(raw, MAX_LENGTH, MAX_LEVELS),
            () -> "expected to be rejected: " + raw);
    }

    // ---- validation -------------------------------------------------------------------------

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
        "sport/tennis/player1/#", "sport/tennis/#", "sport/#", "#", "+", "+/tennis/#", "sport/+/player1",
        "sport/+", "+/+", "/+", "/#", "/", "//", "$SYS/#", "$SYS/monitor/+", "Accounts payable", "/finance",
        "finance/", "a//b", "+/+/+", "$share", "$sharegroup/x", "a/$share/g/x", "caf\u00e9/\uD83D\uDE00"})
    void acceptsFiltersTheSpecAllows(String raw) throws InvalidTopicException {
        // given a filter that follows every rule of MQTT 5.0 section 4.7
        // when it is parsed
        TopicFilter parsed = TopicFilter.parse(raw, MAX_LENGTH, MAX_LEVELS);
        // then it keeps the raw string and is not shared
        assertEquals(raw, parsed.raw());
        assertEquals(raw, parsed.filter());
        assertFalse(parsed.isShared());
    }

    @Test
    void rejectsAnEmptyFilter() {
        // [MQTT-4.7.3-1]
        assertTrue(rejected("").getMessage().contains("empty"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"sport/tennis#", "sport/tennis/#/ranking", "#/a", "a/#/b", "##", "a/b#", "#a", "a/#/"})
    void rejectsMultiLevelWildcardThatIsNotAloneInTheLastLevel(String raw) {
        // [MQTT-4.7.1-1]
        assertTrue(rejected(raw).getMessage().contains("'#'"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"sport+", "+sport", "sport/te+nnis", "a/++", "+/ten+", "a/+b/c"})
    void rejectsSingleLevelWildcardThatDoesNotOccupyAWholeLevel(String raw) {
        // [MQTT-4.7.1-2]
        assertTrue(rejected(raw).getMessage().contains("'+'"));
    }

    @Test
    void rejectsTheNullCharacter() {
        // [MQTT-4.7.3-2]
        assertTrue(rejected("a/\u0000/b").getMessage().contains("U+0000"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"a/\uD83D", "\uDE00/a", "a\uDE00\uD83D"})
    void rejectsUnpairedSurrogatesBecauseTheyCannotBeWellFormedUtf8(String raw) {
        // [MQTT-1.5.4-1]
        assertTrue(rejected(raw).getMessage().contains("UTF-8"));
    }

    @Test
    void countsLengthInUtf8BytesNotChars() throws InvalidTopicException {
        // given "éé": 2 chars but 4 UTF-8 bytes, and an emoji: 2 chars but 4 bytes
        // then the byte count decides
        assertEquals("\u00e9\u00e9", TopicFilter.parse("\u00e9\u00e9", 4, MAX_LEVELS).raw());
        assertThrows(InvalidTopicException.class, () -> TopicFilter.parse("\u00e9\u00e9", 3, MAX_LEVELS));
        assertEquals("\uD83D\uDE00", TopicFilter.parse("\uD83D\uDE00", 4, MAX_LEVELS).raw());
        assertThrows(InvalidTopicException.class, () -> TopicFilter.parse("\uD83D\uDE00", 3, MAX_LEVELS));
        assertEquals("\u20ac", TopicFilter.parse("\u20ac", 3, MAX_LEVELS).raw());
        assertThrows(InvalidTopicException.class, () -> TopicFilter.parse("\u20ac", 2, MAX_LEVELS));
    }

    @Test
    void acceptsAFilterOfExactlyTheMaximumLengthAndRejectsOneByteMore() throws InvalidTopicException {
        String atLimit = "a".repeat(10);
        assertEquals(atLimit, TopicFilter.parse(atLimit, 10, MAX_LEVELS).raw());
        InvalidTopicException e = assertThrows(InvalidTopicException.class,
            () -> TopicFilter.parse(atLimit + "b", 10, MAX_LEVELS));
        assertTrue(e.getMessage().contains("11 bytes"), e.getMessage());
    }

    @Test
    void neverAcceptsMoreThan65535BytesWhateverTheConfiguredLimit() throws InvalidTopicException {
        // [MQTT-4.7.3-3]
        String max = "a".repeat(65_535);
        assertEquals(max, TopicFilter.parse(max, Integer.MAX_VALUE, MAX_LEVELS).raw());
        assertThrows(InvalidTopicException.class, () -> TopicFilter.parse(max + "a", Integer.MAX_VALUE, MAX_LEVELS));
    }

    @Test
    void longFilterIsTruncatedInTheExceptionMessage() {
        InvalidTopicException e = assertThrows(InvalidTopicException.class,
            () -> TopicFilter.parse("x".repeat(5_000), 100, MAX_LEVELS));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void countsLevelsIncludingEmptyOnes() throws InvalidTopicException {
        assertEquals(3, TopicFilter.parse("a/b/c", MAX_LENGTH, 3).levels().size());
        InvalidTopicException e = assertThrows(InvalidTopicException.class,
            () -> TopicFilter.parse("a/b/c", MAX_LENGTH, 2));
        assertTrue(e.getMessage().contains("levels"), e.getMessage());
        // "/" is two empty levels, "a//" is three
        assertThrows(InvalidTopicException.class, () -> TopicFilter.parse("/", MAX_LENGTH, 1));
        assertThrows(InvalidTopicException.class, () -> TopicFilter.parse("a//", MAX_LENGTH, 2));
    }

    @Test
    void levelLimitAppliesToTheFilterPartOfASharedSubscription() throws InvalidTopicException {
        // given a shared filter whose filter part has 2 levels
        TopicFilter shared = TopicFilter.parse("$share/g/a/b", MAX_LENGTH, 2);
        assertEquals(List.of("a", "b"), shared.levels());
        assertThrows(InvalidTopicException.class, () -> TopicFilter.parse("$share/g/a/b/c", MAX_LENGTH, 2));
    }

    @Test
    void lengthLimitAppliesToTheWholeSharedFilter() {
        // "$share/g/ab" is 11 bytes even though its filter part is 2
        assertThrows(InvalidTopicException.class, () -> TopicFilter.parse("$share/g/ab", 10, MAX_LEVELS));
    }

    // ---- shared subscriptions -----------------------------------------------------------------

    @Test
    void parsesASharedSubscriptionIntoGroupAndFilter() {
        TopicFilter shared = filter("$share/g/#");
        assertTrue(shared.isShared());
        assertEquals("g", shared.shareGroup());
        assertEquals("#", shared.filter());
        assertEquals("$share/g/#", shared.raw());
        assertTrue(shared.hasWildcard());
        assertEquals(List.of("#"), shared.levels());
    }

    @Test
    void sharedFilterPartMayItselfStartWithDollar() {
        TopicFilter shared = filter("$share/consumers/$SYS/broker/+");
        assertEquals("consumers", shared.shareGroup());
        assertEquals("$SYS/broker/+", shared.filter());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"$share//x", "$share/", "$share//"})
    void rejectsASharedSubscriptionWithAnEmptyShareName(String raw) {
        // [MQTT-4.8.2-1]
        assertTrue(rejected(raw).getMessage().contains("share name"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"$share/g", "$share/g/", "$share/group"})
    void rejectsAShareNameNotFollowedBySlashAndAFilter(String raw) {
        // [MQTT-4.8.2-2]
        assertTrue(rejected(raw).getMessage().contains("topic filter after the share name"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"$share/g+/x", "$share/+/x", "$share/g#/x", "$share/#/x", "$share/#"})
    void rejectsWildcardsInTheShareName(String raw) {
        // [MQTT-4.8.2-2]
        assertTrue(rejected(raw).getMessage().contains("share name"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"$share/g/sport/tennis#", "$share/g/a/#/b", "$share/g/a+", "$share/g/a\u0000"})
    void rejectsASharedSubscriptionWhoseFilterPartIsInvalid(String raw) {
        rejected(raw);
    }

    // ---- accessors, equality --------------------------------------------------------------------

    @Test
    void keepsEmptyLevelsIncludingLeadingAndTrailingOnes() {
        assertEquals(List.of("", "a", ""), filter("/a/").levels());
        assertEquals(List.of("", ""), filter("/").levels());
        assertEquals(List.of("a", "", "b"), filter("a//b").levels());
    }

    @Test
    void levelsCannotBeModified() {
        List<String> levels = filter("a/b").levels();
        assertThrows(UnsupportedOperationException.class, () -> levels.set(0, "x"));
    }

    @Test
    void reportsWhetherItHasAWildcard() {
        assertFalse(filter("a/b").hasWildcard());
        assertTrue(filter("a/+").hasWildcard());
        assertTrue(filter("a/#").hasWildcard());
        assertFalse(filter("$share/g/a").hasWildcard());
        assertNull(filter("a/b").shareGroup());
    }

    @Test
    void equalityIsOnTheFullRawString() throws InvalidTopicException {
        // given the same string parsed under different limits
        TopicFilter one = TopicFilter.parse("a/+", 100, 5);
        TopicFilter two = TopicFilter.parse("a/+", 65_535, 10);
        // then the filters are equal
        assertEquals(one, two);
        assertEquals(one.hashCode(), two.hashCode());
        // but a shared filter differs from its filter part, and case matters
        assertNotEquals(filter("a/+"), filter("$share/g/a/+"));
        assertNotEquals(filter("$share/g1/a"), filter("$share/g2/a"));
        assertNotEquals(filter("Accounts"), filter("ACCOUNTS"));
        assertEquals("a/+", one.toString());
    }

    // ---- matching: MQTT 5.0 section 4.7 examples ---------------------------------------------------

    @Test
    void multiLevelWildcardMatchesTheParentAndAnyNumberOfChildLevels() {
        TopicFilter f = filter("sport/tennis/player1/#");
        assertTrue(f.matches("sport/tennis/player1"));
        assertTrue(f.matches("sport/tennis/player1/ranking"));
        assertTrue(f.matches("sport/tennis/player1/score/wimbledon"));
        assertFalse(f.matches("sport/tennis/player2"));
        assertFalse(f.matches("sport/tennis"));
    }

    @Test
    void multiLevelWildcardAfterOneLevelMatchesThatLevelAlone() {
        assertTrue(filter("sport/#").matches("sport"));
        assertTrue(filter("sport/#").matches("sport/"));
        assertFalse(filter("sport/#").matches("sports"));
    }

    @Test
    void multiLevelWildcardAloneMatchesEveryNonDollarTopic() {
        TopicFilter all = filter("#");
        assertTrue(all.matches("a"));
        assertTrue(all.matches("/"));
        assertTrue(all.matches("a/b/c/d"));
        assertTrue(all.matches("/finance"));
    }

    @Test
    void singleLevelWildcardMatchesExactlyOneLevel() {
        TopicFilter f = filter("sport/tennis/+");
        assertTrue(f.matches("sport/tennis/player1"));
        assertTrue(f.matches("sport/tennis/player2"));
        assertFalse(f.matches("sport/tennis/player1/ranking"));
        assertFalse(f.matches("sport/tennis"));
    }

    @Test
    void singleLevelWildcardDoesNotMatchTheParentButMatchesAnEmptyLevel() {
        assertFalse(filter("sport/+").matches("sport"));
        assertTrue(filter("sport/+").matches("sport/"));
        assertTrue(filter("a/+/c").matches("a//c"));
        assertTrue(filter("+/+").matches("/"));
    }

    @Test
    void leadingSlashMakesAnEmptyFirstLevel() {
        // "/finance" matches "+/+" and "/+", but not "+"
        assertTrue(filter("+/+").matches("/finance"));
        assertTrue(filter("/+").matches("/finance"));
        assertFalse(filter("+").matches("/finance"));
        assertFalse(filter("finance").matches("/finance"));
        assertFalse(filter("/finance").matches("finance"));
        assertFalse(filter("finance").matches("finance/"));
    }

    @Test
    void singleAndMultiLevelWildcardsCombine() {
        TopicFilter f = filter("+/tennis/#");
        assertTrue(f.matches("sport/tennis"));
        assertTrue(f.matches("sport/tennis/player1/ranking"));
        assertFalse(f.matches("sport/golf/player1"));
        assertTrue(filter("sport/+/player1").matches("sport/tennis/player1"));
        assertFalse(filter("sport/+/player1").matches("sport/tennis/player2"));
    }

    @Test
    void matchingIsCaseSensitiveAndDoesNotNormalise() {
        // [MQTT-4.7.3-4]
        assertFalse(filter("ACCOUNTS").matches("Accounts"));
        assertTrue(filter("Accounts payable").matches("Accounts payable"));
        assertFalse(filter("caf\u00e9").matches("cafe\u0301"));
    }

    @Test
    void exactFilterMatchesOnlyTheSameTopic() {
        assertTrue(filter("a/b").matches("a/b"));
        assertFalse(filter("a/b").matches("a"));
        assertFalse(filter("a/b").matches("a/b/c"));
        assertFalse(filter("a/b").matches("a/bc"));
        assertFalse(filter("a/bc").matches("a/b"));
    }

    // ---- matching: topics beginning with $ ---------------------------------------------------------

    @Test
    void multiLevelWildcardDoesNotMatchDollarTopics() {
        // [MQTT-4.7.2-1]
        assertFalse(filter("#").matches("$SYS/broker/uptime"));
        assertFalse(filter("#").matches("$"));
        assertFalse(filter("+/#").matches("$SYS"));
    }

    @Test
    void plusDoesNotMatchDollarTopicsAtFirstLevel() {
        // [MQTT-4.7.2-1]
        assertFalse(filter("+/monitor/Clients").matches("$SYS/monitor/Clients"));
        assertFalse(filter("+").matches("$SYS"));
    }

    @Test
    void filtersNamingTheDollarLevelMatchDollarTopics() {
        assertTrue(filter("$SYS/#").matches("$SYS/monitor/Clients"));
        assertTrue(filter("$SYS/#").matches("$SYS"));
        assertTrue(filter("$SYS/monitor/+").matches("$SYS/monitor/Clients"));
        assertTrue(filter("$foo/+").matches("$foo/bar"));
    }

    @Test
    void dollarBelowTheFirstLevelIsAnOrdinaryCharacter() {
        assertTrue(filter("+/$SYS").matches("a/$SYS"));
        assertTrue(filter("a/#").matches("a/$b"));
    }

    @Test
    void sharedFilterMatchesWithItsFilterPart() {
        assertTrue(filter("$share/g/sport/+").matches("sport/tennis"));
        assertFalse(filter("$share/g/sport/+").matches("$share/g/sport/tennis"));
        // [MQTT-4.7.2-1] applies to the filter part
        assertFalse(filter("$share/g/#").matches("$SYS/x"));
        assertTrue(filter("$share/g/$SYS/#").matches("$SYS/x"));
    }
}
