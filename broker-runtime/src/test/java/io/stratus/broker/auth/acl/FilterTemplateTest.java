package io.stratus.broker.auth.acl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterTemplateTest {

    private static AclVariables vars(Map<String, List<String>> values) {
        return AclVariables.of(values);
    }

    @Test
    void substitutesTheClientsAttributesIntoTheFilter() {
        FilterTemplate t = FilterTemplate.parse("tenants/${tenant}/devices/${client.id}/${jwt.claims.site}-in/#");

        FilterTemplate.Expansion e = t.expand(vars(Map.of("tenant", List.of("acme"), "client.id", List.of("dev-1"),
            "jwt.claims.site", List.of("north"))));

        assertEquals(List.of("tenants/acme/devices/dev-1/north-in/#"), e.filters());
        assertFalse(e.unresolved());
    }

    @Test
    void expandsAVariableWithSeveralValuesToOneFilterEach() {
        FilterTemplate t = FilterTemplate.parse("hosts/${cert.san.dns}/status");

        FilterTemplate.Expansion e = t.expand(vars(Map.of("cert.san.dns", List.of("a.example", "b.example"))));

        assertEquals(List.of("hosts/a.example/status", "hosts/b.example/status"), e.filters());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/#", "+", "#", "a/b", "x+y", "", "evil\0"})
    void neverLetsAValueWithWildcardsOrSeparatorsIntoAFilter(String clientId) {
        FilterTemplate t = FilterTemplate.parse("devices/${client.id}/cmd");

        FilterTemplate.Expansion e = t.expand(vars(Map.of("client.id", List.of(clientId))));

        assertTrue(e.unresolved());
        assertEquals(List.of(), e.filters());
        assertEquals("devices/#", e.unresolvedPrefix(), "what a deny rule then denies");
    }

    @Test
    void treatsAMissingAttributeAsUnresolved() {
        FilterTemplate t = FilterTemplate.parse("certs/${cert.cn}");

        assertTrue(t.expand(vars(Map.of())).unresolved());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/${unknown}", "a/${client.id", "a/b#", "a/#/b", "a/x+", "$share/g/a", "", "a/${}"})
    void refusesTemplatesThatAreNotFiltersWithKnownVariables(String text) {
        assertThrows(IllegalArgumentException.class, () -> FilterTemplate.parse(text));
    }

    @Test
    void acceptsAPluginsAttributeOnlyWhereAPluginMayAuthenticate() {
        assertThrows(IllegalArgumentException.class, () -> FilterTemplate.parse("sites/${site}/#"));

        FilterTemplate t = FilterTemplate.parse("sites/${site}/#", true);

        assertEquals(List.of("sites/north/#"), t.expand(vars(Map.of("site", List.of("north")))).filters());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/${cert.nope}", "a/${jwt.x}", "a/${}", "a/${-x}"})
    void refusesUnknownNamesInTheBrokersOwnNamespacesEvenWithPluginAttributes(String text) {
        assertThrows(IllegalArgumentException.class, () -> FilterTemplate.parse(text, true));
    }
}
