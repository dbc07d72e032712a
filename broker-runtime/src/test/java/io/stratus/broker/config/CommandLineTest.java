package io.stratus.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLineTest {

    @Test
    void noArgumentsMeanNoFileAndNoOverrides() {
        CommandLine commandLine = CommandLine.parse();

        assertEquals(new CommandLine(Optional.empty(), Map.of(), false), commandLine);
    }

    @Test
    void readsEveryFlagWithItsValueAsTheNextArgument() {
        CommandLine commandLine = CommandLine.parse("--config", "conf/broker.properties", "--host", "127.0.0.1",
            "--port", "1884", "--set", "limits.max-packet-size=65536", "--set", "allow-anonymous=false");

        assertEquals(Optional.of(Path.of("conf/broker.properties")), commandLine.configFile());
        assertEquals(Map.of(
            "listeners.tcp.host", "127.0.0.1",
            "listeners.tcp.port", "1884",
            "limits.max-packet-size", "65536",
            "allow-anonymous", "false"), commandLine.overrides());
        assertFalse(commandLine.helpRequested());
    }

    @Test
    void readsFlagsWrittenWithEquals() {
        CommandLine commandLine = CommandLine.parse("--config=a.properties", "--port=0", "--set=sys.interval=0");

        assertEquals(Optional.of(Path.of("a.properties")), commandLine.configFile());
        assertEquals(Map.of("listeners.tcp.port", "0", "sys.interval", "0"), commandLine.overrides());
    }

    @Test
    void laterFlagBeatsEarlierOneForTheSameKey() {
        CommandLine commandLine = CommandLine.parse("--port", "1884", "--set", "listeners.tcp.port=1885");

        assertEquals(Map.of("listeners.tcp.port", "1885"), commandLine.overrides());
    }

    @Test
    void keepsTheOrderOfOverridesSoNewListenersAreListedInIt() {
        CommandLine commandLine = CommandLine.parse("--set", "listeners.b.port=2", "--set", "listeners.a.port=1");

        assertEquals(List.of("listeners.b.port", "listeners.a.port"), List.copyOf(commandLine.overrides().keySet()));
    }

    @Test
    void helpWinsOverEverythingElse() {
        assertTrue(CommandLine.parse("--port", "1884", "--help", "--bogus").helpRequested());
        assertTrue(CommandLine.parse("-h").helpRequested());
    }

    @Test
    void usageListsEveryFlagAndEveryKeyWithItsVariable() {
        String usage = CommandLine.usage();

        for (String flag : List.of("--config", "--host", "--port", "--set", "--help")) {
            assertTrue(usage.contains(flag), flag);
        }
        ConfigLoader.defaultSettings().keySet().forEach(key -> {
            assertTrue(usage.contains(key), key);
            assertTrue(usage.contains(ConfigLoader.environmentVariable(key)), key);
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        --bogus                     | --bogus    | unknown flag --bogus
        --bogus=1                   | --bogus    | unknown flag --bogus
        -p 1884                     | -p         | unknown flag -p
        1884                        | 1884       | unexpected argument 1884
        --port                      | --port     | --port needs a value
        --config                    | --config   | --config needs a value
        --config=                   | --config   | --config needs a value
        --set                       | --set      | --set needs a value
        --set limits.max-packet-size | --set     | is not key=value
        --set =5                    | --set      | is not key=value
        """)
    void refusesABadFlagNamingIt(String args, String flag, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> CommandLine.parse(args.split(" ")));

        assertEquals(flag, e.key());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void leavesValuesToTheLoaderWhichNamesTheKeyOfABadPort() {
        CommandLine commandLine = CommandLine.parse("--port", "http");

        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(commandLine.configFile(), Map.of(), commandLine.overrides()));

        assertEquals("listeners.tcp.port", e.key());
        assertTrue(e.getMessage().startsWith("listeners.tcp.port=http is not a whole number"), e.getMessage());
    }
}
