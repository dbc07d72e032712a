package io.stratus.broker.tenant;

import io.stratus.broker.auth.AuthMethodSettings;
import io.stratus.broker.auth.x509.CertificateSerial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a standalone broker's tenants current with its tenants file ({@code tenants.file}): checks
 * the file every {@code tenants.reload-interval-seconds}, and when its content changed and still
 * reads as a whole valid file, serves the new version ({@link ReloadingTenantDirectory#replace}) and
 * applies its revocations to the connections already open: a certificate added to
 * {@code revoked-serials} ends the connections that use it within one interval.
 *
 * <p>A file that cannot be read or is not valid (half written, a typo) is logged once and the
 * version in use is kept; the next valid version is taken as usual. Each check looks at the file's
 * modification time and size first and reads it only when they moved (or when the time is so recent
 * that a second write in the same clock tick could hide behind it); a file whose bytes did not change
 * (touched, or rewritten the same) is not parsed again.
 *
 * <p>{@link #check()} reads a file: run it on a scheduler of its own, never on an event loop
 * ({@link #start} makes one). Not thread-safe: one thread calls it.
 */
public final class TenantsFileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TenantsFileWatcher.class);
    /** A modification time this close to the check may be followed by another write with the same time. */
    private static final long RACY_MILLIS = 2_000;

    private final Path file;
    private final ReloadingTenantDirectory directory;
    private final Tenants tenants;
    private long lastModifiedMillis;
    private long lastSize;
    private byte[] lastDigest;
    private ScheduledExecutorService scheduler;

    /**
     * @param file      the tenants file, as read at start-up into {@code directory}
     * @param directory what the broker serves; replaced with each new version
     * @param tenants   the tenants' spaces, whose open connections hear of revocations
     */
    public TenantsFileWatcher(Path file, ReloadingTenantDirectory directory, Tenants tenants) {
        this.file = Objects.requireNonNull(file, "file");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        try {
            byte[] bytes = Files.readAllBytes(file);
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            lastModifiedMillis = attributes.lastModifiedTime().toMillis();
            lastSize = attributes.size();
            lastDigest = digest(bytes);
        } catch (IOException e) {
            LOG.warn("tenants.file {} cannot be read to watch it: {}", file, e.toString());
        }
    }

    /**
     * Checks the file every {@code intervalSeconds} on a daemon thread of its own until closed.
     *
     * @return the running watcher
     */
    public static TenantsFileWatcher start(Path file, ReloadingTenantDirectory directory, Tenants tenants,
                                           int intervalSeconds) {
        TenantsFileWatcher watcher = new TenantsFileWatcher(file, directory, tenants);
        watcher.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "stratus-tenants-reload");
            thread.setDaemon(true);
            return thread;
        });
        watcher.scheduler.scheduleWithFixedDelay(() -> {
            try {
                watcher.check();
            } catch (RuntimeException e) {
                // a failed check must not cancel the ones that follow
                LOG.warn("tenants.file {}: checking for changes failed", file, e);
            }
        }, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
        return watcher;
    }

    /** Stops the checks {@link #start} scheduled. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /**
     * Looks at the file once; serves its new version if it changed and is valid.
     *
     * @return whether a new version is served now
     */
    public boolean check() {
        byte[] bytes;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            long modified = attributes.lastModifiedTime().toMillis();
            boolean racy = System.currentTimeMillis() - modified < RACY_MILLIS;
            if (modified == lastModifiedMillis && attributes.size() == lastSize && !racy) {
                return false;
            }
            lastModifiedMillis = modified;
            lastSize = attributes.size();
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            if (lastDigest != null) {
                LOG.warn("tenants.file {} cannot be read; the tenants in use are kept: {}", file, e.toString());
                lastDigest = null; // logged once; the next readable version is compared afresh
            }
            return false;
        }
        byte[] digest = digest(bytes);
        if (Arrays.equals(digest, lastDigest)) {
            return false;
        }
        lastDigest = digest;
        TenantsFile.Contents contents;
        try {
            contents = TenantsFile.parse(bytes, file.toString());
        } catch (TenantsFile.InvalidTenantsFile e) {
            LOG.warn("tenants.file changed but cannot be used; the tenants in use are kept: {}", e.getMessage());
            return false;
        }
        directory.replace(StaticTenantDirectory.of(contents));
        int closed = applyRevocations(contents);
        LOG.info("tenants.file {} reloaded: {} tenants; {} connections with a revoked certificate ended", file,
            contents.tenants().size(), closed);
        return true;
    }

    /** @return how many open connections were told that their certificate is revoked */
    private int applyRevocations(TenantsFile.Contents contents) {
        int told = 0;
        for (TenantSpace space : tenants.all()) {
            TenantSettings settings = contents.tenants().get(space.id());
            if (settings == null) {
                continue;
            }
            List<CertificateSerial> revoked = new ArrayList<>();
            for (AuthMethodSettings m : settings.auth()) {
                if (m instanceof AuthMethodSettings.X509 x509) {
                    revoked.addAll(x509.revoked());
                }
            }
            told += space.liveCertificates().revokeAll(revoked);
        }
        return told;
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
