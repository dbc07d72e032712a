package io.stratus.broker.plugin;

import java.nio.file.Path;

/**
 * What identifies one version of a plugin JAR.
 *
 * @param source  the JAR in the plugins directory
 * @param id      the plugin's id: the manifest's {@code Stratus-Plugin-Id}, else the file name without
 *                {@code .jar}
 * @param version the manifest's {@code Stratus-Plugin-Version}, or {@code unknown}
 * @param sha256  the hex SHA-256 of the JAR's bytes, so a JAR that is touched but not changed is not
 *                reloaded
 */
public record PluginJar(Path source, String id, String version, String sha256) {

    /** Manifest attribute naming the plugin's id. */
    public static final String ID_ATTRIBUTE = "Stratus-Plugin-Id";
    /** Manifest attribute naming the plugin's version. */
    public static final String VERSION_ATTRIBUTE = "Stratus-Plugin-Version";
    /** The version of a JAR whose manifest names none. */
    public static final String UNKNOWN_VERSION = "unknown";

    /** Plugin ids appear in metrics, logs and configuration keys, so they are kept plain. */
    public static final String ID_PATTERN = "[a-z0-9][a-z0-9._-]{0,63}";

    @Override
    public String toString() {
        return id + " " + version + " (" + source.getFileName() + ")";
    }
}
