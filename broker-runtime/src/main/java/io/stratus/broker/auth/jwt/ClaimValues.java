package io.stratus.broker.auth.jwt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep, immutable copies of parsed JSON claim values. Claims outlive the verification (ACL variables
 * read them for the connection's life), so nothing another party holds may change them; JSON null is
 * kept, which rules out {@code Map.copyOf}.
 */
final class ClaimValues {

    private ClaimValues() {
    }

    static Map<String, Object> immutableObject(Map<String, Object> object) {
        Map<String, Object> copy = new LinkedHashMap<>();
        object.forEach((k, v) -> copy.put(k, immutable(v)));
        return Collections.unmodifiableMap(copy);
    }

    @SuppressWarnings("unchecked")
    private static Object immutable(Object value) {
        if (value instanceof Map<?, ?> map) {
            return immutableObject((Map<String, Object>) map);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(immutable(v)));
            return Collections.unmodifiableList(copy);
        }
        return value; // String, Boolean, Number or null: immutable already
    }
}
