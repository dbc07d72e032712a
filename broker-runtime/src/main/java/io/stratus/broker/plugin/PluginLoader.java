package io.stratus.broker.plugin;

import io.stratus.sdk.StratusPlugin;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * Opens plugin JARs, each in a class loader of its own whose parent sees only the SDK and the JDK, and
 * finds its {@link StratusPlugin} with {@link ServiceLoader}.
 *
 * <p>Each JAR is first copied to a staging directory and loaded from the copy: the plugins directory's
 * file may then be replaced or deleted at any time (an operator copying a new version over it) without
 * corrupting classes the running version has yet to load.
 */
public final class PluginLoader {

    private final Path stagingDirectory;
    private final SdkOnlyClassLoader parent;
    private final AtomicLong copies = new AtomicLong();

    /**
     * @param stagingDirectory where to keep the copies of loaded JARs; created if missing
     */
    public PluginLoader(Path stagingDirectory) {
        this.stagingDirectory = stagingDirectory;
        this.parent = new SdkOnlyClassLoader(StratusPlugin.class.getClassLoader());
    }

    /**
     * Loads one plugin JAR.
     *
     * @throws PluginLoadException naming the file if it cannot be read, its id is not valid, or it does
     *     not provide exactly one {@link StratusPlugin}
     */
    public LoadedPlugin load(Path jar) throws PluginLoadException {
        Path staged;
        String sha256;
        try {
            Files.createDirectories(stagingDirectory);
            staged = stagingDirectory.resolve("plugin-" + copies.incrementAndGet() + "-" + jar.getFileName());
            sha256 = copyWithDigest(jar, staged);
        } catch (IOException e) {
            throw new PluginLoadException("cannot read plugin " + jar + ": " + e, e);
        }
        URLClassLoader loader = null;
        try {
            PluginJar descriptor = describe(jar, staged, sha256);
            loader = new URLClassLoader("plugin-" + descriptor.id(), new URL[] {staged.toUri().toURL()}, parent);
            ServiceLoader.Provider<StratusPlugin> provider = onlyProvider(jar, loader);
            return new LoadedPlugin(descriptor, loader, provider, staged);
        } catch (PluginLoadException | MalformedURLException | RuntimeException | LinkageError e) {
            closeQuietly(loader);
            deleteQuietly(staged);
            if (e instanceof PluginLoadException) {
                throw (PluginLoadException) e;
            }
            throw new PluginLoadException("cannot load plugin " + jar + ": " + e, e);
        }
    }

    /** Computes the digest while copying, so the JAR is read once and the digest is of the copy loaded. */
    private static String copyWithDigest(Path from, Path to) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(from), digest)) {
            Files.copy(in, to);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static PluginJar describe(Path source, Path staged, String sha256) throws PluginLoadException {
        Attributes attributes;
        try (JarFile jar = new JarFile(staged.toFile())) {
            Manifest manifest = jar.getManifest();
            attributes = manifest == null ? new Attributes() : manifest.getMainAttributes();
        } catch (IOException e) {
            throw new PluginLoadException("plugin " + source + " is not a readable JAR: " + e, e);
        }
        String id = attributes.getValue(PluginJar.ID_ATTRIBUTE);
        if (id == null) {
            String file = source.getFileName().toString();
            id = (file.endsWith(".jar") ? file.substring(0, file.length() - 4) : file).toLowerCase(Locale.ROOT);
        }
        id = id.trim();
        if (!id.matches(PluginJar.ID_PATTERN)) {
            throw new PluginLoadException("plugin " + source + " has the id '" + id + "', which does not match "
                + PluginJar.ID_PATTERN + "; set the manifest attribute " + PluginJar.ID_ATTRIBUTE);
        }
        String version = attributes.getValue(PluginJar.VERSION_ATTRIBUTE);
        return new PluginJar(source, id, version == null ? PluginJar.UNKNOWN_VERSION : version.trim(), sha256);
    }

    private static ServiceLoader.Provider<StratusPlugin> onlyProvider(Path jar, ClassLoader loader)
        throws PluginLoadException {
        List<ServiceLoader.Provider<StratusPlugin>> providers;
        try {
            providers = ServiceLoader.load(StratusPlugin.class, loader).stream().collect(Collectors.toList());
        } catch (ServiceConfigurationError e) {
            throw new PluginLoadException("plugin " + jar + " names a StratusPlugin it cannot provide: "
                + e.getMessage(), e);
        }
        if (providers.size() != 1) {
            throw new PluginLoadException("plugin " + jar + " must name exactly one StratusPlugin in META-INF/services/"
                + StratusPlugin.class.getName() + ", names " + providers.size()
                + (providers.isEmpty() ? "" : ": " + providers.stream().map(p -> p.type().getName()).toList()));
        }
        return providers.get(0);
    }

    private static void closeQuietly(URLClassLoader loader) {
        if (loader != null) {
            try {
                loader.close();
            } catch (IOException ignored) {
                // Already failing; the load error is what matters.
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover copy in the staging directory is harmless.
        }
    }
}
