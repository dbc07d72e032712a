package io.stratus.broker.protocol;

import io.netty.util.concurrent.EventExecutor;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The connect deadlines and keep-alive checks of every connection on one event loop, swept by one
 * periodic task on that loop. A timer, a scheduled task and an idle-state handler per connection
 * cost about 300 bytes each and a timer-queue operation on every connect; with tens of thousands of
 * mostly idle connections per broker that is the largest share of their memory. Here a connection
 * costs one slot in an array, and the sweep is a pass over that array every {@link #SWEEP_MILLIS}.
 *
 * <p>A deadline is therefore honoured up to one sweep late (never early: see {@link Watched}).
 * Only the event loop that owns the sweeper touches it.
 */
final class DeadlineSweeper {

    /** How often deadlines are looked at: the lateness they may have. */
    static final long SWEEP_MILLIS = 250;
    private static final int INITIAL_CAPACITY = 64;

    /** What a sweeper watches: one connection. Its methods run on the sweeper's event loop. */
    interface Watched {
        /**
         * @param nowNanos {@link DeadlineSweeper#nanoTime()} at this sweep
         * @return whether its deadline has passed; it is then no longer watched and {@link #expire} runs
         */
        boolean isExpired(long nowNanos);

        /** Its deadline has passed: end it. */
        void expire();

        /** @return its slot in the sweeper, -1 when not watched */
        int sweepSlot();

        void sweepSlot(int slot);
    }

    /** One sweeper per event loop, created on first use. */
    public static final class PerLoop {
        private final Map<EventExecutor, DeadlineSweeper> sweepers = new ConcurrentHashMap<>();

        /** @return the sweeper of the given event loop */
        DeadlineSweeper of(EventExecutor loop) {
            return sweepers.computeIfAbsent(loop, DeadlineSweeper::new);
        }
    }

    private final EventExecutor loop;
    private Watched[] watched = new Watched[INITIAL_CAPACITY];
    private int size;
    private boolean running;

    private DeadlineSweeper(EventExecutor loop) {
        this.loop = loop;
    }

    /** Watches a connection; on the sweeper's loop only. Watching it twice has no effect. */
    void add(Watched w) {
        assert loop.inEventLoop();
        if (w.sweepSlot() >= 0) {
            return;
        }
        if (size == watched.length) {
            watched = Arrays.copyOf(watched, size * 2);
        }
        watched[size] = w;
        w.sweepSlot(size++);
        if (!running) {
            running = true;
            loop.scheduleAtFixedRate(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops watching a connection; on the sweeper's loop only. Idempotent. */
    void remove(Watched w) {
        int slot = w.sweepSlot();
        if (slot >= 0) {
            removeAt(slot);
        }
    }

    /** @return how many connections are watched (tests) */
    int size() {
        return size;
    }

    private void removeAt(int slot) {
        Watched gone = watched[slot];
        Watched last = watched[--size];
        watched[slot] = last;
        last.sweepSlot(slot);
        watched[size] = null;
        gone.sweepSlot(-1);
        // give back what a storm of connections grew, once most of them are gone
        if (watched.length > INITIAL_CAPACITY && size < watched.length / 4) {
            watched = Arrays.copyOf(watched, Math.max(INITIAL_CAPACITY, watched.length / 2));
        }
    }

    /** @return the time deadlines are measured in: the loop's own clock, which tests can advance */
    long nanoTime() {
        return loop.ticker().nanoTime();
    }

    private void sweep() {
        long now = nanoTime();
        // from the end: a removal moves the last element, already looked at, into the freed slot
        for (int i = size - 1; i >= 0; i--) {
            Watched w = watched[i];
            if (w.isExpired(now)) {
                removeAt(i);
                w.expire();
            }
        }
    }
}
