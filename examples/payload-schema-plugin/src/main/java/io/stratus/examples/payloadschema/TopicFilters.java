package io.stratus.examples.payloadschema;

/** MQTT topic filter matching [MQTT-4.7], for the plugin's configured filters. */
final class TopicFilters {

    private TopicFilters() {
    }

    /** @throws IllegalArgumentException if the filter is not a valid MQTT topic filter */
    static void check(String filter) {
        if (filter.isEmpty()) {
            throw new IllegalArgumentException("a topic filter cannot be empty");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            boolean wildcard = level.contains("+") || level.contains("#");
            if (wildcard && !(level.equals("+") || level.equals("#") && i == levels.length - 1)) {
                throw new IllegalArgumentException("not a topic filter: " + filter
                    + " ('+' is a whole level, '#' the whole last level)");
            }
        }
    }

    /** @return whether the topic name matches the filter */
    static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false; // [MQTT-4.7.2-1]
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true; // also matches the parent level [MQTT-4.7.1-2]
            }
            if (i >= t.length || !f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
