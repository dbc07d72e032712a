package io.stratus.broker.tenant;

import io.stratus.broker.support.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tenants file checked for changes: a valid new version replaces the tenants, anything else keeps them. */
class TenantsFileWatcherTest {

    private static final String ONE = "{\"tenants\": [{\"id\": \"acme\", \"auth\": [{\"type\": \"anonymous\"}]}]}";
    private static final String TWO = "{\"tenants\": [{\"id\": \"acme\", \"auth\": [{\"type\": \"anonymous\"}]},"
        + " {\"id\": \"globex\", \"auth\": [{\"type\": \"anonymous\"}]}]}";

    @TempDir
    Path dir;

    private static TenantId id(String s) {
        return new TenantId(s);
    }

    @Test
    void servesANewValidVersionAndIgnoresTheSameBytesWrittenAgain() {
        Path file = dir.resolve("tenants.json");
        TestPki.write(file, ONE);
        ReloadingTenantDirectory directory = new ReloadingTenantDirectory(
            StaticTenantDirectory.of(TenantsFile.parse(ONE.getBytes(StandardCharsets.UTF_8), "test")));
        TenantsFileWatcher watcher = new TenantsFileWatcher(file, directory, new Tenants(10));

        assertFalse(watcher.check(), "unchanged");
        TestPki.write(file, ONE);
        assertFalse(watcher.check(), "rewritten with the same bytes: not parsed again");
        TestPki.write(file, TWO);
        assertTrue(watcher.check());
        assertTrue(directory.tenant(id("globex")).isPresent());
    }

    @Test
    void keepsTheTenantsInUseWhenTheNewVersionIsInvalidOrGone() {
        Path file = dir.resolve("tenants.json");
        TestPki.write(file, TWO);
        StaticTenantDirectory initial = StaticTenantDirectory.of(TenantsFile.parse(TWO.getBytes(StandardCharsets.UTF_8),
            "test"));
        ReloadingTenantDirectory directory = new ReloadingTenantDirectory(initial);
        TenantsFileWatcher watcher = new TenantsFileWatcher(file, directory, new Tenants(10));

        TestPki.write(file, "{\"tenants\": [{\"id\": \"acme\", \"auht\": []}]}");
        assertFalse(watcher.check(), "a typo");
        TestPki.write(file, "{\"tenants\": [");
        assertFalse(watcher.check(), "half written");
        assertTrue(file.toFile().delete());
        assertFalse(watcher.check(), "deleted");

        assertSame(initial, directory.current());
        TestPki.write(file, ONE);
        assertTrue(watcher.check(), "the next valid version is taken");
        assertFalse(directory.tenant(id("globex")).isPresent());
    }
}
