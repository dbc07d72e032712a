package io.stratus.broker.auth.acl;

import io.stratus.broker.routing.InvalidTopicException;
import io.stratus.broker.routing.TopicFilter;
import io.stratus.broker.routing.Topics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's policy made concrete for one client at CONNECT: every variable substituted, so that
 * each check is a match of a topic against a few filters. Deny wins; without an allow rule that
 * matches, the answer is deny.
 *
 * <ul>
 *   <li>Publish (and a will): allowed if an allow rule for {@code publish} matches the topic and
 *       no deny rule for it does.</li>
 *   <li>Subscribe: allowed if an allow rule for {@code subscribe} covers the whole filter (every
 *       topic it can match) and no deny rule for {@code subscribe} intersects it.</li>
 *   <li>Receive: a message reaches a subscriber unless a deny rule for {@code receive} matches its
 *       topic; what a client may receive is otherwise what it was allowed to subscribe to. Messages
 *       are checked one by one only for clients whose policy has such a rule
 *       ({@link #restrictsReceive()}).</li>
 * </ul>
 *
 * Publish decisions are cached per client (a bounded map, cleared when full). Not thread-safe:
 * used on the connection's event loop, or on its session's lane for receive checks.
 */
public final class ClientAcl {

    /** A client allowed everything: the anonymous default of a standalone broker without policies. */
    public static final ClientAcl ALLOW_ALL = new ClientAcl(null);

    private static final int CACHE_LIMIT = 256;

    private final Map<Action, List<TopicFilter>> allow;
    private final Map<Action, List<TopicFilter>> deny;
    /** Whether a receive-deny rule exists: read on every delivery, so decided once. */
    private final boolean restrictsReceive;
    private final Map<String, Boolean> publishCache = new HashMap<>();

    private ClientAcl(Map<Action, Map<Effect, List<String>>> rules) {
        if (rules == null) {
            allow = null;
            deny = null;
            restrictsReceive = false;
            return;
        }
        allow = new EnumMap<>(Action.class);
        deny = new EnumMap<>(Action.class);
        for (Action a : Action.values()) {
            Map<Effect, List<String>> byEffect = rules.getOrDefault(a, Map.of());
            allow.put(a, parsed(byEffect.getOrDefault(Effect.ALLOW, List.of())));
            deny.put(a, parsed(byEffect.getOrDefault(Effect.DENY, List.of())));
        }
        restrictsReceive = !deny.get(Action.RECEIVE).isEmpty();
    }

    /**
     * @param rules the tenant's rules, in any order (deny wins regardless of order)
     * @param vars  the client's attributes
     * @return the client's access
     */
    public static ClientAcl compile(List<PolicyRule> rules, AclVariables vars) {
        Map<Action, Map<Effect, List<String>>> concrete = new EnumMap<>(Action.class);
        for (PolicyRule rule : rules) {
            for (FilterTemplate template : rule.filters()) {
                FilterTemplate.Expansion e = template.expand(vars);
                List<String> filters;
                if (!e.unresolved()) {
                    filters = e.filters();
                } else if (rule.effect() == Effect.DENY) {
                    filters = List.of(e.unresolvedPrefix()); // a deny that cannot be made exact denies more
                } else {
                    continue; // an allow that cannot be made exact allows nothing
                }
                for (Action a : rule.actions()) {
                    concrete.computeIfAbsent(a, k -> new EnumMap<>(Effect.class))
                        .computeIfAbsent(rule.effect(), k -> new ArrayList<>())
                        .addAll(filters);
                }
            }
        }
        return new ClientAcl(concrete);
    }

    /** @return whether the client may publish to this topic name */
    public boolean mayPublish(String topic) {
        if (allow == null) {
            return true;
        }
        Boolean cached = publishCache.get(topic);
        if (cached != null) {
            return cached;
        }
        boolean decision = matchesAny(allow.get(Action.PUBLISH), topic) && !matchesAny(deny.get(Action.PUBLISH), topic);
        if (publishCache.size() >= CACHE_LIMIT) {
            publishCache.clear();
        }
        publishCache.put(topic, decision);
        return decision;
    }

    /** @param filter the filter without a {@code $share/group/} prefix @return whether the client may subscribe */
    public boolean maySubscribe(String filter) {
        if (allow == null) {
            return true;
        }
        boolean covered = false;
        for (TopicFilter a : allow.get(Action.SUBSCRIBE)) {
            if (FilterRelations.covers(a.filter(), filter)) {
                covered = true;
                break;
            }
        }
        if (!covered) {
            return false;
        }
        for (TopicFilter d : deny.get(Action.SUBSCRIBE)) {
            if (FilterRelations.intersect(d.filter(), filter)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param filter a subscription's filter (without a share prefix)
     * @return whether messages through it must be checked one by one with {@link #mayReceive}
     */
    public boolean needsReceiveCheck(String filter) {
        if (allow == null) {
            return false;
        }
        for (TopicFilter d : deny.get(Action.RECEIVE)) {
            if (FilterRelations.intersect(d.filter(), filter)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether any rule denies receiving: only then are messages checked one by one */
    public boolean restrictsReceive() {
        return restrictsReceive;
    }

    /** @return whether a message on this topic may be sent to the client */
    public boolean mayReceive(String topic) {
        return allow == null || !matchesAny(deny.get(Action.RECEIVE), topic);
    }

    private static List<TopicFilter> parsed(List<String> filters) {
        List<TopicFilter> out = new ArrayList<>(filters.size());
        for (String f : filters) {
            try {
                out.add(TopicFilter.parse(f, Topics.MAX_TOPIC_BYTES, Integer.MAX_VALUE));
            } catch (InvalidTopicException e) {
                // templates are checked when the policy is loaded and values cannot change a level's
                // structure; a filter that is still not valid cannot be matched and is left out
            }
        }
        return List.copyOf(out);
    }

    private static boolean matchesAny(List<TopicFilter> filters, String topic) {
        for (TopicFilter f : filters) {
            if (f.matches(topic)) {
                return true;
            }
        }
        return false;
    }
}
