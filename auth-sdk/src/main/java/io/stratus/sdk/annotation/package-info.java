/**
 * Annotations that state how SDK types may be used.
 *
 * @since 1.0
 */
package io.stratus.sdk.annotation;
