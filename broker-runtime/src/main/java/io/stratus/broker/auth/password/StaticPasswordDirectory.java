package io.stratus.broker.auth.password;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The user names and password hashes of a tenant configured from a file rather than the control
 * plane. Every hash is parsed when the directory is built, so a bad entry stops start-up with the
 * user's name instead of failing logins later.
 *
 * @param users user name to parsed hash
 */
public record StaticPasswordDirectory(Map<String, PhcHash> users) {

    public StaticPasswordDirectory {
        users = Map.copyOf(Objects.requireNonNull(users, "users"));
    }

    /**
     * @param phcByUser user name to PHC string, as configured
     * @throws IllegalArgumentException naming the first user whose hash is unusable, and why
     */
    public static StaticPasswordDirectory parse(Map<String, String> phcByUser) {
        Map<String, PhcHash> users = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : phcByUser.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("password users: an entry has an empty user name");
            }
            try {
                users.put(e.getKey(), PhcHash.parse(e.getValue()));
            } catch (MalformedHashException ex) {
                throw new IllegalArgumentException("password users: hash of '" + e.getKey() + "': " + ex.getMessage(),
                    ex);
            }
        }
        return new StaticPasswordDirectory(users);
    }

    /** @return the hash stored for {@code user}, if the user exists */
    public Optional<PhcHash> hashOf(String user) {
        return user == null ? Optional.empty() : Optional.ofNullable(users.get(user));
    }
}
