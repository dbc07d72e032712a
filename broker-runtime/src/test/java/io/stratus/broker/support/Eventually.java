package io.stratus.broker.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for broker state that no packet signals (a session that expired, a connection the broker
 * has noticed is gone) by checking it in short steps up to a bound. Prefer a packet or a marker
 * message whenever there is one.
 */
public final class Eventually {

    private static final long STEP_MILLIS = 10;

    private Eventually() {
    }

    /** @throws AssertionError naming {@code what} if the condition does not hold within the timeout */
    public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
            }
            Thread.sleep(STEP_MILLIS);
        }
    }
}
