package io.stratus.sdk.hook;

import io.stratus.sdk.internal.Checks;
import io.stratus.sdk.message.PublishPacket;

import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link InboundPublishHook} or {@link OutboundDeliveryHook} does with a message:
 * {@link #pass()} it on unchanged, {@link #replace(PublishPacket) replace} it (another topic, payload,
 * properties or QoS), or {@link #drop(String) drop} it.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 1.0
 */
public final class MessageDecision {

    /**
     * The kinds of decision.
     *
     * @since 1.0
     */
    public enum Action {

        /** Leave the message as it is. */
        PASS,

        /** Carry on with another message in its place. */
        REPLACE,

        /** Stop the message here. */
        DROP
    }

    private static final MessageDecision PASS = new MessageDecision(Action.PASS, null, null);

    private final Action action;
    private final PublishPacket packet;
    private final String reason;

    private MessageDecision(Action action, PublishPacket packet, String reason) {
        this.action = action;
        this.packet = packet;
        this.reason = reason;
    }

    /**
     * @return a decision that leaves the message as it is
     * @since 1.0
     */
    public static MessageDecision pass() {
        return PASS;
    }

    /**
     * Carries on with another message in this one's place, usually made with
     * {@link PublishPacket#toBuilder()}. Its topic stays within the tenant's namespace.
     *
     * @param packet the message to carry on with
     * @return the decision
     * @throws IllegalArgumentException naming {@code packet} if it is null
     * @since 1.0
     */
    public static MessageDecision replace(PublishPacket packet) {
        return new MessageDecision(Action.REPLACE, Checks.notNull("packet", packet), null);
    }

    /**
     * Stops the message. The drop is counted per tenant and plugin; the reason is logged at debug level
     * and must not contain the payload.
     *
     * @param reason why, for the logs
     * @return the decision
     * @throws IllegalArgumentException naming {@code reason} if it is null
     * @since 1.0
     */
    public static MessageDecision drop(String reason) {
        return new MessageDecision(Action.DROP, null, Checks.notNull("reason", reason));
    }

    /**
     * @return pass, replace or drop
     * @since 1.0
     */
    public Action action() {
        return action;
    }

    /**
     * @return the message a replace carries on with; empty otherwise
     * @since 1.0
     */
    public Optional<PublishPacket> packet() {
        return Optional.ofNullable(packet);
    }

    /**
     * @return why a drop drops; empty otherwise
     * @since 1.0
     */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /**
     * @param o another object
     * @return whether it is a decision with the same action, message and reason
     * @since 1.0
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MessageDecision)) {
            return false;
        }
        MessageDecision d = (MessageDecision) o;
        return action == d.action && Objects.equals(packet, d.packet) && Objects.equals(reason, d.reason);
    }

    /**
     * @return a hash consistent with {@link #equals(Object)}
     * @since 1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(action, packet, reason);
    }

    /**
     * @return the action and the replacement's description or the drop's reason
     * @since 1.0
     */
    @Override
    public String toString() {
        return "MessageDecision[" + action + (packet != null ? " " + packet : "") + (reason != null ? ": " + reason : "") + "]";
    }
}
