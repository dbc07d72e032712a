package io.stratus.bench.jmh;

import io.stratus.broker.routing.InvalidTopicException;
import io.stratus.broker.routing.MatchVisitor;
import io.stratus.broker.routing.SharedGroup;
import io.stratus.broker.routing.Subscriber;
import io.stratus.broker.routing.Subscription;
import io.stratus.broker.routing.SubscriptionOptions;
import io.stratus.broker.routing.TopicFilter;
import io.stratus.broker.routing.TopicTree;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Matching one topic name against a topic tree of 100,000 subscriptions, one subscriber each
 * (shared: 10 per group). Topics look like {@code site/S/dev/D/temp} with S in 0..99 and D in
 * 0..999. What the tree holds ({@code kind}):
 * <ul>
 *   <li>{@code exact}: {@code site/S/dev/D/temp} for every S and D; a topic matches 1;</li>
 *   <li>{@code plus}: {@code site/S/+/D/temp}; a topic matches 1, found through a {@code +} node;</li>
 *   <li>{@code hash}: {@code site/S/dev/D/#}; a topic matches 1, found through a {@code #} node;</li>
 *   <li>{@code shared}: {@code $share/gS/site/S/dev/D/temp}, 10,000 filters with 10 members each;
 *       a topic matches one group, and one member is picked;</li>
 *   <li>{@code mixed}: 25,000 of each of the above (S below 25), plus 100 {@code site/S/#} and 1
 *       {@code #}; a topic has 6 matches (one of them a shared group), and 3 when it is one of the
 *       tenth that end in {@code humidity}.</li>
 * </ul>
 * Each invocation matches the next of 4,096 pre-built topics (a random spread, a tenth of which
 * match nothing), so the benchmark is not one hot path through the trie.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TopicTreeBenchmark {

    private static final int TOPICS = 4096;

    @Param({"exact", "plus", "hash", "shared", "mixed"})
    public String kind;

    private TopicTree tree;
    private String[] topics;
    private int next;

    /** A stand-in for a session: always online, compared by identity. */
    static final class BenchSubscriber implements Subscriber {
        private final String clientId;

        BenchSubscriber(String clientId) {
            this.clientId = clientId;
        }

        @Override
        public String clientId() {
            return clientId;
        }

        @Override
        public boolean isOnline() {
            return true;
        }
    }

    /** Counts matches and picks a shared member, as the router does. */
    static final class CountingVisitor implements MatchVisitor {
        int matches;
        Blackhole bh;

        @Override
        public void onSubscription(Subscription subscription) {
            matches++;
            bh.consume(subscription);
        }

        @Override
        public void onSharedGroup(SharedGroup group) {
            matches++;
            bh.consume(group.pick());
        }
    }

    private final CountingVisitor visitor = new CountingVisitor();

    @Setup(Level.Trial)
    public void setUp() throws InvalidTopicException {
        tree = new TopicTree();
        int n = 0;
        switch (kind) {
            case "exact" -> {
                for (int s = 0; s < 100; s++) {
                    for (int d = 0; d < 1000; d++) {
                        add("site/" + s + "/dev/" + d + "/temp", n++);
                    }
                }
            }
            case "plus" -> {
                for (int s = 0; s < 100; s++) {
                    for (int d = 0; d < 1000; d++) {
                        add("site/" + s + "/+/" + d + "/temp", n++);
                    }
                }
            }
            case "hash" -> {
                for (int s = 0; s < 100; s++) {
                    for (int d = 0; d < 1000; d++) {
                        add("site/" + s + "/dev/" + d + "/#", n++);
                    }
                }
            }
            case "shared" -> {
                for (int s = 0; s < 10; s++) {
                    for (int d = 0; d < 1000; d++) {
                        for (int m = 0; m < 10; m++) {
                            add("$share/g" + s + "/site/" + s + "/dev/" + d + "/temp", n++);
                        }
                    }
                }
            }
            case "mixed" -> {
                for (int s = 0; s < 25; s++) {
                    for (int d = 0; d < 1000; d++) {
                        add("site/" + s + "/dev/" + d + "/temp", n++);
                        add("site/" + s + "/+/" + d + "/temp", n++);
                        add("site/" + s + "/dev/" + d + "/#", n++);
                        add("$share/g/site/" + s + "/dev/" + d + "/temp", n++);
                    }
                }
                for (int s = 0; s < 100; s++) {
                    add("site/" + s + "/#", n++);
                }
                add("#", n++);
            }
            default -> throw new IllegalArgumentException(kind);
        }
        int sites = kind.equals("shared") ? 10 : kind.equals("mixed") ? 25 : 100;
        SplittableRandom random = new SplittableRandom(42);
        topics = new String[TOPICS];
        for (int i = 0; i < TOPICS; i++) {
            boolean miss = random.nextInt(10) == 0;
            int s = random.nextInt(sites);
            int d = random.nextInt(1000);
            topics[i] = miss ? "site/" + s + "/dev/" + d + "/humidity" : "site/" + s + "/dev/" + d + "/temp";
        }
    }

    private void add(String filter, int n) throws InvalidTopicException {
        TopicFilter f = TopicFilter.parse(filter, 65_535, 32);
        tree.subscribe(new Subscription(new BenchSubscriber("c" + n), f, SubscriptionOptions.ofQos(1), 0));
    }

    @Benchmark
    public int match(Blackhole bh) {
        String topic = topics[next];
        next = (next + 1) & (TOPICS - 1);
        visitor.bh = bh;
        visitor.matches = 0;
        tree.match(topic, visitor);
        return visitor.matches;
    }
}
