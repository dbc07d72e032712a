package io.stratus.sdk.service;

import io.stratus.sdk.annotation.DoNotImplement;

/**
 * A monotonically increasing count the plugin reports, such as logins checked against a back end.
 *
 * <p>Thread-safe and cheap enough to call on every message.
 *
 * @since 1.0
 */
@DoNotImplement
public interface Counter {

    /**
     * Adds one.
     *
     * @since 1.0
     */
    void increment();

    /**
     * Adds an amount.
     *
     * @param amount how much, zero or more
     * @throws IllegalArgumentException if it is negative
     * @since 1.0
     */
    void add(long amount);

    /**
     * @return the count so far
     * @since 1.0
     */
    long count();
}
