package io.stratus.broker.plugin;

import io.stratus.broker.tenant.TenantId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Runs one plugin instance's code so that nothing it does can hurt the broker: callbacks run on the
 * plugin threads, never on the caller's (an event loop), with the plugin's class loader as the
 * thread's context class loader; everything the plugin throws (short of a
 * {@link VirtualMachineError}) is caught; an answer that is null, exceptional or late is replaced by
 * the callback's fallback, and each such failure is counted and logged with the tenant and plugin.
 *
 * <p>Timeouts need no thread per call: a shared timer completes the result with the fallback unless
 * the plugin answered first. The timeout also covers a plugin that blocks the thread it is called on
 * instead of answering later; the caller is answered at the timeout all the same, and once the
 * plugin holds too many threads that way it is not called again until it gives some back, so it
 * cannot take every plugin thread from other tenants' plugins.
 *
 * <p>Results complete on whichever thread settles them: a plugin thread, the plugin's own executor,
 * or the timer. Callers that must continue on their own thread (an event loop) hop back to it.
 */
final class CallbackGuard {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackGuard.class);
    /** Failures of one plugin instance are logged at most this often; the counters see all of them. */
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final TenantId tenant;
    private final String pluginId;
    private final ClassLoader pluginLoader;
    private final PluginStats stats;
    private final ScheduledExecutorService timer;
    private final Executor executor;
    private final int maxBlocked;
    private final AtomicInteger blocked = new AtomicInteger();
    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong unlogged = new AtomicLong();

    /**
     * @param timer      fires timeouts; never runs plugin code
     * @param executor   runs the plugin's callbacks, so that its code never runs on the caller's thread
     * @param maxBlocked how many threads of {@code executor} the plugin may hold past their timeout before
     *                   further calls get the fallback without being made
     */
    CallbackGuard(TenantId tenant, String pluginId, ClassLoader pluginLoader, PluginStats stats,
                  ScheduledExecutorService timer, Executor executor, int maxBlocked) {
        this.tenant = tenant;
        this.pluginId = pluginId;
        this.pluginLoader = pluginLoader;
        this.stats = stats;
        this.timer = timer;
        this.executor = executor;
        this.maxBlocked = maxBlocked;
    }

    /** @return calls still holding a thread past their timeout */
    int blockedCalls() {
        return blocked.get();
    }

    /**
     * Calls a callback that answers with a value.
     *
     * @param callback   the callback's name, for the log
     * @param timeout    how long to wait for its answer
     * @param fallback   the answer to use if it fails, answers null or is late
     * @param invocation calls the plugin
     * @return a future that always completes normally, with the plugin's answer or the fallback
     */
    <T> CompletableFuture<T> call(String callback, Duration timeout, T fallback,
                                  Supplier<? extends CompletionStage<T>> invocation) {
        return guard(callback, timeout, fallback, false, invocation);
    }

    /**
     * Calls a notification, whose answer carries no value and whose failure has no consequence but
     * being counted and logged.
     *
     * @return a future that completes normally once the plugin is done, failed, or timed out
     */
    CompletableFuture<Void> notify(String callback, Duration timeout, Supplier<? extends CompletionStage<Void>> invocation) {
        return guard(callback, timeout, null, true, invocation);
    }

    /**
     * Runs plugin code synchronously, such as a scheduled task.
     *
     * @return whether it returned normally
     */
    boolean run(String what, Runnable code) {
        stats.called();
        ClassLoader previous = enter();
        try {
            code.run();
            return true;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            failed(what, "throws", "it is ignored", t);
            return false;
        } finally {
            leave(previous);
        }
    }

    /** Runs plugin code with the plugin's class loader as context class loader, and nothing else. */
    <T> T withContextLoader(Callable<T> code) throws Exception {
        ClassLoader previous = enter();
        try {
            return code.call();
        } finally {
            leave(previous);
        }
    }

    private <T> CompletableFuture<T> guard(String callback, Duration timeout, T fallback, boolean nullIsAnswer,
                                           Supplier<? extends CompletionStage<T>> invocation) {
        stats.called();
        Call<T> call = new Call<>(callback, timeout, fallback, nullIsAnswer);
        int blockedNow = blocked.get();
        if (blockedNow >= maxBlocked) {
            // The plugin holds threads it never gave back: do not give it more.
            call.fail("was not called: " + blockedNow + " earlier calls are still blocked in the plugin", null);
            return call.result;
        }
        ScheduledFuture<?> deadline;
        try {
            deadline = timer.schedule(call::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            call.fail("was not called: the broker is shutting down", null);
            return call.result;
        }
        call.result.whenComplete((v, e) -> deadline.cancel(false));
        try {
            executor.execute(() -> call.invoke(invocation));
        } catch (RejectedExecutionException e) {
            call.fail("was not called: the plugin threads' queue is full", null);
        }
        return call.result;
    }

    /**
     * One call of a callback. Whoever settles it first (the plugin's answer, its failure or the timeout)
     * counts it, before completing the result, so a caller woken by the result sees the counters
     * already updated. It also tracks whether the plugin still holds the calling thread, so that
     * threads a plugin blocks are known.
     */
    private final class Call<T> {

        private static final int QUEUED = 0;
        private static final int IN_PLUGIN = 1;
        private static final int RETURNED = 2;
        private static final int BLOCKED = 3;

        final CompletableFuture<T> result = new CompletableFuture<>();
        private final AtomicBoolean settled = new AtomicBoolean();
        private final AtomicInteger phase = new AtomicInteger(QUEUED);
        private final String callback;
        private final Duration timeout;
        private final T fallback;
        private final boolean nullIsAnswer;

        Call(String callback, Duration timeout, T fallback, boolean nullIsAnswer) {
            this.callback = callback;
            this.timeout = timeout;
            this.fallback = fallback;
            this.nullIsAnswer = nullIsAnswer;
        }

        /** Runs on a plugin-callback thread. */
        void invoke(Supplier<? extends CompletionStage<T>> invocation) {
            if (settled.get() || !phase.compareAndSet(QUEUED, IN_PLUGIN)) {
                return; // timed out while queued: the answer no longer matters
            }
            CompletableFuture<T> answer;
            ClassLoader previous = enter();
            try {
                CompletionStage<T> stage = invocation.get();
                answer = stage == null ? null : asFuture(stage);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                returned();
                fail("throws", t);
                return;
            } finally {
                leave(previous);
            }
            returned();
            if (answer == null) {
                fail("returned null instead of a CompletionStage", null);
                return;
            }
            answer.whenComplete(this::answered);
        }

        private void returned() {
            if (!phase.compareAndSet(IN_PLUGIN, RETURNED)) {
                blocked.decrementAndGet(); // it had been counted as blocked at the timeout
            }
        }

        private void answered(T value, Throwable error) {
            if (error != null) {
                fail("failed", unwrap(error));
            } else if (value == null && !nullIsAnswer) {
                fail("answered null", null);
            } else if (settled.compareAndSet(false, true)) {
                result.complete(value);
            }
        }

        void fail(String what, Throwable cause) {
            if (settled.compareAndSet(false, true)) {
                failed(callback, what, describe(fallback), cause);
                result.complete(fallback);
            }
        }

        /** Runs on the timer. */
        void expire() {
            if (settled.compareAndSet(false, true)) {
                stats.timedOut();
                boolean stillInPlugin = phase.compareAndSet(IN_PLUGIN, BLOCKED);
                if (stillInPlugin) {
                    blocked.incrementAndGet();
                }
                report(callback, (stillInPlugin ? "still blocks its thread after " : "did not answer within ")
                    + timeout.toMillis() + " ms", describe(fallback), null);
                result.complete(fallback);
            }
        }
    }

    /**
     * A plugin may return its own {@link CompletionStage} implementation, whose
     * {@code toCompletableFuture} is allowed to refuse.
     */
    private static <T> CompletableFuture<T> asFuture(CompletionStage<T> stage) {
        try {
            CompletableFuture<T> future = stage.toCompletableFuture();
            if (future != null) {
                return future;
            }
        } catch (UnsupportedOperationException ignored) {
            // relayed below
        }
        CompletableFuture<T> relay = new CompletableFuture<>();
        stage.whenComplete((v, e) -> {
            if (e != null) {
                relay.completeExceptionally(e);
            } else {
                relay.complete(v);
            }
        });
        return relay;
    }

    private ClassLoader enter() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(pluginLoader);
        return previous;
    }

    private static void leave(ClassLoader previous) {
        Thread.currentThread().setContextClassLoader(previous);
    }

    private void failed(String callback, String what, String consequence, Throwable cause) {
        stats.failed();
        report(callback, what, consequence, cause);
    }

    /** Logs the first failure and then at most one a {@link #LOG_INTERVAL_NANOS}, saying how many it skipped. */
    private void report(String callback, String what, String consequence, Throwable cause) {
        long now = System.nanoTime();
        long next = nextLogNanos.get();
        if (now - next < 0 || !nextLogNanos.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
            unlogged.incrementAndGet();
            return;
        }
        long skipped = unlogged.getAndSet(0);
        String more = skipped == 0 ? "" : " (" + skipped + " more failures of this plugin since the last report)";
        withTenant(tenant, () -> LOG.warn("plugin={} {} {}; {}{}", pluginId, callback, what, consequence, more, cause));
    }

    private static String describe(Object fallback) {
        return fallback == null ? "it is ignored" : "the fallback applies: " + fallback;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Runs logging code with the tenant in the MDC, as every log line of the broker has it. */
    static void withTenant(TenantId tenant, Runnable logging) {
        String previous = MDC.get("tenant");
        MDC.put("tenant", tenant.value());
        try {
            logging.run();
        } finally {
            if (previous == null) {
                MDC.remove("tenant");
            } else {
                MDC.put("tenant", previous);
            }
        }
    }
}
