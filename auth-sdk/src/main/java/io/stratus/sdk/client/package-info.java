/**
 * Who a client is once the broker has authenticated it: {@link io.stratus.sdk.client.ClientIdentity}.
 * All values here are immutable and safe to share between threads.
 *
 * @since 1.0
 */
package io.stratus.sdk.client;
