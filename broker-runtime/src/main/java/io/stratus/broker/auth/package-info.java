/**
 * How clients prove who they are: the built-in credential checks and the cache in front of them.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link io.stratus.broker.auth.jwt}: a JWT in the CONNECT password, checked against a tenant's
 *       JWKS endpoint or static public keys ({@code JwtSettings}, {@code JwtVerifier},
 *       {@code JwtKeySource}).</li>
 *   <li>{@link io.stratus.broker.auth.x509}: a TLS client certificate chained to one of the tenant's
 *       CAs, with the tenant's revocation list ({@code X509Settings}, {@code X509Verifier},
 *       {@code RevocationList}).</li>
 *   <li>{@link io.stratus.broker.auth.password}: user name and password against salted slow hashes
 *       ({@code PasswordHasher}, {@code PasswordAuthenticator}, {@code StaticPasswordDirectory}).</li>
 *   <li>{@link io.stratus.broker.auth.cache}: decisions cached per credential, one verification per
 *       credential at a time, and backoff for whoever keeps failing ({@code AuthDecisionCache},
 *       {@code FailureBackoff}, {@code SingleFlight}).</li>
 * </ul>
 * Settings are immutable records built once per tenant; verifiers are thread-safe and built per tenant.
 *
 * <h2>Threads</h2>
 * Nothing here blocks. JWT and X.509 checks are CPU-only and cheap (well under a millisecond) when
 * keys are in memory: {@code JwtVerifier} then returns an already completed stage, and
 * {@code X509Verifier} answers directly. A JWKS fetch completes on the HTTP client's threads. Password
 * checks cost tens of milliseconds by design and run on the executor given to {@code PasswordHasher};
 * the caller must hop back to the connection's event loop before touching channel state.
 *
 * <h2>Suggested reason codes</h2>
 * <table>
 *   <caption>Outcome to CONNACK</caption>
 *   <tr><th>outcome</th><th>MQTT 5.0</th><th>MQTT 3.1.1</th></tr>
 *   <tr><td>JWT refused (any reason but the two below), password refused</td>
 *       <td>0x86 Bad user name or password</td><td>0x04</td></tr>
 *   <tr><td>JWT {@code CLIENT_ID_MISMATCH}, X.509 refused</td><td>0x87 Not authorized</td><td>0x05</td></tr>
 *   <tr><td>JWT {@code KEYS_UNAVAILABLE}, a check that failed or timed out</td>
 *       <td>0x88 Server unavailable</td><td>0x03</td></tr>
 *   <tr><td>{@code FailureBackoff} blocked the attempt</td><td>0x9F Connection rate exceeded</td>
 *       <td>0x03</td></tr>
 * </table>
 * A token that expires on a live connection ends it with DISCONNECT 0x87 (5.0) unless the client
 * re-authenticates through AUTH with a fresh one; a revoked certificate ends it the same way.
 */
package io.stratus.broker.auth;
