package io.stratus.broker.plugin;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Set;

/**
 * The parent of every plugin's class loader: it sees the JDK (through the platform class loader) and
 * the SDK's API packages (through the broker's own loader), and nothing else. A plugin therefore
 * cannot load Netty, the broker's classes, the broker's libraries or another plugin's classes, and
 * two plugins may bundle different versions of one library without conflict.
 *
 * <p>The SDK classes a plugin sees are the broker's own {@code Class} objects, which is what lets the
 * broker call a plugin through SDK interfaces at all. The SDK's non-API package
 * ({@code io.stratus.sdk.internal}) stays hidden, as its module descriptor hides it.
 */
final class SdkOnlyClassLoader extends ClassLoader {

    /** The packages {@code module-info.java} of the SDK exports; a test checks the two agree. */
    static final Set<String> API_PACKAGES = Set.of(
        "io.stratus.sdk",
        "io.stratus.sdk.annotation",
        "io.stratus.sdk.auth",
        "io.stratus.sdk.client",
        "io.stratus.sdk.hook",
        "io.stratus.sdk.message",
        "io.stratus.sdk.service");

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader sdkLoader;

    /** @param sdkLoader the loader that loaded the SDK's classes (the broker's) */
    SdkOnlyClassLoader(ClassLoader sdkLoader) {
        super("stratus-sdk", ClassLoader.getPlatformClassLoader());
        this.sdkLoader = sdkLoader;
    }

    /** Asked only after the platform class loader did not find the class. */
    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        int dot = name.lastIndexOf('.');
        if (dot > 0 && API_PACKAGES.contains(name.substring(0, dot))) {
            return sdkLoader.loadClass(name);
        }
        throw new ClassNotFoundException(name + " is neither in the JDK nor in the plugin SDK's API");
    }

    @Override
    protected URL findResource(String name) {
        return isApiResource(name) ? sdkLoader.getResource(name) : null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        // Only the SDK's own copy: the broker's class path may hold other files of the same name.
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Set.of(url));
    }

    private static boolean isApiResource(String name) {
        int slash = name.lastIndexOf('/');
        return slash > 0 && API_PACKAGES.contains(name.substring(0, slash).replace('/', '.'));
    }
}
