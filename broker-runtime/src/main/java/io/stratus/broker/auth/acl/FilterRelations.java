package io.stratus.broker.auth.acl;

import io.stratus.broker.routing.Topics;

/**
 * How two topic filters relate as sets of topic names: whether one covers the other (every topic
 * the second matches, the first matches too) and whether they intersect (some topic matches both).
 * Policies need both: a subscription is allowed when an allow rule covers its filter, and a deny
 * rule that only intersects it is enforced message by message at delivery.
 *
 * <p>Both follow the matching rules of the specification: {@code #} matches its parent level and
 * any number of levels below [MQTT-4.7.1-2], {@code +} exactly one level, and a filter starting
 * with a wildcard does not match topics starting with {@code $} [MQTT-4.7.2-1].
 */
final class FilterRelations {

    private static final String SINGLE = "+";
    private static final String MULTI = "#";

    private FilterRelations() {
    }

    /** @return whether every topic name that {@code inner} matches is matched by {@code outer} */
    static boolean covers(String outer, String inner) {
        String[] o = Topics.splitLevels(outer);
        String[] i = Topics.splitLevels(inner);
        if (startsWithWildcard(o) && !startsWithWildcard(i) && i[0].startsWith("$")) {
            return false;
        }
        for (int level = 0; level < o.length; level++) {
            String ol = o[level];
            if (ol.equals(MULTI)) {
                return true; // covers this level, its parent and everything below
            }
            if (level >= i.length) {
                return false; // inner ends above: its topics are shorter than outer's
            }
            String il = i[level];
            if (il.equals(MULTI)) {
                return false; // inner reaches any depth, outer stops here
            }
            if (ol.equals(SINGLE)) {
                continue;
            }
            if (il.equals(SINGLE) || !ol.equals(il)) {
                return false;
            }
        }
        return o.length == i.length;
    }

    /** @return whether some topic name is matched by both filters */
    static boolean intersect(String a, String b) {
        String[] x = Topics.splitLevels(a);
        String[] y = Topics.splitLevels(b);
        // a $-topic is matched only by a filter that names its first level literally
        if (startsWithWildcard(x) && !startsWithWildcard(y) && y[0].startsWith("$")) {
            return false;
        }
        if (startsWithWildcard(y) && !startsWithWildcard(x) && x[0].startsWith("$")) {
            return false;
        }
        int n = Math.max(x.length, y.length);
        for (int level = 0; level < n; level++) {
            String xl = level < x.length ? x[level] : null;
            String yl = level < y.length ? y[level] : null;
            if (MULTI.equals(xl) || MULTI.equals(yl)) {
                return true; // the other filter's topics (or its parent) lie below
            }
            if (xl == null || yl == null) {
                return false; // one ends, the other goes on with a level that is not '#'
            }
            if (!xl.equals(SINGLE) && !yl.equals(SINGLE) && !xl.equals(yl)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithWildcard(String[] levels) {
        return levels[0].equals(SINGLE) || levels[0].equals(MULTI);
    }
}
