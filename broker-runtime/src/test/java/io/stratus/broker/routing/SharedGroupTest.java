package io.stratus.broker.routing;

import static io.stratus.broker.routing.Fixtures.filter;
import static io.stratus.broker.routing.Fixtures.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class SharedGroupTest {

    private static final String RAW = "$share/workers/jobs/#";

    private final TestSubscriber a = new TestSubscriber("a");
    private final TestSubscriber b = new TestSubscriber("b");
    private final TestSubscriber c = new TestSubscriber("c");
    private final SharedGroup group = new SharedGroup("workers", filter(RAW));

    private void join(TestSubscriber... subscribers) {
        for (TestSubscriber s : subscribers) {
            group.addOrReplace(subscription(s, RAW));
        }
    }

    private List<String> pick(int times) {
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            picked.add(group.pick().subscriber().clientId());
        }
        return picked;
    }

    @Test
    void pickRotatesRoundRobinWhenEveryMemberIsOnline() {
        join(a, b, c);
        assertEquals(List.of("a", "b", "c", "a", "b", "c", "a"), pick(7));
    }

    @Test
    void pickSkipsOfflineMembersAndStillRotatesAmongTheOnlineOnes() {
        // given b is offline
        join(a, b, c);
        b.setOnline(false);
        // then a and c take turns, evenly
        assertEquals(List.of("a", "c", "a", "c", "a", "c"), pick(6));
    }

    @Test
    void pickSkipsSeveralAdjacentOfflineMembers() {
        TestSubscriber d = new TestSubscriber("d");
        join(a, b, c, d);
        b.setOnline(false);
        c.setOnline(false);
        assertEquals(List.of("a", "d", "a", "d"), pick(4));
    }

    @Test
    void memberComingBackOnlineIsPickedAgain() {
        join(a, b);
        b.setOnline(false);
        assertEquals(List.of("a", "a"), pick(2));
        b.setOnline(true);
        List<String> picked = pick(4);
        assertEquals(2, picked.stream().filter("b"::equals).count(), picked.toString());
    }

    @Test
    void pickFallsBackToAnyMemberWhenNoneIsOnline() {
        // given every member offline
        join(a, b, c);
        a.setOnline(false);
        b.setOnline(false);
        c.setOnline(false);
        // then a member is still chosen, and the choice still rotates
        assertEquals(List.of("a", "b", "c", "a"), pick(4));
    }

    @Test
    void pickReturnsNullForAGroupWithNoMembers() {
        assertNull(group.pick());
        join(a);
        assertTrue(group.remove(a));
        assertNull(group.pick());
        assertTrue(group.isEmpty());
    }

    @Test
    void replacingAMemberKeepsItsPlaceInTheRotation() {
        join(a, b, c);
        Subscription newB = subscription(b, RAW, 2, 9);
        Subscription old = group.addOrReplace(newB);
        assertNotNull(old);
        assertEquals(3, group.size());
        assertSame(newB, group.members().get(1));
        assertEquals(List.of("a", "b", "c"), pick(3));
    }

    @Test
    void removingAnUnknownMemberChangesNothing() {
        join(a, b);
        assertFalse(group.remove(c));
        assertEquals(2, group.size());
    }

    @Test
    void concurrentPicksShareMessagesExactlyEvenlyAmongOnlineMembers() throws InterruptedException {
        // given three online members and four threads picking 30,000 times each
        join(a, b, c);
        int threads = 4;
        int picksPerThread = 30_000;
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    Map<String, Integer> local = new HashMap<>();
                    for (int i = 0; i < picksPerThread; i++) {
                        local.merge(group.pick().subscriber().clientId(), 1, Integer::sum);
                    }
                    local.forEach((k, v) -> counts.computeIfAbsent(k, x -> new AtomicInteger()).addAndGet(v));
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        // then each member got exactly a third: the cursor is one atomic counter
        assertEquals(List.of(), failures);
        assertEquals(40_000, counts.get("a").get());
        assertEquals(40_000, counts.get("b").get());
        assertEquals(40_000, counts.get("c").get());
    }
}
