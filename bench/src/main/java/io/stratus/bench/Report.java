package io.stratus.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one line a scenario prints: {@code key=value} pairs for scripts, then {@code |} and a sentence
 * for people. Values never contain spaces.
 */
public final class Report {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final StringBuilder human = new StringBuilder();

    Report put(String key, Object value) {
        String v;
        if (value instanceof Double d) {
            v = Double.isNaN(d) ? "NaN" : format(d);
        } else {
            v = String.valueOf(value).replace(' ', '_');
        }
        values.put(key, v);
        return this;
    }

    Report say(String text) {
        if (!human.isEmpty()) {
            human.append("; ");
        }
        human.append(text);
        return this;
    }

    /** @return the value of a key, or null */
    public String get(String key) {
        return values.get(key);
    }

    public double number(String key) {
        String v = values.get(key);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    public String line() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(e.getKey()).append('=').append(e.getValue());
        }
        return b.append(" | ").append(human).toString();
    }

    @Override
    public String toString() {
        return line();
    }

    static String format(double d) {
        double abs = Math.abs(d);
        if (abs >= 1000 || d == Math.rint(d) && abs < 1e15) {
            return String.format(Locale.ROOT, "%.0f", d);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", d);
        }
        return String.format(Locale.ROOT, "%.3f", d);
    }

    /** 1234567.8 as "1,234,568". */
    static String grouped(double d) {
        return String.format(Locale.ROOT, "%,.0f", d);
    }
}
