package io.stratus.broker.plugin;

import io.stratus.broker.plugin.RecordingServices.Published;
import io.stratus.broker.tenant.TenantId;
import io.stratus.sdk.PluginConfiguration;
import io.stratus.sdk.auth.AuthResult;
import io.stratus.sdk.auth.ConnectRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loading, enabling, replacing and removing real plugin JARs, built in the test, with the plugins
 * reporting what they see through the SDK's publisher.
 */
class PluginManagerTest {

    private static final TenantId ACME = new TenantId("acme");
    private static final TenantId GLOBEX = new TenantId("globex");

    @TempDir
    Path work;

    private final RecordingServices services = new RecordingServices();
    private PluginEnvironment environment;
    private PluginManager manager;
    private PluginJars jars;
    private Path plugins;

    @BeforeEach
    void setUp() throws Exception {
        environment = new PluginEnvironment(services);
        manager = new PluginManager(new PluginLoader(work.resolve("staging")), environment);
        jars = new PluginJars(work.resolve("build"));
        plugins = Files.createDirectories(work.resolve("plugins"));
    }

    @AfterEach
    void tearDown() {
        manager.close();
        environment.close();
    }

    @Test
    void runsAPluginInItsOwnLoaderThatSeesOnlyTheSdkAndTheJdk() throws Exception {
        Path jar = jars.probe("probe", "1.0", "lib-1").writeTo(plugins.resolve("probe.jar"));
        manager.enable(ACME, "probe", PluginConfiguration.empty(), PluginTimeouts.DEFAULTS);

        manager.jarChanged(jar);

        Map<String, String> seen = started();
        assertEquals("hidden", seen.get("netty"));
        assertEquals("hidden", seen.get("broker"));
        assertEquals("hidden", seen.get("slf4j"));
        assertEquals("hidden", seen.get("sdk-internal"));
        assertEquals("visible", seen.get("sdk"));
        assertEquals("visible", seen.get("jdk"));
        assertEquals("plugin", seen.get("tccl"));
    }

    @Test
    void startsAnInstancePerTenantWithThatTenantsConfiguration() throws Exception {
        manager.jarChanged(jars.probe("probe", "1.0", "lib-1").writeTo(plugins.resolve("probe.jar")));

        manager.enable(ACME, "probe", PluginConfiguration.of(Map.of("user", "alice")), PluginTimeouts.DEFAULTS);
        Map<String, String> acme = started();
        manager.enable(GLOBEX, "probe", PluginConfiguration.of(Map.of("user", "bob")), PluginTimeouts.DEFAULTS);
        Map<String, String> globex = started();

        assertEquals("acme", acme.get("tenant"));
        assertEquals("alice", acme.get("user"));
        assertEquals("globex", globex.get("tenant"));
        assertEquals("bob", globex.get("user"));
        assertNotEquals(acme.get("instance"), globex.get("instance"));
        assertEquals(AuthResult.allow(), authenticate(ACME, "alice"));
        assertEquals(AuthResult.next(), authenticate(ACME, "bob"));
        assertEquals(AuthResult.allow(), authenticate(GLOBEX, "bob"));
    }

    @Test
    void runsTwoPluginsThatBundleConflictingVersionsOfALibrary() throws Exception {
        manager.enable(ACME, "first", PluginConfiguration.empty(), PluginTimeouts.DEFAULTS);
        manager.enable(ACME, "second", PluginConfiguration.empty(), PluginTimeouts.DEFAULTS);

        manager.jarChanged(jars.probe("first", "1.0", "lib-1.0").writeTo(plugins.resolve("first.jar")));
        manager.jarChanged(jars.probe("second", "1.0", "lib-2.0").writeTo(plugins.resolve("second.jar")));

        assertEquals("lib-1.0", started().get("greeting"));
        assertEquals("lib-2.0", started().get("greeting"));
        assertEquals(List.of("first", "second"), manager.hosts(ACME).stream().map(h -> h.jar().id()).toList());
    }

    @Test
    void replacesAPluginWhoseJarChangesWithoutRestarting() throws Exception {
        Path jar = runningProbe();
        LoadedPlugin v1 = manager.loadedPlugin("probe").orElseThrow();

        manager.jarChanged(jars.probe("probe", "2.0", "lib-2").writeTo(jar));

        // The new version starts first, so the tenant is never without the plugin; then the old one stops.
        Published first = services.next();
        Published second = services.next();
        assertEquals("probe/started", first.topic());
        assertEquals("2.0", first.fields().get("version"));
        assertEquals("probe/stopped", second.topic());
        assertEquals("1.0", second.fields().get("version"));
        assertEquals("2.0", manager.hosts(ACME).get(0).jar().version());
        assertNull(v1.classLoader().getResource(PluginJars.PROBE_CLASS.replace('.', '/') + ".class"),
            "the old version's class loader is closed");
        assertEquals(1, manager.loaded().size());
    }

    @Test
    void doesNotReloadAJarWhoseContentDidNotChange() throws Exception {
        Path jar = runningProbe();
        PluginHost host = manager.hosts(ACME).get(0);

        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        manager.jarChanged(jar);

        assertTrue(services.isEmpty(), "the plugin was restarted");
        assertEquals(host, manager.hosts(ACME).get(0));
    }

    @Test
    void keepsTheRunningVersionWhenTheNewJarCannotBeLoaded() throws Exception {
        Path jar = runningProbe();

        Files.write(jar, new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'j', 'a', 'r'});
        manager.jarChanged(jar);

        assertTrue(services.isEmpty(), "the running version was stopped");
        assertEquals("1.0", manager.hosts(ACME).get(0).jar().version());
        assertEquals(AuthResult.allow(), authenticate(ACME, "alice"));
    }

    @Test
    void unloadsAPluginWhoseJarIsDeleted() throws Exception {
        Path jar = runningProbe();

        Files.delete(jar);
        manager.jarRemoved(jar);

        assertEquals("probe/stopped", services.next().topic());
        assertEquals(List.of(), manager.hosts(ACME));
        assertEquals(List.of(), manager.loaded());
        try (var staged = Files.list(work.resolve("staging"))) {
            assertEquals(List.of(), staged.toList());
        }
    }

    @Test
    void startsAnEnabledPluginWhenItsJarArrivesAndStopsItWhenDisabled() throws Exception {
        manager.enable(ACME, "probe", PluginConfiguration.empty(), PluginTimeouts.DEFAULTS);
        assertEquals(List.of(), manager.hosts(ACME));

        manager.jarChanged(jars.probe("probe", "1.0", "lib-1").writeTo(plugins.resolve("probe.jar")));
        started();
        manager.disable(ACME, "probe");

        assertEquals("probe/stopped", services.next().topic());
        assertEquals(List.of(), manager.hosts(ACME));
        assertEquals(1, manager.loaded().size(), "disabling for one tenant keeps the JAR loaded");
    }

    @Test
    void restartsAPluginWithItsNewConfiguration() throws Exception {
        manager.jarChanged(jars.probe("probe", "1.0", "lib-1").writeTo(plugins.resolve("probe.jar")));
        manager.enable(ACME, "probe", PluginConfiguration.of(Map.of("user", "alice")), PluginTimeouts.DEFAULTS);
        started();

        manager.enable(ACME, "probe", PluginConfiguration.of(Map.of("user", "carol")), PluginTimeouts.DEFAULTS);

        assertEquals("carol", started().get("user"));
        assertEquals("probe/stopped", services.next().topic());
        assertEquals(AuthResult.allow(), authenticate(ACME, "carol"));
        assertEquals(AuthResult.next(), authenticate(ACME, "alice"));
    }

    @Test
    void doesNotRunAPluginWhoseStartFailsAndCountsIt() throws Exception {
        manager.jarChanged(jars.probe("probe", "1.0", "lib-1").writeTo(plugins.resolve("probe.jar")));

        manager.enable(ACME, "probe", PluginConfiguration.of(Map.of("fail-start", "true")), PluginTimeouts.DEFAULTS);

        assertEquals(List.of(), manager.hosts(ACME));
        assertEquals(1, manager.stats(ACME, "probe").orElseThrow().startFailures());
    }

    @Test
    void ignoresASecondJarWithAnIdAlreadyLoaded() throws Exception {
        runningProbe();

        manager.jarChanged(jars.probe("probe", "9.9", "lib-9").writeTo(plugins.resolve("copy-of-probe.jar")));

        assertTrue(services.isEmpty());
        assertEquals("1.0", manager.hosts(ACME).get(0).jar().version());
    }

    @Test
    void followsTheDirectoryThroughItsWatcher() throws Exception {
        manager.enable(ACME, "probe", PluginConfiguration.empty(), PluginTimeouts.DEFAULTS);
        Path jar = jars.probe("probe", "1.0", "lib-1").writeTo(plugins.resolve("probe.jar"));
        try (PluginDirectoryWatcher watcher = new PluginDirectoryWatcher(plugins, manager)) {
            watcher.scan();
            assertEquals("1.0", started().get("version"), "JARs present at the first scan load at once");

            jars.probe("probe", "2.0", "lib-2").writeTo(jar);
            watcher.scan();
            assertTrue(services.isEmpty(), "a changed JAR waits for a second look, in case it is still being copied");
            watcher.scan();
            assertEquals("2.0", started().get("version"));
            assertEquals("probe/stopped", services.next().topic());

            Files.delete(jar);
            watcher.scan();
            assertEquals("probe/stopped", services.next().topic());
            assertEquals(List.of(), manager.hosts(ACME));
        }
    }

    @Test
    void picksUpANewJarOnItsOwnThread() throws Exception {
        manager.enable(ACME, "probe", PluginConfiguration.empty(), PluginTimeouts.DEFAULTS);
        try (PluginDirectoryWatcher watcher = new PluginDirectoryWatcher(plugins, manager)) {
            watcher.start(Duration.ofMillis(20));

            jars.probe("probe", "1.0", "lib-1").writeTo(plugins.resolve("probe.jar"));

            assertEquals("1.0", started().get("version"));
        }
    }

    @Test
    void ignoresFilesWhoseNameStartsWithADot() throws Exception {
        jars.probe("probe", "1.0", "lib-1").writeTo(plugins.resolve(".probe.jar"));
        try (PluginDirectoryWatcher watcher = new PluginDirectoryWatcher(plugins, manager)) {
            watcher.scan();

            assertEquals(List.of(), manager.loaded());
        }
    }

    /** Loads version 1.0 of the probe plugin, enabled for acme, and waits until it has started. */
    private Path runningProbe() throws Exception {
        manager.enable(ACME, "probe", PluginConfiguration.empty(), PluginTimeouts.DEFAULTS);
        Path jar = jars.probe("probe", "1.0", "lib-1").writeTo(plugins.resolve("probe.jar"));
        manager.jarChanged(jar);
        assertEquals("1.0", started().get("version"));
        return jar;
    }

    private Map<String, String> started() throws InterruptedException {
        Published p = services.next();
        assertEquals("probe/started", p.topic(), p.toString());
        return p.fields();
    }

    private AuthResult authenticate(TenantId tenant, String username) throws Exception {
        ConnectRequest request = ConnectRequest.builder().clientId("c").username(username)
            .remoteAddress(new InetSocketAddress("127.0.0.1", 1)).build();
        return manager.hosts(tenant).get(0).authenticate(request).get();
    }
}
