package io.stratus.sdk.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface that the broker implements and plugins only use. The SDK may add abstract
 * methods to such an interface in a minor release, which would break a plugin's own implementation;
 * interfaces without this mark, the callbacks a plugin implements, only ever gain default methods.
 *
 * <p>A plugin's unit tests may still implement these interfaces as test doubles, accepting that a
 * newer SDK can require changes to them.
 *
 * @since 1.0
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface DoNotImplement {
}
