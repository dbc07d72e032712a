package io.stratus.sdk.client;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientIdentityTest {

    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 40_000);

    @Test
    void holdsAnImmutableCopyOfItsAttributes() {
        Map<String, String> attributes = new HashMap<>(Map.of("cert.cn", "sensor-1"));
        ClientIdentity id = ClientIdentity.builder().tenantId("acme").clientId("c1").remoteAddress(REMOTE)
            .attributes(attributes).build();

        attributes.put("cert.cn", "other");

        assertEquals("sensor-1", id.attribute("cert.cn").orElseThrow());
        assertThrows(UnsupportedOperationException.class, () -> id.attributes().put("x", "y"));
    }

    @Test
    void requiresTenantClientAndRemoteAddress() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ClientIdentity.builder().clientId("c1").remoteAddress(REMOTE).build());

        assertEquals("tenantId must not be null", e.getMessage());
    }

    @Test
    void changesOnlyWhatIsSetThroughToBuilder() {
        ClientIdentity id = ClientIdentity.builder().tenantId("acme").clientId("c1").remoteAddress(REMOTE)
            .username("u").authenticationMethod("jwt").attribute("jwt.claims.site", "berlin").build();

        ClientIdentity other = id.toBuilder().clientId("c2").build();

        assertEquals(id, id.toBuilder().build());
        assertNotEquals(id, other);
        assertEquals("jwt", other.authenticationMethod());
        assertEquals(id.attributes(), other.attributes());
    }

    @Test
    void leavesAttributeValuesOutOfToString() {
        ClientIdentity id = ClientIdentity.builder().tenantId("acme").clientId("c1").remoteAddress(REMOTE)
            .attribute("jwt.claims.email", "someone@example.com").build();

        assertFalse(id.toString().contains("someone@example.com"), id.toString());
    }
}
