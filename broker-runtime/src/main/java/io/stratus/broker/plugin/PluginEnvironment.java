package io.stratus.broker.plugin;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads and services every plugin host shares. Four pools, each for one kind of work, so that
 * a plugin misbehaving in one cannot starve the others:
 * <ul>
 *   <li>{@code callbacks}: runs plugins' callbacks, so that plugin code never runs on an event loop.
 *       Its queue is bounded; a plugin may hold at most a quarter of its threads past their timeouts
 *       (see {@link CallbackGuard}).</li>
 *   <li>{@code timer}: fires callback timeouts. It never runs plugin code, so a plugin that blocks
 *       cannot delay another plugin's timeout.</li>
 *   <li>{@code tasks}: runs the tasks plugins schedule.</li>
 *   <li>{@code lifecycle}: runs {@code start} and {@code stop}, which may block; a thread stuck in a
 *       plugin that never returns is abandoned after the timeout and the pool makes another.</li>
 * </ul>
 */
public final class PluginEnvironment implements AutoCloseable {

    private static final int TASK_THREADS = 2;
    private static final int DEFAULT_CALLBACK_QUEUE = 10_000;

    private final PluginRuntimeServices services;
    private final ThreadPoolExecutor callbacks;
    private final int maxBlockedPerPlugin;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService tasks;
    private final ExecutorService lifecycle;

    /** With callback threads sized to the machine: four per core, at least eight. */
    public PluginEnvironment(PluginRuntimeServices services) {
        this(services, Math.max(8, 4 * Runtime.getRuntime().availableProcessors()), DEFAULT_CALLBACK_QUEUE);
    }

    /**
     * @param callbackThreads threads that run plugins' callbacks
     * @param callbackQueue   callbacks that may wait for a thread; beyond it a call gets its fallback
     */
    public PluginEnvironment(PluginRuntimeServices services, int callbackThreads, int callbackQueue) {
        this.services = services;
        this.callbacks = new ThreadPoolExecutor(callbackThreads, callbackThreads, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(callbackQueue), daemonThreads("stratus-plugin-callback"));
        this.maxBlockedPerPlugin = Math.max(1, callbackThreads / 4);
        this.timer = scheduler("stratus-plugin-timer", 1);
        this.tasks = scheduler("stratus-plugin-tasks", TASK_THREADS);
        this.lifecycle = Executors.newCachedThreadPool(daemonThreads("stratus-plugin-lifecycle"));
    }

    PluginRuntimeServices services() {
        return services;
    }

    ExecutorService callbacks() {
        return callbacks;
    }

    int maxBlockedPerPlugin() {
        return maxBlockedPerPlugin;
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
        callbacks.shutdownNow();
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
