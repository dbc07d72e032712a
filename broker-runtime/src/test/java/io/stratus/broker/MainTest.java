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
}
