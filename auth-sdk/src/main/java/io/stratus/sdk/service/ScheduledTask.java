package io.stratus.sdk.service;

import io.stratus.sdk.annotation.DoNotImplement;

/**
 * A task scheduled with {@link PluginScheduler}, which can be cancelled.
 *
 * <p>Thread-safe.
 *
 * @since 1.0
 */
@DoNotImplement
public interface ScheduledTask {

    /**
     * Cancels the task: it does not run again, though a run already under way finishes.
     *
     * @return true if this call cancelled it, false if it had already been cancelled or, for a one-shot
     *     task, had already run
     * @since 1.0
     */
    boolean cancel();

    /**
     * @return whether the task was cancelled, by {@link #cancel()} or because the plugin stopped
     * @since 1.0
     */
    boolean isCancelled();
}
