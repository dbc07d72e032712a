/**
 * Application messages as plugins see and make them: {@link io.stratus.sdk.message.PublishPacket}
 * and its parts. All values here are immutable and safe to share between threads.
 *
 * @since 1.0
 */
package io.stratus.sdk.message;
