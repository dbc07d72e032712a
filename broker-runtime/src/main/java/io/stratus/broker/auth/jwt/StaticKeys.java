package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.jwk.JWK;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Public keys written into a tenant's configuration, for issuers without a JWKS endpoint.
 *
 * @param keys the public verification keys (RSA of at least 2048 bits, EC on P-256/384/521, Ed25519,
 *             Ed448); at least one
 */
public record StaticKeys(List<JWK> keys) implements JwtKeys {

    /** @throws IllegalArgumentException if there is no key, or a key is private, symmetric or unusable */
    public StaticKeys {
        Objects.requireNonNull(keys, "jwt static keys");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("jwt static keys: at least one");
        }
        List<JWK> checked = new ArrayList<>(keys.size());
        for (JWK key : keys) {
            if (key.isPrivate()) {
                throw new IllegalArgumentException("jwt static keys: key " + describe(key)
                    + " holds private material; configure the public key only");
            }
            checked.add(VerificationKeys.usable(key)
                .orElseThrow(() -> new IllegalArgumentException("jwt static keys: key " + describe(key)
                    + " is not usable; allowed: RSA of at least 2048 bits, EC on P-256/384/521, Ed25519, Ed448")));
        }
        keys = List.copyOf(checked);
    }

    /**
     * Reads keys from configuration text: each entry is a JWK (a JSON object), a PEM public key
     * ({@code -----BEGIN PUBLIC KEY-----}) or a PEM certificate whose public key is used.
     *
     * @throws IllegalArgumentException naming the entry (by position) that cannot be read
     */
    public static StaticKeys parse(List<String> texts) {
        List<JWK> keys = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            try {
                keys.add(PublicKeyText.parse(texts.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("jwt static keys: entry " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new StaticKeys(keys);
    }

    private static String describe(JWK key) {
        return key.getKeyID() == null ? "of type " + key.getKeyType() : "'" + key.getKeyID() + "'";
    }
}
