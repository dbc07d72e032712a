package io.stratus.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    @TempDir
    Path dir;

    private record Outcome(int status, String err) {
    }

    private static Outcome run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void refusesToStartWithATenantsFileThatNamesAnUnknownField() throws Exception {
        Path tenants = Files.writeString(dir.resolve("tenants.json"),
            "{\"tenants\": [{\"id\": \"acme\", \"auth\": [{\"type\": \"anonymous\"}], \"polcy\": []}]}");

        Outcome o = run("--port", "0", "--set", "tenants.file=" + tenants);

        assertEquals(2, o.status());
        assertTrue(o.err().contains("tenants[0].polcy: is not a known field here"), o.err());
    }

    @Test
    void refusesToStartWithoutItsTenantsFile() throws Exception {
        Outcome o = run("--port", "0", "--set", "tenants.file=" + dir.resolve("missing.json"));

        assertEquals(2, o.status());
        assertTrue(o.err().contains("missing.json: cannot be read"), o.err());
    }

    @Test
    void hashesAPasswordFromStandardInputSoThatTheBrokerAcceptsIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Main.hashPassword(new String[] {"hash-password"},
            new java.io.ByteArrayInputStream("s3cret!\n".getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        String hash = out.toString(StandardCharsets.UTF_8).trim();
        assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash);
        io.stratus.broker.auth.password.PasswordHasher hasher = new io.stratus.broker.auth.password.PasswordHasher(
            io.stratus.broker.auth.password.PasswordHasher.Argon2Cost.OWASP, Runnable::run, new java.security.SecureRandom());
        assertTrue(hasher.verify("s3cret!".getBytes(StandardCharsets.UTF_8), hash).toCompletableFuture().join());
        assertFalse(hasher.verify("other".getBytes(StandardCharsets.UTF_8), hash).toCompletableFuture().join());
    }

    @Test
    void refusesToHashAnEmptyPassword() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Main.hashPassword(new String[] {"hash-password"}, new java.io.ByteArrayInputStream(new byte[0]),
            new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no password"));
    }
}
