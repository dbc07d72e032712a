package io.stratus.broker.auth.acl;

import io.stratus.broker.routing.Topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A topic filter in a policy that may name the client's own attributes: {@code devices/${client.id}/#}.
 * Variables: {@code ${client.id}}, {@code ${username}}, {@code ${tenant}}, {@code ${cert.cn}},
 * {@code ${cert.san.dns}}, {@code ${cert.san.uri}} and {@code ${jwt.claims.NAME}}; and, in the
 * policies of tenants whose clients a plugin may authenticate, the attributes the plugin gives them
 * ({@code ${role}}), whose names no configuration can check, so only those tenants accept them.
 *
 * <p>A substituted value is a literal part of one topic level. A value that contains {@code +},
 * {@code #} or {@code /}, or is empty, or is missing (a client without a certificate has no
 * {@code cert.cn}), would change what the filter means, so it never reaches a filter: see
 * {@link #expand}. A client id of {@code a/#} can therefore never widen {@code devices/${client.id}}.
 */
public final class FilterTemplate {

    /** Values a multi-valued variable (several SANs, a JSON array claim) may expand to, at most. */
    static final int MAX_EXPANSIONS = 16;

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern NAME = Pattern.compile(
        "client\\.id|username|tenant|cert\\.cn|cert\\.san\\.dns|cert\\.san\\.uri|jwt\\.claims\\.[A-Za-z0-9_:.-]+");
    /** A plugin's attribute: any name outside the namespaces the broker fills itself. */
    private static final Pattern ATTRIBUTE = Pattern.compile("(?!cert\\.|jwt\\.)[A-Za-z0-9_][A-Za-z0-9_:.-]*");

    private final String text;
    /** The levels; a level with variables is split into literal and variable parts. */
    private final List<List<Part>> levels;
    private final boolean hasVariables;

    private record Part(String literal, String variable) {
    }

    private FilterTemplate(String text, List<List<Part>> levels, boolean hasVariables) {
        this.text = text;
        this.levels = levels;
        this.hasVariables = hasVariables;
    }

    /**
     * @param text the template as configured
     * @return the parsed template
     * @throws IllegalArgumentException saying what is wrong, if it is not a valid filter with known variables
     */
    public static FilterTemplate parse(String text) {
        return parse(text, false);
    }

    /**
     * @param text       the template as configured
     * @param attributes whether variables may also name attributes a plugin authenticator gives clients
     * @return the parsed template
     * @throws IllegalArgumentException saying what is wrong, if it is not a valid filter with known variables
     */
    public static FilterTemplate parse(String text, boolean attributes) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("a topic filter is empty");
        }
        if (text.startsWith("$share/")) {
            throw new IllegalArgumentException("a policy names the topics of a shared subscription without "
                + "$share/GROUP/: " + text);
        }
        String[] raw = Topics.splitLevels(text);
        List<List<Part>> levels = new ArrayList<>(raw.length);
        boolean variables = false;
        for (int i = 0; i < raw.length; i++) {
            String level = raw[i];
            if (level.equals("#") && i != raw.length - 1) {
                throw new IllegalArgumentException("'#' must be the last level of " + text);
            }
            List<Part> parts = new ArrayList<>(1);
            Matcher m = VARIABLE.matcher(level);
            int at = 0;
            while (m.find()) {
                if (m.start() > at) {
                    parts.add(new Part(level.substring(at, m.start()), null));
                }
                String name = m.group(1);
                if (!NAME.matcher(name).matches() && !(attributes && ATTRIBUTE.matcher(name).matches())) {
                    throw new IllegalArgumentException("unknown variable ${" + name + "} in " + text
                        + "; known: ${client.id}, ${username}, ${tenant}, ${cert.cn}, ${cert.san.dns}, "
                        + "${cert.san.uri}, ${jwt.claims.NAME}");
                }
                parts.add(new Part(null, name));
                variables = true;
                at = m.end();
            }
            if (at < level.length() || parts.isEmpty()) {
                parts.add(new Part(level.substring(at), null));
            }
            for (Part p : parts) {
                if (p.literal != null) {
                    if (p.literal.contains("${")) {
                        throw new IllegalArgumentException("unterminated variable in " + text);
                    }
                    boolean wildcard = p.literal.contains("+") || p.literal.contains("#");
                    if (wildcard && !(parts.size() == 1 && (p.literal.equals("+") || p.literal.equals("#")))) {
                        throw new IllegalArgumentException("a wildcard must be a whole level in " + text);
                    }
                    if (p.literal.indexOf('\0') >= 0) {
                        throw new IllegalArgumentException("a topic filter cannot contain U+0000: " + text);
                    }
                }
            }
            levels.add(List.copyOf(parts));
        }
        return new FilterTemplate(text, List.copyOf(levels), variables);
    }

    /** What a template becomes for one client. */
    public record Expansion(List<String> filters, String unresolvedPrefix) {
        /** @return whether some variable had no value that can be used safely */
        public boolean unresolved() {
            return unresolvedPrefix != null;
        }
    }

    /**
     * Substitutes the client's values.
     *
     * @param vars the client's attributes
     * @return the concrete filters (several if a variable has several values); if some variable has
     *     no usable value, no filter and instead the filter's part before the first such level
     *     ({@code devices/#} for {@code devices/${client.id}/cmd}), which a deny rule denies as a
     *     whole and an allow rule ignores
     */
    public Expansion expand(AclVariables vars) {
        if (!hasVariables) {
            return new Expansion(List.of(text), null);
        }
        List<StringBuilder> built = new ArrayList<>(List.of(new StringBuilder()));
        for (int i = 0; i < levels.size(); i++) {
            List<StringBuilder> next = new ArrayList<>();
            for (StringBuilder prefix : built) {
                List<String> values = levelValues(levels.get(i), vars);
                if (values == null) {
                    return new Expansion(List.of(), prefixBefore(i));
                }
                for (String v : values) {
                    if (next.size() >= MAX_EXPANSIONS) {
                        return new Expansion(List.of(), prefixBefore(i));
                    }
                    StringBuilder b = new StringBuilder(prefix);
                    if (i > 0) {
                        b.append('/');
                    }
                    next.add(b.append(v));
                }
            }
            built = next;
        }
        List<String> filters = new ArrayList<>(built.size());
        for (StringBuilder b : built) {
            filters.add(b.toString());
        }
        return new Expansion(List.copyOf(filters), null);
    }

    /** @return the level's possible texts, or null if a variable has no safe value */
    private static List<String> levelValues(List<Part> parts, AclVariables vars) {
        List<String> out = List.of("");
        for (Part p : parts) {
            List<String> values;
            if (p.literal != null) {
                values = List.of(p.literal);
            } else {
                values = vars.values(p.variable);
                if (values.isEmpty()) {
                    return null;
                }
                for (String v : values) {
                    if (!isSafeValue(v)) {
                        return null;
                    }
                }
            }
            List<String> combined = new ArrayList<>(out.size() * values.size());
            for (String a : out) {
                for (String v : values) {
                    combined.add(a + v);
                }
            }
            if (combined.size() > MAX_EXPANSIONS) {
                return null;
            }
            out = combined;
        }
        return out;
    }

    /** @return whether a value can stand inside one topic level without changing the filter's meaning */
    static boolean isSafeValue(String v) {
        if (v == null || v.isEmpty()) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '+' || c == '#' || c == '/' || c == '\0') {
                return false;
            }
        }
        return true;
    }

    private String prefixBefore(int level) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < level; i++) {
            // the levels before the first unresolved one have no variable that failed; but they may
            // have variables that resolved to several values: then only their literal parts are kept
            List<Part> parts = levels.get(i);
            if (parts.size() == 1 && parts.get(0).literal != null) {
                b.append(parts.get(0).literal).append('/');
            } else {
                b.append("+/");
            }
        }
        return b.append('#').toString();
    }

    public boolean hasVariables() {
        return hasVariables;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FilterTemplate t && t.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
