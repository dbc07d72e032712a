package io.stratus.broker.auth.jwt;

/**
 * Where a tenant's JWT verification keys come from: a JWKS document fetched over HTTPS
 * ({@link JwksSettings}) or public keys written into the tenant's configuration ({@link StaticKeys}).
 */
public sealed interface JwtKeys permits JwksSettings, StaticKeys {
}
