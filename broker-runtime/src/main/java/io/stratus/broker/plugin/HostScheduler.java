package io.stratus.broker.plugin;

import io.stratus.sdk.service.PluginScheduler;
import io.stratus.sdk.service.ScheduledTask;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One plugin instance's {@link PluginScheduler}, on the threads all plugins share. It remembers the
 * instance's tasks so that stopping the instance cancels them all, and runs each through the
 * instance's {@link CallbackGuard}, so a task that throws is counted and logged and a periodic one
 * keeps its schedule (a {@link ScheduledExecutorService} would cancel it).
 */
final class HostScheduler implements PluginScheduler {

    private final ScheduledExecutorService executor;
    private final CallbackGuard guard;
    private final Set<Task> tasks = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    HostScheduler(ScheduledExecutorService executor, CallbackGuard guard) {
        this.executor = executor;
        this.guard = guard;
    }

    @Override
    public ScheduledTask schedule(Runnable task, Duration delay) {
        check(task, delay, "delay");
        Task t = new Task(task, true);
        return t.start(executor.schedule(t, delay.toNanos(), TimeUnit.NANOSECONDS));
    }

    @Override
    public ScheduledTask scheduleAtFixedRate(Runnable task, Duration initialDelay, Duration period) {
        check(task, initialDelay, "initialDelay");
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        Task t = new Task(task, false);
        return t.start(executor.scheduleAtFixedRate(t, initialDelay.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** Cancels every task and refuses new ones. */
    void stop() {
        stopped = true;
        for (Task t : tasks) {
            t.cancel();
        }
    }

    /** @return tasks scheduled and not yet finished or cancelled */
    int pending() {
        return tasks.size();
    }

    private void check(Runnable task, Duration delay, String name) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(delay, name);
        if (delay.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + delay);
        }
        if (stopped) {
            throw new IllegalStateException("the plugin was stopped");
        }
    }

    private final class Task implements Runnable, ScheduledTask {

        private final Runnable code;
        private final boolean once;
        private volatile ScheduledFuture<?> future;

        Task(Runnable code, boolean once) {
            this.code = code;
            this.once = once;
        }

        Task start(ScheduledFuture<?> scheduled) {
            future = scheduled;
            tasks.add(this);
            if (stopped) {
                // stop() ran between check() and here and may have missed this task.
                cancel();
            }
            return this;
        }

        @Override
        public void run() {
            try {
                guard.run("scheduled task", code);
            } finally {
                if (once) {
                    tasks.remove(this);
                }
            }
        }

        @Override
        public boolean cancel() {
            tasks.remove(this);
            ScheduledFuture<?> f = future;
            return f != null && f.cancel(false);
        }

        @Override
        public boolean isCancelled() {
            ScheduledFuture<?> f = future;
            return f != null && f.isCancelled();
        }
    }
}
