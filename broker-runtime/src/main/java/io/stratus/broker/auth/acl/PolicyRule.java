package io.stratus.broker.auth.acl;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One rule of a tenant's policy: an effect, the actions it applies to, and topic filters that may
 * contain variables ({@code devices/${client.id}/#}).
 *
 * @param effect  allow or deny
 * @param actions the actions, at least one
 * @param filters the filter templates, at least one, checked by {@link FilterTemplate#parse}
 */
public record PolicyRule(Effect effect, Set<Action> actions, List<FilterTemplate> filters) {

    public PolicyRule {
        Objects.requireNonNull(effect, "effect");
        actions = Set.copyOf(actions);
        filters = List.copyOf(filters);
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("a rule needs at least one action");
        }
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("a rule needs at least one topic filter");
        }
    }
}
