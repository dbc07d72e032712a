package io.stratus.broker.plugin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the plugins directory for JARs that appear, change or disappear, by polling on a daemon
 * thread of its own, never on an event loop. Polling rather than a {@link java.nio.file.WatchService}
 * because it also works on network and container-mounted file systems, where change events may never
 * arrive, and because it can tell a JAR that is still being copied from one that is complete.
 *
 * <p>A JAR counts as changed when its size, modification time or file identity changes, and is
 * reported only once it looks the same on two scans in a row, so a JAR being copied in is not loaded
 * half-written. JARs present at the first scan (the broker starting) are reported at once. Files whose
 * names start with {@code .} are ignored, so a deployment can copy to {@code .name.jar} and rename.
 */
public final class PluginDirectoryWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginDirectoryWatcher.class);

    /** What the watcher reports to; calls come from the watcher's thread (or {@link #scan()}'s caller). */
    public interface Listener {

        /** A JAR appeared or changed, and is complete. */
        void jarChanged(Path jar);

        /** A JAR that was reported before is gone. */
        void jarRemoved(Path jar);
    }

    private record Fingerprint(long size, FileTime modified, Object fileKey) {
    }

    private final Path directory;
    private final Listener listener;
    private final Map<Path, Fingerprint> reported = new HashMap<>();
    private final Map<Path, Fingerprint> settling = new HashMap<>();
    private boolean firstScan = true;
    private boolean listingFailed;
    private ScheduledExecutorService poller;

    public PluginDirectoryWatcher(Path directory, Listener listener) {
        this.directory = directory;
        this.listener = listener;
    }

    /**
     * Scans now, then every {@code interval} on the watcher's thread.
     */
    public synchronized void start(Duration interval) {
        if (poller != null) {
            throw new IllegalStateException("already started");
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stratus-plugin-watcher");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::scanSafely, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Compares the directory with the last scan and reports what changed. Public so that the broker can
     * load its plugins before it accepts connections, and tests can drive the watcher step by step.
     */
    public synchronized void scan() {
        Map<Path, Fingerprint> now;
        try {
            now = list();
            if (listingFailed) {
                LOG.info("plugins directory {} is readable again", directory);
                listingFailed = false;
            }
        } catch (IOException e) {
            // Unreadable is not empty: keep the loaded plugins rather than unload them all.
            if (!listingFailed) {
                LOG.warn("cannot list the plugins directory {}: {}; plugins stay as they are", directory, e.toString());
                listingFailed = true;
            }
            return;
        }
        for (Path gone : new HashSet<>(reported.keySet())) {
            if (!now.containsKey(gone)) {
                reported.remove(gone);
                listener.jarRemoved(gone);
            }
        }
        settling.keySet().retainAll(now.keySet());
        now.forEach((jar, fingerprint) -> {
            if (fingerprint.equals(reported.get(jar))) {
                settling.remove(jar);
            } else if (firstScan || fingerprint.equals(settling.get(jar))) {
                settling.remove(jar);
                reported.put(jar, fingerprint);
                listener.jarChanged(jar);
            } else {
                settling.put(jar, fingerprint);
            }
        });
        firstScan = false;
    }

    private void scanSafely() {
        try {
            scan();
        } catch (RuntimeException | LinkageError e) {
            // An exception would cancel the periodic scan for good.
            LOG.error("scanning the plugins directory {} failed", directory, e);
        }
    }

    private Map<Path, Fingerprint> list() throws IOException {
        Map<Path, Fingerprint> jars = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().startsWith(".")) {
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(entry, BasicFileAttributes.class);
                } catch (IOException e) {
                    continue; // deleted between listing and reading: the next scan sees it gone
                }
                if (a.isRegularFile()) {
                    jars.put(entry, new Fingerprint(a.size(), a.lastModifiedTime(), a.fileKey()));
                }
            }
        }
        return jars;
    }

    /** @return the JARs reported and not removed since */
    synchronized Set<Path> reported() {
        return Set.copyOf(reported.keySet());
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    @Override
    public String toString() {
        return "PluginDirectoryWatcher[" + Objects.toString(directory) + "]";
    }
}
