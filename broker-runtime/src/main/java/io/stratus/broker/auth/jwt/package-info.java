/**
 * JWT authentication: a compact JWS in the CONNECT password, signed with RS*, PS*, ES* or EdDSA by a
 * key from the tenant's JWKS endpoint or configuration. {@code alg: none} and HMAC are never accepted.
 */
package io.stratus.broker.auth.jwt;
