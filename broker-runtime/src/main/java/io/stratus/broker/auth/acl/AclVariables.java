package io.stratus.broker.auth.acl;

import java.util.List;
import java.util.Map;

/**
 * The attributes of one authenticated client that policy variables name: {@code client.id},
 * {@code username}, {@code tenant}, {@code cert.cn}, {@code cert.san.dns}, {@code cert.san.uri},
 * {@code jwt.claims.NAME}. A name may have several values (a certificate with several DNS names).
 */
public final class AclVariables {

    private final Map<String, List<String>> values;

    private AclVariables(Map<String, List<String>> values) {
        this.values = values;
    }

    /** @param values each variable's values; copied */
    public static AclVariables of(Map<String, List<String>> values) {
        return new AclVariables(Map.copyOf(values));
    }

    /** @return the variable's values, empty if the client has none */
    public List<String> values(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** @return every variable with its values; unmodifiable */
    public Map<String, List<String>> asMap() {
        return values;
    }

    @Override
    public String toString() {
        return "AclVariables" + values.keySet(); // names only: values may identify a person
    }
}
