/**
 * Hooks on a message's way through the broker, and listeners to clients' lifecycles.
 *
 * <p>An {@link io.stratus.sdk.hook.InboundPublishHook} sees every message a client publishes, after
 * authorization and before routing; an {@link io.stratus.sdk.hook.OutboundDeliveryHook} sees every
 * message before it is delivered to a subscriber. Each may pass the message unchanged, replace it or
 * drop it. When a tenant enables several plugins with hooks they run in the tenant's plugin order,
 * each seeing what the one before it passed on; a drop ends the chain.
 *
 * <p>All values here are immutable and safe to share between threads.
 *
 * @since 1.0
 */
package io.stratus.sdk.hook;
