package io.stratus.broker.tenant;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The publish rate buckets, on a clock the test moves. */
class RateBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsABurstOfOneSecondThenRefusesUntilTimeRefillsIt() {
        RateBucket bucket = new RateBucket.Local(10, 0);

        for (int i = 0; i < 10; i++) {
            assertTrue(bucket.tryTake(1, 0), "take " + i);
        }
        assertFalse(bucket.tryTake(1, 0));
        assertFalse(bucket.tryTake(1, SECOND / 20), "half a unit later");
        assertTrue(bucket.tryTake(1, SECOND / 10), "one unit later");
        assertFalse(bucket.tryTake(1, SECOND / 10));
        for (int i = 0; i < 10; i++) {
            assertTrue(bucket.tryTake(1, 5 * SECOND), "full again after a pause: take " + i);
        }
    }

    @Test
    void aRefusedTakeTakesNothing() {
        RateBucket bytes = new RateBucket.Local(1000, 0);
        assertTrue(bytes.tryTake(900, 0));

        assertFalse(bytes.tryTake(200, 0));
        assertTrue(bytes.tryTake(100, 0), "the 200 refused did not count");
    }

    @Test
    void letsATakeLargerThanOneSecondPassOnlyWhenFullAndThenOwesIt() {
        RateBucket bytes = new RateBucket.Local(1000, 0);

        assertTrue(bytes.tryTake(3000, 0), "full: an oversize packet passes");
        assertFalse(bytes.tryTake(1, 2 * SECOND), "its debt runs for three seconds");
        assertTrue(bytes.tryTake(1, 3 * SECOND));
    }

    @Test
    void sharedBucketNeverLetsMoreThroughThanItsBurstUnderContention() throws Exception {
        RateBucket.Shared bucket = new RateBucket.Shared(1000, 0);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> taken = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            taken.add(threads.submit(() -> {
                start.await();
                int n = 0;
                for (int i = 0; i < 1000; i++) {
                    if (bucket.tryTake(1, 0)) {
                        n++;
                    }
                }
                return n;
            }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : taken) {
            total += f.get();
        }
        threads.shutdown();

        assertEquals(1000, total, "exactly one second's worth at one instant, whoever took it");
    }
}
