package io.stratus.broker.routing;

import java.util.List;
import java.util.Objects;

/**
 * A validated subscription topic filter, possibly a shared one ({@code $share/{group}/{filter}}).
 * Immutable; two filters are equal when the strings the client subscribed with are equal, because
 * UNSUBSCRIBE compares filters character by character. [MQTT-3.10.4-1]
 *
 * <p>Spec references use the MQTT 5.0 numbering.
 */
public final class TopicFilter {

    static final String SHARE_PREFIX = "$share/";

    private final String raw;
    private final String filter;
    private final String shareGroup;
    private final String[] levels;
    private final List<String> levelList;
    private final boolean wildcard;

    private TopicFilter(String raw, String filter, String shareGroup, String[] levels, boolean wildcard) {
        this.raw = raw;
        this.filter = filter;
        this.shareGroup = shareGroup;
        this.levels = levels;
        this.levelList = List.of(levels);
        this.wildcard = wildcard;
    }

    /**
     * Parses and validates a topic filter as a SUBSCRIBE or UNSUBSCRIBE carries it.
     *
     * @param raw       the filter as sent by the client
     * @param maxLength the largest length of {@code raw} allowed, in UTF-8 bytes (never more than 65,535)
     * @param maxLevels the largest number of levels allowed in the filter part (the share prefix does not count)
     * @return the parsed filter
     * @throws InvalidTopicException if the filter breaks a rule or a limit
     */
    public static TopicFilter parse(String raw, int maxLength, int maxLevels) throws InvalidTopicException {
        Objects.requireNonNull(raw, "raw");
        if (raw.isEmpty()) {
            throw new InvalidTopicException("topic filter must not be empty"); // [MQTT-4.7.3-1]
        }
        Topics.checkCharactersAndLength("topic filter", raw, maxLength);

        String group = null;
        String filter = raw;
        if (raw.startsWith(SHARE_PREFIX)) {
            int slash = raw.indexOf(Topics.SEPARATOR, SHARE_PREFIX.length());
            group = slash < 0 ? raw.substring(SHARE_PREFIX.length()) : raw.substring(SHARE_PREFIX.length(), slash);
            if (group.isEmpty()) {
                // [MQTT-4.8.2-1]
                throw new InvalidTopicException("shared subscription needs a share name: " + Topics.echo(raw));
            }
            if (group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
                // [MQTT-4.8.2-2]
                throw new InvalidTopicException("share name must not contain '+' or '#': " + Topics.echo(raw));
            }
            if (slash < 0 || slash == raw.length() - 1) {
                // [MQTT-4.8.2-2] the share name must be followed by '/' and then a topic filter
                throw new InvalidTopicException("shared subscription needs a topic filter after the share name: "
                    + Topics.echo(raw));
            }
            filter = raw.substring(slash + 1);
        }

        String[] levels = Topics.splitLevels(filter);
        if (levels.length > maxLevels) {
            throw new InvalidTopicException("topic filter has " + levels.length
                + " levels, more than the limit of " + maxLevels + ": " + Topics.echo(raw));
        }
        boolean wildcard = false;
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals(Topics.MULTI_LEVEL)) {
                if (i != levels.length - 1) {
                    // [MQTT-4.7.1-1]
                    throw new InvalidTopicException("'#' must be the last level of a topic filter: "
                        + Topics.echo(raw));
                }
                wildcard = true;
            } else if (level.equals(Topics.SINGLE_LEVEL)) {
                wildcard = true;
            } else if (level.indexOf('#') >= 0) {
                // [MQTT-4.7.1-1]
                throw new InvalidTopicException("'#' must occupy a whole level: " + Topics.echo(raw));
            } else if (level.indexOf('+') >= 0) {
                // [MQTT-4.7.1-2]
                throw new InvalidTopicException("'+' must occupy a whole level: " + Topics.echo(raw));
            }
        }
        return new TopicFilter(raw, filter, group, levels, wildcard);
    }

    /** @return the filter exactly as subscribed, including any {@code $share/{group}/} prefix */
    public String raw() {
        return raw;
    }

    /** @return the part that is matched against topic names: {@link #raw()} without the share prefix */
    public String filter() {
        return filter;
    }

    /** @return the share name, or null if this is not a shared subscription */
    public String shareGroup() {
        return shareGroup;
    }

    /** @return true for {@code $share/{group}/{filter}} */
    public boolean isShared() {
        return shareGroup != null;
    }

    /** @return true if {@link #filter()} has a {@code +} or {@code #} level */
    public boolean hasWildcard() {
        return wildcard;
    }

    /** @return the levels of {@link #filter()}, empty levels included; unmodifiable */
    public List<String> levels() {
        return levelList;
    }

    /** The levels without a copy, for the trie walks in this package. Callers must not modify it. */
    String[] levelArray() {
        return levels;
    }

    /**
     * Tells whether a topic name matches {@link #filter()}. Matching is exact per level: no case
     * folding or Unicode normalisation. [MQTT-4.7.3-4]
     *
     * @param topicName a valid topic name
     * @return true if a message published to {@code topicName} is for this filter
     */
    public boolean matches(String topicName) {
        int length = topicName.length();
        if (length > 0 && topicName.charAt(0) == '$' && isWildcardLevel(levels[0])) {
            // [MQTT-4.7.2-1] $-topics are server-specific; a leading wildcard must not pick them up
            return false;
        }
        int start = 0; // start of the next topic level, or -1 once the topic is used up
        for (String level : levels) {
            if (level.equals(Topics.MULTI_LEVEL)) {
                // '#' also matches the parent level: "sport/#" matches "sport" [MQTT-4.7.1-1]
                return true;
            }
            if (start < 0) {
                return false;
            }
            int end = topicName.indexOf(Topics.SEPARATOR, start);
            if (end < 0) {
                end = length;
            }
            if (!level.equals(Topics.SINGLE_LEVEL)
                && (level.length() != end - start || !topicName.regionMatches(start, level, 0, level.length()))) {
                return false;
            }
            start = end < length ? end + 1 : -1;
        }
        return start < 0;
    }

    private static boolean isWildcardLevel(String level) {
        return level.equals(Topics.MULTI_LEVEL) || level.equals(Topics.SINGLE_LEVEL);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof TopicFilter other && raw.equals(other.raw));
    }

    @Override
    public int hashCode() {
        return raw.hashCode();
    }

    @Override
    public String toString() {
        return raw;
    }
}
