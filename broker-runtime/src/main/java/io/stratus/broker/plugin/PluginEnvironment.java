package io.stratus.broker.plugin;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads and services every plugin host shares. Three pools, each for one kind of work, so that
 * a plugin misbehaving in one cannot starve the others:
 * <ul>
 *   <li>{@code timer}: fires callback timeouts. It never runs plugin code, so a plugin that blocks
 *       cannot delay another plugin's timeout.</li>
 *   <li>{@code tasks}: runs the tasks plugins schedule.</li>
 *   <li>{@code lifecycle}: runs {@code start} and {@code stop}, which may block; a thread stuck in a
 *       plugin that never returns is abandoned after the timeout and the pool makes another.</li>
 * </ul>
 */
public final class PluginEnvironment implements AutoCloseable {

    private static final int TASK_THREADS = 2;

    private final PluginRuntimeServices services;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService tasks;
    private final ExecutorService lifecycle;

    public PluginEnvironment(PluginRuntimeServices services) {
        this.services = services;
        this.timer = scheduler("stratus-plugin-timer", 1);
        this.tasks = scheduler("stratus-plugin-tasks", TASK_THREADS);
        this.lifecycle = Executors.newCachedThreadPool(daemonThreads("stratus-plugin-lifecycle"));
    }

    PluginRuntimeServices services() {
        return services;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    ScheduledExecutorService tasks() {
        return tasks;
    }

    ExecutorService lifecycle() {
        return lifecycle;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        tasks.shutdownNow();
        lifecycle.shutdownNow();
    }

    private static ScheduledExecutorService scheduler(String name, int threads) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, daemonThreads(name));
        // Cancelled timeouts are the common case (the callback answered in time): drop them at once
        // instead of keeping them queued until their deadline.
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
