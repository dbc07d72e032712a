package io.stratus.broker.plugin;

import io.stratus.sdk.StratusPlugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginLoaderTest {

    @TempDir
    Path work;

    private PluginJars jars;
    private PluginLoader loader;
    private final List<LoadedPlugin> loaded = new ArrayList<>();

    @BeforeEach
    void setUp() {
        jars = new PluginJars(work.resolve("build"));
        loader = new PluginLoader(work.resolve("staging"));
    }

    @AfterEach
    void closeLoaded() {
        loaded.forEach(LoadedPlugin::close);
    }

    @Test
    void loadsAPluginThroughServiceLoaderInAClassLoaderOfItsOwn() throws Exception {
        Path jar = jars.probe("probe", "1.2.0", "1").writeTo(work.resolve("plugins/probe.jar"));

        LoadedPlugin plugin = load(jar);

        assertEquals("probe", plugin.id());
        assertEquals("1.2.0", plugin.jar().version());
        assertEquals(PluginJars.PROBE_CLASS, plugin.pluginClassName());
        assertInstanceOf(URLClassLoader.class, plugin.classLoader());
        StratusPlugin instance = plugin.newInstance();
        assertSame(plugin.classLoader(), instance.getClass().getClassLoader());
        assertNotSame(instance, plugin.newInstance(), "one instance per tenant needs a new instance per call");
    }

    @Test
    void hidesNettyTheBrokerAndItsLibrariesFromAPlugin() throws Exception {
        ClassLoader plugin = load(jars.probe("probe", "1", "1").writeTo(work.resolve("plugins/probe.jar"))).classLoader();

        for (String hidden : List.of("io.netty.buffer.ByteBuf", "io.netty.handler.codec.mqtt.MqttMessage",
            "io.stratus.broker.plugin.PluginHost", "io.stratus.broker.StratusBroker", "org.slf4j.Logger",
            "io.stratus.sdk.internal.Checks")) {
            assertThrows(ClassNotFoundException.class, () -> plugin.loadClass(hidden), hidden);
        }
    }

    @Test
    void showsAPluginTheBrokersOwnSdkClassesAndTheJdk() throws Exception {
        ClassLoader plugin = load(jars.probe("probe", "1", "1").writeTo(work.resolve("plugins/probe.jar"))).classLoader();

        assertSame(StratusPlugin.class, plugin.loadClass(StratusPlugin.class.getName()));
        assertSame(io.stratus.sdk.message.PublishPacket.class, plugin.loadClass("io.stratus.sdk.message.PublishPacket"));
        assertEquals("java.sql", plugin.loadClass("java.sql.Connection").getModule().getName());
    }

    @Test
    void hidesOnePluginFromAnother() throws Exception {
        LoadedPlugin a = load(jars.probe("a", "1", "1").writeTo(work.resolve("plugins/a.jar")));
        LoadedPlugin b = load(jars.probe("b", "1", "1").writeTo(work.resolve("plugins/b.jar")));

        Class<?> aClass = a.classLoader().loadClass(PluginJars.PROBE_CLASS);
        Class<?> bClass = b.classLoader().loadClass(PluginJars.PROBE_CLASS);

        assertNotSame(aClass, bClass);
        assertSame(a.classLoader(), aClass.getClassLoader());
        assertSame(b.classLoader(), bClass.getClassLoader());
    }

    @Test
    void letsTwoPluginsBundleConflictingVersionsOfOneLibrary() throws Exception {
        LoadedPlugin a = load(jars.probe("a", "1", "lib-1.0").writeTo(work.resolve("plugins/a.jar")));
        LoadedPlugin b = load(jars.probe("b", "1", "lib-2.0").writeTo(work.resolve("plugins/b.jar")));

        assertEquals("lib-1.0", greeting(a));
        assertEquals("lib-2.0", greeting(b));
    }

    @Test
    void takesTheIdFromTheFileNameWhenTheManifestHasNone() throws Exception {
        Path jar = jars.probe("ignored", "1", "1").withoutAttribute(PluginJar.ID_ATTRIBUTE)
            .withoutAttribute(PluginJar.VERSION_ATTRIBUTE).writeTo(work.resolve("plugins/Device-Auth.jar"));

        LoadedPlugin plugin = load(jar);

        assertEquals("device-auth", plugin.id());
        assertEquals(PluginJar.UNKNOWN_VERSION, plugin.jar().version());
    }

    @Test
    void refusesAJarWithoutAPlugin() throws Exception {
        Path jar = jars.probe("probe", "1", "1").withoutServices().writeTo(work.resolve("plugins/probe.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> loader.load(jar));

        assertTrue(e.getMessage().contains("exactly one StratusPlugin") && e.getMessage().contains("names 0"),
            e.getMessage());
        assertStagingIsEmpty();
    }

    @Test
    void refusesAJarWithTwoPlugins() throws Exception {
        Path jar = jars.probe("probe", "1", "1")
            .source("com.example.probe.Second", """
                package com.example.probe;
                public final class Second implements io.stratus.sdk.StratusPlugin {
                    public void start(io.stratus.sdk.PluginContext context) {
                    }
                }
                """)
            .service("com.example.probe.Second").writeTo(work.resolve("plugins/probe.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> loader.load(jar));

        assertTrue(e.getMessage().contains("names 2"), e.getMessage());
    }

    @Test
    void refusesAJarThatNamesAMissingClass() throws Exception {
        Path jar = jars.probe("probe", "1", "1").service("com.example.probe.Missing").writeTo(work.resolve("plugins/p.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> loader.load(jar));

        assertTrue(e.getMessage().contains("p.jar"), e.getMessage());
    }

    @Test
    void refusesAnIdThatIsNotPlain() throws Exception {
        Path jar = jars.probe("../evil id", "1", "1").writeTo(work.resolve("plugins/probe.jar"));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> loader.load(jar));

        assertTrue(e.getMessage().contains(PluginJar.ID_ATTRIBUTE), e.getMessage());
    }

    @Test
    void refusesAFileThatIsNotAJar() throws Exception {
        Path notAJar = Files.createDirectories(work.resolve("plugins")).resolve("broken.jar");
        Files.write(notAJar, new byte[] {'P', 'K', 3, 4, 1, 2, 3});

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> loader.load(notAJar));

        assertTrue(e.getMessage().contains("broken.jar"), e.getMessage());
        assertStagingIsEmpty();
    }

    @Test
    void loadsFromACopySoTheOriginalMayBeReplacedWhileInUse() throws Exception {
        Path jar = jars.probe("probe", "1", "before").writeTo(work.resolve("plugins/probe.jar"));
        LoadedPlugin plugin = load(jar);

        Files.write(jar, new byte[] {1, 2, 3}); // overwritten in place, not replaced atomically

        assertEquals("before", greeting(plugin));
    }

    @Test
    void deletesItsCopyWhenClosed() throws Exception {
        LoadedPlugin plugin = loader.load(jars.probe("probe", "1", "1").writeTo(work.resolve("plugins/probe.jar")));

        plugin.close();

        assertStagingIsEmpty();
    }

    @Test
    void exposesExactlyThePackagesTheSdkModuleExports() throws Exception {
        ModuleDescriptor sdk = readSdkDescriptor();

        Set<String> exported = sdk.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());

        assertEquals("io.stratus.sdk", sdk.name());
        assertEquals(exported, SdkOnlyClassLoader.API_PACKAGES);
        assertFalse(sdk.requires().stream().anyMatch(r -> !r.name().startsWith("java.")),
            "the SDK depends on the JDK alone: " + sdk.requires());
    }

    private LoadedPlugin load(Path jar) throws PluginLoadException {
        LoadedPlugin plugin = loader.load(jar);
        loaded.add(plugin);
        return plugin;
    }

    private static String greeting(LoadedPlugin plugin) throws ReflectiveOperationException {
        return (String) plugin.classLoader().loadClass("com.example.lib.Greeting").getMethod("version").invoke(null);
    }

    private void assertStagingIsEmpty() throws IOException {
        try (var files = Files.list(work.resolve("staging"))) {
            assertEquals(List.of(), files.toList());
        }
    }

    private static ModuleDescriptor readSdkDescriptor() throws IOException {
        Path sdk = PluginJars.sdkLocation();
        if (Files.isDirectory(sdk)) {
            try (InputStream in = Files.newInputStream(sdk.resolve("module-info.class"))) {
                return ModuleDescriptor.read(in);
            }
        }
        try (JarFile jar = new JarFile(sdk.toFile()); InputStream in = jar.getInputStream(jar.getEntry("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }
}
