package io.stratus.broker.auth.cache;

import io.stratus.broker.auth.AuthMethod;
import io.stratus.broker.tenant.TenantId;

import java.util.Objects;

/**
 * What a cached decision is about: a tenant, a method, and a keyed digest of the credential together
 * with the client id (and anything else the decision depends on). The credential itself is never part
 * of a key, so a heap dump or a cache listing shows no secret. Made by {@link AuthDecisionCache#key}.
 *
 * @param tenant the tenant whose settings made the decision
 * @param method how the client authenticated
 * @param digest base64 of HMAC-SHA256 over the credential parts, under a key that lives only in memory
 */
public record DecisionKey(TenantId tenant, AuthMethod method, String digest) {

    public DecisionKey {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(digest, "digest");
    }
}
