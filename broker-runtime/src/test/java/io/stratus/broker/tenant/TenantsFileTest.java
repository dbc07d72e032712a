package io.stratus.broker.tenant;

import io.stratus.broker.auth.AuthMethodSettings;
import io.stratus.broker.plugin.PluginTimeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TenantsFileTest {

    private static TenantsFile.Contents parse(String json) {
        return TenantsFile.parse(json.getBytes(StandardCharsets.UTF_8), "tenants.json");
    }

    private static String error(String json) {
        return assertThrows(TenantsFile.InvalidTenantsFile.class, () -> parse(json)).getMessage();
    }

    @Test
    void readsTenantsWithTheirMethodsPolicyAndLimits() {
        TenantsFile.Contents c = parse("""
            {
              "sni-domain": "mqtt.example.com",
              // comments are allowed
              "tenants": [
                {"id": "acme", "auth": [{"type": "anonymous"}],
                 "policy": [{"effect": "allow", "actions": ["publish"], "filters": ["a/${client.id}"]}],
                 "limits": {"max-connections": 10, "max-bytes-per-second": 5000}},
                {"id": "globex", "auth": [{"type": "anonymous"}]}
              ]
            }""");

        assertEquals("mqtt.example.com", c.sniDomain());
        TenantSettings acme = c.tenants().get(new TenantId("acme"));
        assertInstanceOf(AuthMethodSettings.Anonymous.class, acme.auth().get(0));
        assertEquals(1, acme.policy().size());
        assertEquals(10, acme.limits().maxConnections());
        assertEquals(5000, acme.limits().maxBytesPerSecond());
        assertNull(c.tenants().get(new TenantId("globex")).policy(), "no policy: allowed everything in the tenant");
    }

    @Test
    void readsTheTenantsPluginsWithTheirConfigurationTimeoutsAndAuthenticationMethod() {
        TenantsFile.Contents c = parse("""
            {"tenants": [{
              "id": "acme",
              "plugins": [
                {"id": "http-auth", "config": {"url": "https://auth.acme.example", "cache-size": 100,
                                               "strict": true, "schemas": {"a/#": {"type": "object"}}},
                 "timeouts": {"authentication-ms": 250, "hook-ms": 40}},
                {"id": "audit"}
              ],
              "auth": [{"type": "plugin", "plugin": "http-auth"}, {"type": "anonymous"}],
              "policy": [{"effect": "allow", "actions": ["publish"], "filters": ["sites/${site}/#"]}]
            }]}""");

        TenantSettings acme = c.tenants().get(new TenantId("acme"));
        assertEquals(List.of("http-auth", "audit"), acme.plugins().stream().map(PluginSettings::id).toList());
        PluginSettings http = acme.plugins().get(0);
        assertEquals("https://auth.acme.example", http.configuration().require("url"));
        assertEquals(100, http.configuration().getInt("cache-size", 0));
        assertTrue(http.configuration().getBoolean("strict", false));
        assertEquals("{\"a/#\":{\"type\":\"object\"}}", http.configuration().require("schemas"),
            "a nested object reaches the plugin as its JSON text");
        assertEquals(Duration.ofMillis(250), http.timeouts().authentication());
        assertEquals(Duration.ofMillis(40), http.timeouts().hook());
        assertEquals(PluginTimeouts.DEFAULTS.authorization(), http.timeouts().authorization());
        assertEquals(PluginTimeouts.DEFAULTS, acme.plugins().get(1).timeouts());
        assertEquals(new AuthMethodSettings.Plugin("http-auth"), acme.auth().get(0));
    }

    @Test
    void acceptsAPluginWhoseJarIsNotLoadedYet() {
        TenantsFile.Contents c = parse("""
            {"tenants": [{"id": "acme", "plugins": [{"id": "arrives-later"}], "auth": [{"type": "anonymous"}]}]}""");

        assertEquals("arrives-later", c.tenants().get(new TenantId("acme")).plugins().get(0).id());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"tenants\": [{\"id\": \"Bad Id\", \"auth\": [{\"type\": \"anonymous\"}]}]}|tenants[0].id",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"magic\"}]}]}|tenants[0].auth[0].type: is magic; allowed: jwt, x509, password, plugin, anonymous",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"jwt\", \"issuer\": \"i\", \"audiences\": [\"m\"]}]}]}|tenants[0].auth[0]: needs exactly one of jwks-uri",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"jwt\", \"issuer\": \"i\", \"audiences\": [\"m\"], \"jwks-uri\": \"http://idp.example/jwks\"}]}]}|tenants[0].auth[0].jwks-uri: jwks uri must be an https URL",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"password\", \"users\": {\"u\": \"plaintext\"}}]}]}|tenants[0].auth[0].users",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"anonymous\"}], \"policy\": [{\"effect\": \"allow\", \"actions\": [\"publish\"], \"filters\": [\"a/${nope}\"]}]}]}|tenants[0].policy[0].filters[0]: unknown variable ${nope}",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"anonymous\"}], \"policy\": [{\"effect\": \"maybe\", \"actions\": [\"publish\"], \"filters\": [\"a\"]}]}]}|tenants[0].policy[0].effect",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"anonymous\"}], \"limits\": {\"max-conections\": 5}}]}|tenants[0].limits.max-conections: is not a known field here",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"anonymous\"}], \"limits\": {\"max-connections\": -1}}]}|tenants[0].limits.max-connections: must be 0 to",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"anonymous\"}]}, {\"id\": \"a\", \"auth\": [{\"type\": \"anonymous\"}]}]}|tenants[1].id: tenant a is defined twice",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"anonymous\"}]}], \"tenants\": []}|not valid JSON at line 1",
        "{\"tenants\": [ {\"id\": \"a\", |not valid JSON at line 1",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"plugin\", \"plugin\": \"p\"}]}]}|tenants[0].auth[0].plugin: plugin p is not one of this tenant's plugins",
        "{\"tenants\": [{\"id\": \"a\", \"plugins\": [{\"id\": \"Bad Id\"}], \"auth\": [{\"type\": \"anonymous\"}]}]}|tenants[0].plugins[0].id: is Bad Id",
        "{\"tenants\": [{\"id\": \"a\", \"plugins\": [{\"id\": \"p\"}, {\"id\": \"p\"}], \"auth\": [{\"type\": \"anonymous\"}]}]}|tenants[0].plugins[1].id: plugin p is enabled twice",
        "{\"tenants\": [{\"id\": \"a\", \"plugins\": [{\"id\": \"p\", \"timeouts\": {\"hook-ms\": 0}}], \"auth\": [{\"type\": \"anonymous\"}]}]}|tenants[0].plugins[0].timeouts.hook-ms: must be 1 to 60000",
        "{\"tenants\": [{\"id\": \"a\", \"plugins\": [{\"id\": \"p\", \"timeouts\": {\"hooks-ms\": 5}}], \"auth\": [{\"type\": \"anonymous\"}]}]}|tenants[0].plugins[0].timeouts.hooks-ms: is not a known field here",
        "{\"tenants\": [{\"id\": \"a\", \"plugins\": [{\"id\": \"p\", \"config\": {\"k\": null}}], \"auth\": [{\"type\": \"anonymous\"}]}]}|tenants[0].plugins[0].config.k: is required",
        "{\"tenants\": [{\"id\": \"a\", \"plugins\": [{\"id\": \"p\"}], \"auth\": [{\"type\": \"plugin\", \"plugin\": \"p\"}], \"policy\": [{\"effect\": \"allow\", \"actions\": [\"publish\"], \"filters\": [\"a/${cert.nope}\"]}]}]}|tenants[0].policy[0].filters[0]: unknown variable ${cert.nope}",
    })
    void namesTheFileAndTheFieldOfEveryError(String json, String expected) {
        String message = error(json);

        assertTrue(message.startsWith("tenants.json: "), message);
        assertTrue(message.contains(expected), message);
    }
}
