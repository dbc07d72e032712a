package io.stratus.broker.routing;

import static io.stratus.broker.routing.Fixtures.match;
import static io.stratus.broker.routing.Fixtures.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class TopicTreeConcurrencyTest {

    private static final int WRITERS = 4;
    private static final int READERS = 4;
    private static final int ROUNDS = 2_000;
    private static final String[] TOPICS = {"site/1/temp", "site/2/temp", "site/1/humidity", "site/x/y/z", "$SYS/load"};

    @Test
    void concurrentSubscribesUnsubscribesAndMatchesNeverFailAndEndConsistent() throws InterruptedException {
        // given a tree with stable subscriptions that every match must see
        TopicTree tree = new TopicTree();
        TestSubscriber stable = new TestSubscriber("stable");
        tree.subscribe(subscription(stable, "site/#"));
        tree.subscribe(subscription(stable, "$share/stable/site/+/temp"));

        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean writersDone = new AtomicBoolean();
        AtomicLong matches = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();

        // when writers churn subscriptions on overlapping branches, so nodes are created and pruned
        // under the readers' feet, each writer keeping the subscriptions of its last round
        List<TestSubscriber> writerSubscribers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            TestSubscriber subscriber = new TestSubscriber("writer-" + w);
            writerSubscribers.add(subscriber);
            int id = w;
            writers.add(new Thread(() -> run(start, failures, () -> {
                for (int round = 0; round < ROUNDS; round++) {
                    String[] filters = filtersFor(id, round);
                    for (String f : filters) {
                        tree.subscribe(subscription(subscriber, f));
                    }
                    if (round < ROUNDS - 1) {
                        if (round % 2 == 0) {
                            tree.unsubscribeAll(subscriber);
                        } else {
                            for (String f : filters) {
                                assertTrue(tree.unsubscribe(subscriber, f), f);
                            }
                        }
                    }
                }
            })));
        }
        // and readers match continuously until the writers are done
        for (int r = 0; r < READERS; r++) {
            readers.add(new Thread(() -> run(start, failures, () -> {
                int i = 0;
                do {
                    String topic = TOPICS[i++ % TOPICS.length];
                    Fixtures.RecordingVisitor visits = match(tree, topic);
                    for (Subscription s : visits.subscriptions) {
                        assertTrue(s.filter().matches(topic), s.filter() + " visited for " + topic);
                    }
                    for (SharedGroup g : visits.groups) {
                        assertTrue(g.filter().matches(topic), g.filter() + " visited for " + topic);
                        g.pick(); // may be null if the group just emptied; must not throw
                    }
                    if (topic.startsWith("site/")) {
                        assertTrue(visits.subscriptions.stream().anyMatch(s -> s.subscriber() == stable),
                            "stable subscription missed for " + topic);
                    }
                    matches.incrementAndGet();
                } while (!writersDone.get());
            })));
        }
        writers.forEach(Thread::start);
        readers.forEach(Thread::start);
        start.countDown();
        for (Thread writer : writers) {
            writer.join();
        }
        writersDone.set(true);
        for (Thread reader : readers) {
            reader.join();
        }

        // then nothing failed, and exactly the stable and final-round subscriptions remain
        assertEquals(List.of(), new ArrayList<>(failures));
        assertTrue(matches.get() >= READERS);
        int perWriter = filtersFor(0, ROUNDS - 1).length;
        assertEquals(2 + WRITERS * perWriter, tree.subscriptionCount());
        Set<String> expectedNodes = new HashSet<>();
        for (int w = 0; w < WRITERS; w++) {
            for (String f : filtersFor(w, ROUNDS - 1)) {
                expectedNodes.add(f.startsWith("$share/") ? f.substring(f.indexOf('/', 7) + 1) : f);
            }
        }
        expectedNodes.add("site/#");
        expectedNodes.add("site/+/temp");
        assertEquals(countPrefixes(expectedNodes), tree.nodeCount());

        // and once everything is unsubscribed, the trie is empty again
        tree.unsubscribeAll(stable);
        writerSubscribers.forEach(tree::unsubscribeAll);
        assertEquals(0, tree.subscriptionCount());
        assertEquals(0, tree.nodeCount());
    }

    @Test
    void concurrentChurnOnTheSameFiltersLeavesAnEmptyTrie() throws InterruptedException {
        // given several threads each subscribing and unsubscribing the same filters with their own subscribers
        TopicTree tree = new TopicTree();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            TestSubscriber subscriber = new TestSubscriber("t" + t);
            threads.add(new Thread(() -> run(start, failures, () -> {
                for (int i = 0; i < 3_000; i++) {
                    tree.subscribe(subscription(subscriber, "a/b/" + (i % 7)));
                    tree.subscribe(subscription(subscriber, "$share/g/a/+/" + (i % 5)));
                    tree.match("a/b/" + (i % 7), new Fixtures.RecordingVisitor());
                    tree.unsubscribe(subscriber, "a/b/" + (i % 7));
                    tree.unsubscribe(subscriber, "$share/g/a/+/" + (i % 5));
                }
            })));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        // then every subscription and node is gone
        assertEquals(List.of(), new ArrayList<>(failures));
        assertEquals(0, tree.subscriptionCount());
        assertEquals(0, tree.nodeCount());
    }

    private static String[] filtersFor(int writer, int round) {
        int branch = round % 3;
        return new String[] {
            "site/" + branch + "/temp",
            "site/+/w" + writer + "/" + branch,
            "site/#",
            "$share/g" + branch + "/site/+/temp",
        };
    }

    /** The number of distinct non-empty prefixes (trie nodes) of a set of filters. */
    private static int countPrefixes(Set<String> filters) {
        Set<String> prefixes = new HashSet<>();
        for (String f : filters) {
            int slash = -1;
            do {
                slash = f.indexOf('/', slash + 1);
                prefixes.add(slash < 0 ? f : f.substring(0, slash));
            } while (slash >= 0);
        }
        return prefixes.size();
    }

    private static void run(CountDownLatch start, Queue<Throwable> failures, ThrowingRunnable body) {
        try {
            start.await();
            body.run();
        } catch (Throwable e) {
            failures.add(e);
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
