package io.stratus.examples.httpauth;

import java.util.Map;
import java.util.TreeMap;

/** Writes the one JSON shape the plugin sends: an object of strings. Kept here to need no library. */
final class Json {

    private Json() {
    }

    /** @return the fields as a JSON object, in name order */
    static String object(Map<String, String> fields) {
        StringBuilder out = new StringBuilder("{");
        new TreeMap<>(fields).forEach((name, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            string(out, name);
            out.append(':');
            string(out, value);
        });
        return out.append('}').toString();
    }

    /** RFC 8259 section 7: quote, backslash and control characters are escaped. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
