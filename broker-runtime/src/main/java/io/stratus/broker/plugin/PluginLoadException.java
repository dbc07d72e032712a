package io.stratus.broker.plugin;

/** A plugin JAR could not be loaded; the message says why, naming the file. */
public final class PluginLoadException extends Exception {

    public PluginLoadException(String message) {
        super(message);
    }

    public PluginLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
