package io.stratus.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginConfigurationTest {

    @Test
    void givesTypedValuesAndDefaultsForMissingKeys() {
        PluginConfiguration c = PluginConfiguration.of(Map.of("port", "8443", "big", "5000000000", "tls", "TRUE"));

        assertEquals(8443, c.getInt("port", 1));
        assertEquals(5_000_000_000L, c.getLong("big", 1));
        assertTrue(c.getBoolean("tls", false));
        assertEquals(7, c.getInt("missing", 7));
        assertEquals("x", c.getString("missing", "x"));
        assertTrue(c.get("missing").isEmpty());
    }

    @Test
    void namesTheKeyButNotTheValueWhenAValueIsInvalid() {
        PluginConfiguration c = PluginConfiguration.of(Map.of("api-key", "sk-live-123", "big", "5000000000"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.getInt("api-key", 0));

        assertTrue(e.getMessage().contains("api-key"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-live-123"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.getInt("big", 0));
        assertThrows(IllegalArgumentException.class, () -> c.getBoolean("api-key", false));
    }

    @Test
    void namesTheKeyThatIsRequiredButMissing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PluginConfiguration.empty().require("issuer"));

        assertEquals("plugin setting issuer is required", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"250ms, PT0.25S", "30s, PT30S", "5m, PT5M", "2h, PT2H", "1d, PT24H", "PT1M30S, PT1M30S", "0s, PT0S"})
    void readsDurationsWithAUnitOrInIso8601(String written, String expected) {
        PluginConfiguration c = PluginConfiguration.of(Map.of("timeout", written));

        assertEquals(Duration.parse(expected), c.getDuration("timeout", Duration.ZERO));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "five seconds", "-1s", "PT-5S", "1w"})
    void rejectsDurationsItCannotRead(String written) {
        PluginConfiguration c = PluginConfiguration.of(Map.of("timeout", written));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> c.getDuration("timeout", Duration.ZERO));

        assertTrue(e.getMessage().contains("timeout"), e.getMessage());
    }

    @Test
    void isNotChangedByTheMapItWasMadeFrom() {
        Map<String, String> source = new HashMap<>(Map.of("k", "v"));
        PluginConfiguration c = PluginConfiguration.of(source);

        source.put("k", "changed");

        assertEquals("v", c.require("k"));
        assertThrows(UnsupportedOperationException.class, () -> c.asMap().put("k", "x"));
    }

    @Test
    void showsKeysButNotValuesInToString() {
        PluginConfiguration c = PluginConfiguration.of(Map.of("password", "hunter2", "host", "db"));

        assertEquals("PluginConfiguration[host, password]", c.toString());
    }

    @Test
    void rejectsNullKeysAndValues() {
        Map<String, String> withNull = new HashMap<>();
        withNull.put("k", null);

        assertThrows(IllegalArgumentException.class, () -> PluginConfiguration.of(withNull));
        assertThrows(IllegalArgumentException.class, () -> PluginConfiguration.of(null));
    }
}
