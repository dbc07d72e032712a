package io.stratus.broker.tenant;

import io.stratus.broker.auth.AuthMethodSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

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

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"tenants\": [{\"id\": \"Bad Id\", \"auth\": [{\"type\": \"anonymous\"}]}]}|tenants[0].id",
        "{\"tenants\": [{\"id\": \"a\", \"auth\": [{\"type\": \"magic\"}]}]}|tenants[0].auth[0].type: is magic; allowed: jwt, x509, password, anonymous",
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
    })
    void namesTheFileAndTheFieldOfEveryError(String json, String expected) {
        String message = error(json);

        assertTrue(message.startsWith("tenants.json: "), message);
        assertTrue(message.contains(expected), message);
    }
}
