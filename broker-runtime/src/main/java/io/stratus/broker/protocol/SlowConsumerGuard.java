package io.stratus.broker.protocol;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Decides when a client that does not take what the broker sends it is cut off, so that what the
 * broker holds for it is bounded in time as well as in size. Once a connection's outbound buffer
 * passes its high-water mark, Netty counts it as unwritable; its session then queues for it, within
 * the session's limits, and drops what is beyond them. The connection is closed when
 * <ul>
 *   <li>a message for it is dropped while it is unwritable: its session's queue overflowed, so the
 *       client has fallen behind by more than the broker keeps for it; or</li>
 *   <li>it stays unwritable for longer than {@code limits.slow-consumer-timeout} (0 turns this off).</li>
 * </ul>
 * A client that reads but does not acknowledge stays writable: it only loses what overflows its queue.
 *
 * <p>Nothing here runs per message: one check is scheduled each time the connection becomes
 * unwritable and cancelled when it drains. Confined to the channel's event loop.
 */
final class SlowConsumerGuard {

    /**
     * The user event a connection fires through its pipeline when its session dropped a message for
     * it while it was unwritable ({@link io.stratus.broker.session.Session.Link#overflowed()}).
     */
    static final Object OVERFLOWED = new Object() {
        @Override
        public String toString() {
            return "SlowConsumerGuard.OVERFLOWED";
        }
    };

    private final Channel channel;
    private final int timeoutSeconds;
    private final Consumer<String> disconnect;
    private ScheduledFuture<?> check;

    /**
     * @param timeoutSeconds how long the connection may stay unwritable; 0 for no limit
     * @param disconnect     ends the connection, given why (for the log)
     */
    SlowConsumerGuard(Channel channel, int timeoutSeconds, Consumer<String> disconnect) {
        this.channel = channel;
        this.timeoutSeconds = timeoutSeconds;
        this.disconnect = disconnect;
    }

    /** Call on each change of the channel's writability. */
    void writabilityChanged() {
        if (channel.isWritable()) {
            cancel();
        } else if (timeoutSeconds > 0 && check == null) {
            check = channel.eventLoop().schedule(this::checkStillUnwritable, timeoutSeconds, TimeUnit.SECONDS);
        }
    }

    private void checkStillUnwritable() {
        check = null;
        if (!channel.isWritable()) {
            disconnect.accept("unwritable for " + timeoutSeconds + " s");
        }
    }

    /** Call when the session reports {@link #OVERFLOWED}; the connection may have drained meanwhile. */
    void overflowed() {
        if (!channel.isWritable()) {
            disconnect.accept("queue overflowed while the connection was full");
        }
    }

    /** Stops the timer; call when the connection ends. */
    void cancel() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
