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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Runs one plugin instance's code so that nothing it does can hurt the broker: every call runs with
 * the plugin's class loader as the thread's context class loader, everything it throws (short of a
 * {@link VirtualMachineError}) is caught, an answer that is null, exceptional or late is replaced by
 * the callback's fallback, and each such failure is counted and logged with the tenant and plugin.
 *
 * <p>Timeouts need no thread per call: a shared timer completes the result with the fallback unless
 * the plugin answered first, and an answer the plugin gives synchronously (the common case) never
 * touches the timer.
 *
 * <p>Results complete on whichever thread settles them: the caller's, the plugin's own executor, or
 * the timer. Callers that must continue on their own thread (an event loop) hop back to it.
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
    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong unlogged = new AtomicLong();

    CallbackGuard(TenantId tenant, String pluginId, ClassLoader pluginLoader, PluginStats stats,
                  ScheduledExecutorService timer) {
        this.tenant = tenant;
        this.pluginId = pluginId;
        this.pluginLoader = pluginLoader;
        this.stats = stats;
        this.timer = timer;
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
        CompletableFuture<T> result = new CompletableFuture<>();
        // Whoever settles the call first (the plugin's answer or the timeout) counts it, before
        // completing the result, so a caller woken by the result sees the counters already updated.
        AtomicBoolean claimed = new AtomicBoolean();
        CompletableFuture<T> answer;
        ClassLoader previous = enter();
        try {
            CompletionStage<T> stage = invocation.get();
            if (stage == null) {
                failed(callback, "returned null instead of a CompletionStage", describe(fallback), null);
                result.complete(fallback);
                return result;
            }
            answer = asFuture(stage);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            failed(callback, "throws", describe(fallback), t);
            result.complete(fallback);
            return result;
        } finally {
            leave(previous);
        }
        if (!answer.isDone()) {
            ScheduledFuture<?> deadline;
            try {
                deadline = timer.schedule(() -> {
                    if (claimed.compareAndSet(false, true)) {
                        stats.timedOut();
                        report(callback, "did not answer within " + timeout.toMillis() + " ms", describe(fallback), null);
                        result.complete(fallback);
                    }
                }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // The broker is shutting down and its timer with it: do not wait for the plugin.
                result.complete(fallback);
                return result;
            }
            result.whenComplete((v, e) -> deadline.cancel(false));
        }
        answer.whenComplete((value, error) -> {
            if (claimed.compareAndSet(false, true)) {
                settle(callback, result, fallback, nullIsAnswer, value, error);
            }
        });
        return result;
    }

    private <T> void settle(String callback, CompletableFuture<T> result, T fallback, boolean nullIsAnswer,
                            T value, Throwable error) {
        if (error != null) {
            failed(callback, "failed", describe(fallback), unwrap(error));
            result.complete(fallback);
        } else if (value == null && !nullIsAnswer) {
            failed(callback, "answered null", describe(fallback), null);
            result.complete(fallback);
        } else {
            result.complete(value);
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
