package io.stratus.broker.protocol;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadlineSweeperTest {

    /** Its loop's clock is a mock that only the test advances. */
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final DeadlineSweeper sweeper = new DeadlineSweeper.PerLoop().of(channel.eventLoop());
    private final List<String> expired = new ArrayList<>();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private final class Deadline implements DeadlineSweeper.Watched {
        final String name;
        final long at;
        int slot = -1;

        Deadline(String name, long afterMillis) {
            this.name = name;
            this.at = sweeper.nanoTime() + TimeUnit.MILLISECONDS.toNanos(afterMillis);
        }

        @Override
        public boolean isExpired(long nowNanos) {
            return nowNanos - at >= 0;
        }

        @Override
        public void expire() {
            expired.add(name);
        }

        @Override
        public int sweepSlot() {
            return slot;
        }

        @Override
        public void sweepSlot(int slot) {
            this.slot = slot;
        }
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
    }

    @Test
    void expiresEachDeadlineAtTheFirstSweepAfterItAndNeverBefore() {
        Deadline early = new Deadline("early", 600);
        Deadline late = new Deadline("late", 1_100);
        sweeper.add(early);
        sweeper.add(late);

        advance(500);
        assertEquals(List.of(), expired, "nothing is due at 500 ms");
        advance(250);
        assertEquals(List.of("early"), expired);
        advance(500);
        assertEquals(List.of("early", "late"), expired);
        assertEquals(0, sweeper.size());
        assertEquals(-1, early.sweepSlot());
    }

    @Test
    void keepsWatchingEveryOtherConnectionWhenSomeAreRemovedOrExpireInOneSweep() {
        // given 1,000 watched connections, every third due in the first sweep
        List<Deadline> all = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Deadline d = new Deadline("d" + i, i % 3 == 0 ? 100 : 10_000);
            all.add(d);
            sweeper.add(d);
        }
        // and every fifth removed before it (a connection that closed)
        for (int i = 0; i < 1_000; i += 5) {
            sweeper.remove(all.get(i));
            sweeper.remove(all.get(i)); // idempotent
        }

        advance(DeadlineSweeper.SWEEP_MILLIS);

        long dueAndWatched = all.stream().filter(d -> {
            int i = Integer.parseInt(d.name.substring(1));
            return i % 3 == 0 && i % 5 != 0;
        }).count();
        assertEquals(dueAndWatched, expired.size());
        assertEquals(1_000 - 200 - dueAndWatched, sweeper.size());
        // every connection still watched knows its true slot, so removing it removes it and no other
        for (Deadline d : all) {
            if (d.sweepSlot() >= 0) {
                sweeper.remove(d);
            }
        }
        assertEquals(0, sweeper.size());
        assertTrue(expired.stream().distinct().count() == expired.size(), "each expired once");
    }
}
