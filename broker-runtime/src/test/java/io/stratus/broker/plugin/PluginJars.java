package io.stratus.broker.plugin;

import io.stratus.sdk.StratusPlugin;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds real plugin JARs in a test: compiles plugin sources against the SDK alone (as a customer's
 * build would) and packs them with a manifest and a {@code META-INF/services} entry.
 *
 * <p>{@link #probe} is the plugin most tests use. It reports what it sees through the one channel a
 * plugin has to the outside, the SDK's publisher: on start it publishes {@code probe/started} with
 * {@code key=value} pairs (its version, the version of the library class it bundles, its tenant and
 * configuration, which classes it can load), and on stop {@code probe/stopped}.
 */
final class PluginJars {

    static final String PROBE_CLASS = "com.example.probe.ProbePlugin";

    private static final String PROBE_SOURCE = """
        package com.example.probe;

        import io.stratus.sdk.PluginContext;
        import io.stratus.sdk.StratusPlugin;
        import io.stratus.sdk.auth.AuthResult;
        import io.stratus.sdk.message.PublishPacket;
        import java.nio.charset.StandardCharsets;
        import java.util.concurrent.CompletableFuture;

        public final class ProbePlugin implements StratusPlugin {

            private PluginContext context;

            @Override
            public void start(PluginContext context) {
                this.context = context;
                if (context.configuration().getBoolean("fail-start", false)) {
                    throw new IllegalStateException("configured to fail");
                }
                String user = context.configuration().getString("user", "alice");
                context.registerAuthenticator(request -> CompletableFuture.completedStage(
                    request.username().filter(user::equals).isPresent() ? AuthResult.allow() : AuthResult.next()));
                report("probe/started", "version=" + context.pluginVersion()
                    + ";greeting=" + com.example.lib.Greeting.version()
                    + ";tenant=" + context.tenantId()
                    + ";user=" + user
                    + ";instance=" + System.identityHashCode(this)
                    + ";netty=" + visibility("io.netty.buffer.ByteBuf")
                    + ";broker=" + visibility("io.stratus.broker.plugin.PluginHost")
                    + ";slf4j=" + visibility("org.slf4j.Logger")
                    + ";sdk=" + visibility("io.stratus.sdk.auth.AuthResult")
                    + ";sdk-internal=" + visibility("io.stratus.sdk.internal.Checks")
                    + ";jdk=" + visibility("java.sql.Connection")
                    + ";tccl=" + (Thread.currentThread().getContextClassLoader() == ProbePlugin.class.getClassLoader()
                        ? "plugin" : "other"));
            }

            @Override
            public void stop() {
                report("probe/stopped", "version=" + context.pluginVersion() + ";tenant=" + context.tenantId());
            }

            private void report(String topic, String fields) {
                context.publisher().publish(PublishPacket.of(topic, fields.getBytes(StandardCharsets.UTF_8)));
            }

            private static String visibility(String className) {
                try {
                    Class.forName(className, false, ProbePlugin.class.getClassLoader());
                    return "visible";
                } catch (ClassNotFoundException e) {
                    return "hidden";
                }
            }
        }
        """;

    private static final String GREETING_SOURCE = """
        package com.example.lib;

        /** Stands for a library two plugins bundle in different versions. */
        public final class Greeting {
            public static String version() {
                return "%s";
            }
        }
        """;

    private final Path workDirectory;
    private int builds;

    /** @param workDirectory where sources and classes are written; a test's {@code @TempDir} */
    PluginJars(Path workDirectory) {
        this.workDirectory = workDirectory;
    }

    /**
     * @return a builder of the probe plugin with a manifest naming {@code id} and {@code version}, bundling
     *     a {@code com.example.lib.Greeting} that answers {@code greeting}
     */
    Builder probe(String id, String version, String greeting) {
        return new Builder()
            .attribute(PluginJar.ID_ATTRIBUTE, id)
            .attribute(PluginJar.VERSION_ATTRIBUTE, version)
            .source(PROBE_CLASS, PROBE_SOURCE)
            .source("com.example.lib.Greeting", GREETING_SOURCE.formatted(greeting))
            .service(PROBE_CLASS);
    }

    /** @return a builder of an empty JAR */
    Builder jar() {
        return new Builder();
    }

    final class Builder {

        private final Map<String, String> attributes = new LinkedHashMap<>();
        private final Map<String, String> sources = new LinkedHashMap<>();
        private final List<String> services = new ArrayList<>();

        Builder attribute(String name, String value) {
            attributes.put(name, value);
            return this;
        }

        Builder withoutAttribute(String name) {
            attributes.remove(name);
            return this;
        }

        Builder source(String className, String code) {
            sources.put(className, code);
            return this;
        }

        Builder service(String className) {
            services.add(className);
            return this;
        }

        Builder withoutServices() {
            services.clear();
            return this;
        }

        /**
         * Compiles and packs the JAR and moves it into place atomically, as a careful deployment would,
         * so that nothing ever sees it half-written.
         */
        Path writeTo(Path jar) throws IOException {
            Path build = Files.createDirectories(workDirectory.resolve("build-" + ++builds));
            Path classes = compile(build);
            Path partial = build.resolve("partial.jar");
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            attributes.forEach((k, v) -> manifest.getMainAttributes().putValue(k, v));
            try (OutputStream file = Files.newOutputStream(partial);
                 JarOutputStream out = new JarOutputStream(file, manifest)) {
                if (!services.isEmpty()) {
                    out.putNextEntry(new JarEntry("META-INF/services/" + StratusPlugin.class.getName()));
                    out.write((String.join("\n", services) + "\n").getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
                try (Stream<Path> files = Files.walk(classes)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                        out.write(Files.readAllBytes(f));
                        out.closeEntry();
                    }
                }
            }
            Files.createDirectories(jar.toAbsolutePath().getParent());
            return Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        private Path compile(Path build) throws IOException {
            Path src = build.resolve("src");
            Path classes = Files.createDirectories(build.resolve("classes"));
            List<Path> files = new ArrayList<>();
            for (Map.Entry<String, String> s : sources.entrySet()) {
                Path f = src.resolve(s.getKey().replace('.', '/') + ".java");
                Files.createDirectories(f.getParent());
                files.add(Files.writeString(f, s.getValue()));
            }
            if (files.isEmpty()) {
                return classes;
            }
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager fm = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
                // The SDK alone on the class path, as a customer compiles a plugin.
                List<String> options = List.of("--release", "17", "-proc:none", "-classpath", sdkLocation().toString(),
                    "-d", classes.toString());
                boolean ok = compiler.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files))
                    .call();
                if (!ok) {
                    throw new IllegalStateException("plugin sources do not compile: " + diagnostics.getDiagnostics()
                        .stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).map(Object::toString)
                        .collect(Collectors.joining("\n")));
                }
            }
            return classes;
        }
    }

    /** @return where the SDK's classes are: its JAR, or its classes directory in the reactor */
    static Path sdkLocation() {
        try {
            return Path.of(StratusPlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
