package io.stratus.bench.jmh;

import io.stratus.broker.auth.acl.AclVariables;
import io.stratus.broker.auth.acl.Action;
import io.stratus.broker.auth.acl.ClientAcl;
import io.stratus.broker.auth.acl.Effect;
import io.stratus.broker.auth.acl.FilterTemplate;
import io.stratus.broker.auth.acl.PolicyRule;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The policy checks on the hot path, for one client of a tenant with a device policy of 12 rules
 * (variables substituted at connect): a PUBLISH check against topics that repeat (what the per-client
 * cache serves), against distinct topics (the cache cleared when full, so every check matches the
 * rules), a SUBSCRIBE check (filter coverage, not cached), and a receive check through a deny rule.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ClientAclBenchmark {

    private static final int DISTINCT = 4096;

    private ClientAcl acl;
    private String[] repeating;
    private String[] distinct;
    private int next;

    @Setup
    public void setUp() {
        List<PolicyRule> rules = new ArrayList<>();
        rules.add(rule(Effect.ALLOW, Set.of(Action.PUBLISH), "devices/${client.id}/telemetry/#"));
        rules.add(rule(Effect.ALLOW, Set.of(Action.PUBLISH), "devices/${client.id}/events/+"));
        rules.add(rule(Effect.ALLOW, Set.of(Action.SUBSCRIBE), "devices/${client.id}/commands/#"));
        rules.add(rule(Effect.ALLOW, Set.of(Action.SUBSCRIBE), "broadcast/#"));
        rules.add(rule(Effect.ALLOW, Set.of(Action.PUBLISH), "sites/${jwt.claims.site}/+/status"));
        for (int i = 0; i < 5; i++) {
            rules.add(rule(Effect.ALLOW, Set.of(Action.PUBLISH, Action.SUBSCRIBE), "shared/area" + i + "/#"));
        }
        rules.add(rule(Effect.DENY, Set.of(Action.PUBLISH), "devices/${client.id}/telemetry/audit"));
        rules.add(rule(Effect.DENY, Set.of(Action.RECEIVE, Action.SUBSCRIBE), "broadcast/internal/#"));
        acl = ClientAcl.compile(rules, AclVariables.of(Map.of("client.id", List.of("dev-42"),
            "jwt.claims.site", List.of("north"), "tenant", List.of("acme"))));
        repeating = new String[16];
        for (int i = 0; i < repeating.length; i++) {
            repeating[i] = "devices/dev-42/telemetry/sensor" + i;
        }
        distinct = new String[DISTINCT];
        for (int i = 0; i < DISTINCT; i++) {
            distinct[i] = i % 2 == 0 ? "shared/area" + (i % 5) + "/room" + i : "devices/dev-42/events/e" + i;
        }
    }

    private static PolicyRule rule(Effect effect, Set<Action> actions, String filter) {
        return new PolicyRule(effect, actions, List.of(FilterTemplate.parse(filter)));
    }

    @Benchmark
    public boolean publishRepeatingTopic() {
        return acl.mayPublish(repeating[next++ & (repeating.length - 1)]);
    }

    @Benchmark
    public boolean publishDistinctTopic() {
        return acl.mayPublish(distinct[next++ & (DISTINCT - 1)]);
    }

    @Benchmark
    public boolean subscribe() {
        return acl.maySubscribe((next++ & 1) == 0 ? "devices/dev-42/commands/+/reboot" : "broadcast/news/#");
    }

    @Benchmark
    public boolean receive() {
        return acl.mayReceive((next++ & 1) == 0 ? "broadcast/internal/x" : "broadcast/news/today");
    }
}
