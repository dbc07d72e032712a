package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import io.stratus.broker.support.AuthFixtures;
import io.stratus.broker.support.AuthFixtures.Issued;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.stratus.broker.support.AuthFixtures.ecKey;
import static io.stratus.broker.support.AuthFixtures.ed25519Key;
import static io.stratus.broker.support.AuthFixtures.ed448Key;
import static io.stratus.broker.support.AuthFixtures.pem;
import static io.stratus.broker.support.AuthFixtures.publicKeyPem;
import static io.stratus.broker.support.AuthFixtures.rsaKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StaticKeysTest {

    @Test
    void readsPemPublicKeysOfEverySupportedType() throws Exception {
        RSAKey rsa = rsaKey("r");
        ECKey ec = ecKey("e", Curve.P_384);
        OctetKeyPair ed = ed25519Key("d");
        OctetKeyPair ed448 = ed448Key("f");

        StaticKeys keys = StaticKeys.parse(List.of(publicKeyPem(rsa), publicKeyPem(ec), publicKeyPem(ed),
            publicKeyPem(ed448)));

        assertEquals(rsa.toPublicJWK().computeThumbprint(), keys.keys().get(0).computeThumbprint());
        assertEquals(ec.toPublicJWK().computeThumbprint(), keys.keys().get(1).computeThumbprint());
        assertEquals(ed.toPublicJWK().computeThumbprint(), keys.keys().get(2).computeThumbprint());
        assertEquals(ed448.toPublicJWK().computeThumbprint(), keys.keys().get(3).computeThumbprint());
    }

    @Test
    void readsJwkJsonKeepingItsKeyId() {
        ECKey ec = ecKey("tenant-key-7", Curve.P_256);

        JWK key = StaticKeys.parse(List.of(ec.toPublicJWK().toJSONString())).keys().get(0);

        assertEquals("tenant-key-7", key.getKeyID());
        assertFalse(key.isPrivate());
    }

    @Test
    void readsThePublicKeyOfAPemCertificate() throws Exception {
        Issued ca = AuthFixtures.ca("Token Signer");

        JWK key = StaticKeys.parse(List.of(pem("CERTIFICATE", ca.certificate().getEncoded()))).keys().get(0);

        assertEquals(ca.keyPair().getPublic(), key.toECKey().toPublicKey());
    }

    @Test
    void refusesPrivateKeys() {
        RSAKey rsa = rsaKey("r");
        IllegalArgumentException jwk = assertThrows(IllegalArgumentException.class,
            () -> StaticKeys.parse(List.of(rsa.toJSONString())));
        IllegalArgumentException pemKey = assertThrows(IllegalArgumentException.class,
            () -> StaticKeys.parse(List.of(pem("PRIVATE KEY", AuthFixtures.ca("x").keyPair().getPrivate().getEncoded()))));

        assertTrue(jwk.getMessage().contains("private"), jwk.getMessage());
        assertTrue(pemKey.getMessage().contains("entry 1"), pemKey.getMessage());
        assertFalse(jwk.getMessage().contains(rsa.getPrivateExponent().toString()), "never quotes key material");
    }

    @Test
    void refusesSymmetricWeakAndUnreadableKeys() {
        OctetSequenceKey hmac = new OctetSequenceKey.Builder(new byte[32]).keyID("h").build();
        RSAKey weak = rsaKey("w", 1024);

        for (String text : List.of(hmac.toJSONString(), weak.toPublicJWK().toJSONString(), "{broken",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "ssh-ed25519 AAAA", "")) {
            assertThrows(IllegalArgumentException.class, () -> StaticKeys.parse(List.of(text)), text);
        }
        assertThrows(IllegalArgumentException.class, () -> new StaticKeys(List.of()));
    }
}
