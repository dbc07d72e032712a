package io.stratus.sdk.service;

import io.stratus.sdk.annotation.DoNotImplement;

import java.time.Duration;

/**
 * Runs a plugin's tasks later or periodically, on threads the broker shares between plugins: to
 * refresh a cache, poll a back end, or expire state. The broker cancels every task of a plugin when
 * it stops the plugin, so a plugin need not track them to clean up.
 *
 * <p>Tasks must not block (use the plugin's own executor for blocking work) and should be short. A
 * task that throws is counted and logged with the tenant and plugin; a periodic task keeps its
 * schedule regardless.
 *
 * <p>Thread-safe.
 *
 * @since 1.0
 */
@DoNotImplement
public interface PluginScheduler {

    /**
     * Runs a task once after a delay.
     *
     * @param task  what to run
     * @param delay how long to wait, zero or more
     * @return a handle to cancel it
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the delay is negative
     * @throws IllegalStateException    if the plugin was stopped
     * @since 1.0
     */
    ScheduledTask schedule(Runnable task, Duration delay);

    /**
     * Runs a task periodically: first after {@code initialDelay}, then every {@code period} measured
     * from the start of one run to the next; a run that takes longer than the period delays the next,
     * never overlaps it.
     *
     * @param task         what to run
     * @param initialDelay how long to wait before the first run, zero or more
     * @param period       the time between runs, more than zero
     * @return a handle to cancel it
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the initial delay is negative or the period is not positive
     * @throws IllegalStateException    if the plugin was stopped
     * @since 1.0
     */
    ScheduledTask scheduleAtFixedRate(Runnable task, Duration initialDelay, Duration period);
}
