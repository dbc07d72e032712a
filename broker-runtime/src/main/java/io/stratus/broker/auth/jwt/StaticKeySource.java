package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.jwk.JWK;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Keys from the tenant's configuration: always in memory, never refreshed. */
public final class StaticKeySource implements JwtKeySource {

    private final CompletionStage<List<JWK>> keys;

    public StaticKeySource(StaticKeys keys) {
        this.keys = CompletableFuture.completedStage(keys.keys());
    }

    @Override
    public CompletionStage<List<JWK>> keys() {
        return keys;
    }

    @Override
    public CompletionStage<List<JWK>> keysAfterUnknownKey() {
        return keys;
    }
}
