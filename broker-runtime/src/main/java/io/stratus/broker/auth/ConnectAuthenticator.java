package io.stratus.broker.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jwt.JWTParser;
import io.stratus.broker.auth.acl.AclVariables;
import io.stratus.broker.auth.cache.AuthDecisionCache;
import io.stratus.broker.auth.jwt.JwksKeySource;
import io.stratus.broker.auth.jwt.JwksSettings;
import io.stratus.broker.auth.jwt.JwtKeySource;
import io.stratus.broker.auth.jwt.JwtOutcome;
import io.stratus.broker.auth.jwt.JwtRefusal;
import io.stratus.broker.auth.jwt.JwtVerifier;
import io.stratus.broker.auth.jwt.StaticKeySource;
import io.stratus.broker.auth.jwt.StaticKeys;
import io.stratus.broker.auth.password.PasswordAuthenticator;
import io.stratus.broker.auth.password.PasswordHasher;
import io.stratus.broker.auth.password.PasswordOutcome;
import io.stratus.broker.auth.x509.RevocationList;
import io.stratus.broker.auth.x509.X509Outcome;
import io.stratus.broker.auth.x509.X509Verifier;
import io.stratus.broker.tenant.TenantDirectory;
import io.stratus.broker.tenant.TenantId;
import io.stratus.broker.tenant.TenantSettings;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Decides at CONNECT which tenant a client belongs to and whether it proved who it is.
 *
 * <p>The tenant: the TLS SNI host {@code <tenant>.<sni-domain>}; else the credential: the issuer
 * of a JWT in the password, the tenant CA that issued the client certificate, a user name
 * {@code device@tenant}. A client whose tenant is unknown is refused, never mapped to another.
 *
 * <p>Then the tenant's methods in their configured order: a method that does not apply (no
 * certificate; a password that is not a JWT; a user name the tenant does not know) passes to the
 * next; the first that applies decides. A method of type {@code plugin} asks the tenant's plugin
 * ({@link PluginAuthentication}), which decides or passes to the next. Nothing here blocks: JWKS
 * fetches and plugins are asynchronous and password hashing runs on the authentication executor.
 */
public final class ConnectAuthenticator {

    private static final Duration JWKS_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Longer passwords are not taken for tokens (the verifier refuses them too). */
    private static final int MAX_TOKEN_BYTES = 16 * 1024;
    /** Per tenant and method: acceptances up to 5 minutes (at most a token's life), refusals 5 seconds. */
    private static final AuthDecisionCache.Settings DECISION_CACHE =
        new AuthDecisionCache.Settings(10_000, Duration.ofMinutes(5), Duration.ofSeconds(5));

    private final TenantDirectory directory;
    private final Clock clock;
    private final Executor executor;
    private final PasswordHasher hasher;
    private final HttpClient http;
    private final PluginAuthentication plugins;
    private final Map<TenantId, TenantAuth> runtimes = new ConcurrentHashMap<>();
    /** Refuses, without a check, clients that keep failing: a reconnect storm with a bad credential. */
    private final ConnectThrottle throttle = ConnectThrottle.withDefaults();

    /**
     * @param executor runs the slow parts (password hashing, building a tenant's verifiers); bounded
     */
    public ConnectAuthenticator(TenantDirectory directory, Clock clock, Executor executor, PasswordHasher hasher) {
        this(directory, clock, executor, hasher, PluginAuthentication.NONE);
    }

    /**
     * @param executor runs the slow parts (password hashing, building a tenant's verifiers); bounded
     * @param plugins  asks the tenants' plugin authenticators, for their methods of type {@code plugin}
     */
    public ConnectAuthenticator(TenantDirectory directory, Clock clock, Executor executor, PasswordHasher hasher,
                                PluginAuthentication plugins) {
        this.directory = directory;
        this.clock = clock;
        this.executor = executor;
        this.hasher = hasher;
        this.http = JwksKeySource.newHttpClient(JWKS_CONNECT_TIMEOUT);
        this.plugins = plugins;
    }

    /** @return the directory this authenticator reads */
    public TenantDirectory directory() {
        return directory;
    }

    /** @return the tenant's revocation list, if it authenticates certificates */
    public Optional<RevocationList> revocations(TenantId tenant) {
        TenantAuth auth = runtimes.get(tenant);
        return auth == null ? Optional.empty() : Optional.ofNullable(auth.revocations);
    }

    /** @return the decision; never completes exceptionally */
    public CompletionStage<AuthDecision> authenticate(ConnectCredentials c) {
        try {
            return decide(c);
        } catch (RuntimeException e) {
            // the executor refused the work: a storm of CONNECTs is answered "try later", not queued
            return CompletableFuture.completedFuture(AuthDecision.refused(null, AuthDecision.Refusal.SERVER_UNAVAILABLE,
                "authentication overloaded: " + e));
        }
    }

    private CompletionStage<AuthDecision> decide(ConnectCredentials c) {
        Resolution r = resolve(c);
        if (r.refusal != null) {
            return CompletableFuture.completedFuture(r.refusal);
        }
        Optional<TenantSettings> settings = directory.tenant(r.tenant);
        if (settings.isEmpty()) {
            return CompletableFuture.completedFuture(AuthDecision.refused(r.tenant, AuthDecision.Refusal.UNKNOWN_TENANT,
                "tenant " + r.tenant + " is not known"));
        }
        String backingOff = throttle.blocked(r.tenant, c);
        if (backingOff != null) {
            return CompletableFuture.completedFuture(AuthDecision.refused(r.tenant, AuthDecision.Refusal.BACKING_OFF,
                backingOff));
        }
        TenantAuth auth = runtimes.get(r.tenant);
        CompletionStage<TenantAuth> ready;
        if (auth != null && auth.settings == settings.get()) {
            ready = CompletableFuture.completedFuture(auth);
        } else {
            // building verifiers hashes a stand-in password: not on an event loop
            ready = CompletableFuture.supplyAsync(() -> runtimes.compute(r.tenant,
                (id, old) -> old != null && old.settings == settings.get() ? old : new TenantAuth(settings.get())), executor);
        }
        return ready.thenCompose(a -> a.authenticate(c, r.username, 0))
            .exceptionally(e -> AuthDecision.refused(r.tenant, AuthDecision.Refusal.SERVER_UNAVAILABLE,
                "authentication failed: " + e))
            .thenApply(d -> {
                throttle.record(r.tenant, c, d);
                return d;
            });
    }

    // ---- tenant resolution ------------------------------------------------------------------

    private record Resolution(TenantId tenant, String username, AuthDecision refusal) {
    }

    private Resolution resolve(ConnectCredentials c) {
        if (directory.singleTenant()) {
            return new Resolution(TenantId.DEFAULT, c.username(), null);
        }
        TenantId tenant = null;
        Optional<String> domain = directory.sniDomain();
        if (c.sniHost() != null && domain.isPresent() && c.sniHost().endsWith("." + domain.get())) {
            String label = c.sniHost().substring(0, c.sniHost().length() - domain.get().length() - 1);
            tenant = tenantId(label);
            if (tenant == null || directory.tenant(tenant).isEmpty()) {
                return unknown("SNI host " + c.sniHost() + " names no tenant");
            }
        }
        if (tenant == null && looksLikeJwt(c.password())) {
            String issuer = issuerOf(c.password());
            if (issuer != null) {
                Optional<TenantId> byIssuer = directory.tenantOfIssuer(issuer);
                if (byIssuer.isEmpty()) {
                    return unknown("no tenant trusts the token's issuer");
                }
                tenant = byIssuer.get();
            }
        }
        if (tenant == null && !c.chain().isEmpty()) {
            for (X509Certificate cert : c.chain()) {
                List<TenantId> byCa = directory.tenantsOfCa(cert.getIssuerX500Principal());
                if (!byCa.isEmpty()) {
                    tenant = byCa.get(0);
                    break;
                }
            }
            if (tenant == null) {
                return unknown("no tenant registered the CA of the client certificate");
            }
        }
        String username = c.username();
        if (username != null && username.lastIndexOf('@') > 0) {
            int at = username.lastIndexOf('@');
            TenantId named = tenantId(username.substring(at + 1));
            if (tenant == null) {
                if (named == null || directory.tenant(named).isEmpty()) {
                    return unknown("the user name names no known tenant");
                }
                tenant = named;
            }
            if (tenant.equals(named)) {
                username = username.substring(0, at);
            }
        }
        if (tenant == null) {
            return unknown("nothing in the CONNECT names a tenant (SNI host, token issuer, certificate, user@tenant)");
        }
        return new Resolution(tenant, username, null);
    }

    private static Resolution unknown(String why) {
        return new Resolution(null, null, AuthDecision.refused(null, AuthDecision.Refusal.UNKNOWN_TENANT, why));
    }

    private static TenantId tenantId(String text) {
        try {
            return new TenantId(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** @return whether the bytes have the shape of a compact JWS: three base64url parts */
    static boolean looksLikeJwt(byte[] password) {
        if (password == null || password.length < 5 || password.length > MAX_TOKEN_BYTES) {
            return false;
        }
        int dots = 0;
        for (byte b : password) {
            if (b == '.') {
                dots++;
            } else if (!(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_')) {
                return false;
            }
        }
        return dots == 2;
    }

    /** @return the unverified {@code iss} of a token, only to find its tenant; null if unreadable */
    private static String issuerOf(byte[] password) {
        try {
            return JWTParser.parse(new String(password, StandardCharsets.US_ASCII)).getJWTClaimsSet().getIssuer();
        } catch (java.text.ParseException | RuntimeException e) {
            return null;
        }
    }

    // ---- one tenant's verifiers ---------------------------------------------------------------

    /**
     * A tenant's verifiers, built once per version of its settings. Password and token decisions are
     * cached per version (a new version starts with empty caches, so a removed user or key cannot
     * linger); certificate checks are not: they are cheap, and a revocation must apply at once.
     */
    private final class TenantAuth {
        final TenantSettings settings;
        final List<Object> verifiers = new ArrayList<>();
        RevocationList revocations;
        final AuthDecisionCache<JwtOutcome> tokenDecisions = new AuthDecisionCache<>(DECISION_CACHE, clock,
            Ticker.systemTicker());
        final AuthDecisionCache<PasswordOutcome> passwordDecisions = new AuthDecisionCache<>(DECISION_CACHE, clock,
            Ticker.systemTicker());

        TenantAuth(TenantSettings settings) {
            this.settings = settings;
            for (AuthMethodSettings m : settings.auth()) {
                if (m instanceof AuthMethodSettings.Jwt jwt) {
                    JwtKeySource keys = jwt.settings().keys() instanceof JwksSettings jwks
                        ? new JwksKeySource(jwks, http, clock)
                        : new StaticKeySource((StaticKeys) jwt.settings().keys());
                    verifiers.add(new JwtVerifier(jwt.settings(), keys, clock));
                } else if (m instanceof AuthMethodSettings.X509 x509) {
                    if (revocations == null) {
                        revocations = new RevocationList();
                    }
                    x509.revoked().forEach(revocations::revoke);
                    verifiers.add(new X509Verifier(x509.settings(), revocations, clock));
                } else if (m instanceof AuthMethodSettings.Password p) {
                    verifiers.add(new PasswordAuthenticator(p.users(), hasher));
                } else {
                    verifiers.add(m);
                }
            }
        }

        CompletionStage<AuthDecision> authenticate(ConnectCredentials c, String username, int from) {
            TenantId tenant = settings.id();
            for (int i = from; i < verifiers.size(); i++) {
                Object v = verifiers.get(i);
                int next = i + 1;
                if (v instanceof JwtVerifier jwt && looksLikeJwt(c.password())) {
                    // the key is a keyed digest of client id and token, never the token itself
                    return tokenDecisions.decide(tokenDecisions.key(tenant, AuthMethod.JWT, c.clientId(), c.password()),
                        k -> jwt.verify(c.password(), c.clientId())).thenApply(o -> o instanceof JwtOutcome.Accepted a
                        ? AuthDecision.accepted(new ClientIdentity(tenant, c.clientId(), a.username().orElse(username),
                            AuthMethod.JWT, jwtVariables(tenant, c, a, username), a.expiry(), List.of()))
                        : AuthDecision.refused(tenant, jwtRefusal(((JwtOutcome.Refused) o).reason()),
                            "token: " + ((JwtOutcome.Refused) o).reason()));
                }
                if (v instanceof X509Verifier x509 && !c.chain().isEmpty()) {
                    X509Outcome o = x509.verify(c.chain());
                    return CompletableFuture.completedFuture(o instanceof X509Outcome.Accepted a
                        ? AuthDecision.accepted(new ClientIdentity(tenant, c.clientId(), username, AuthMethod.X509,
                            certVariables(tenant, c, a, username), a.notAfter(), a.chain()))
                        : AuthDecision.refused(tenant, AuthDecision.Refusal.NOT_AUTHORIZED,
                            "certificate: " + ((X509Outcome.Refused) o).reason()));
                }
                if (v instanceof PasswordAuthenticator passwords && username != null && c.password() != null) {
                    // not by client id: a fleet sharing one credential costs one hash
                    byte[] user = username.getBytes(StandardCharsets.UTF_8);
                    return passwordDecisions.decide(passwordDecisions.key(tenant, AuthMethod.PASSWORD, null, user,
                        c.password()), k -> passwords.authenticate(username, c.password()))
                        .thenApply(o -> o instanceof PasswordOutcome.Accepted
                        ? AuthDecision.accepted(new ClientIdentity(tenant, c.clientId(), username, AuthMethod.PASSWORD,
                            basicVariables(tenant, c, username), null, List.of()))
                        : AuthDecision.refused(tenant, AuthDecision.Refusal.BAD_CREDENTIALS,
                            "password: " + ((PasswordOutcome.Refused) o).reason()));
                }
                if (v instanceof AuthMethodSettings.Plugin p) {
                    // the plugin decides, or passes the client on to the method after it
                    return plugins.authenticate(tenant, p.pluginId(), c, username).thenCompose(d -> d.isPresent()
                        ? CompletableFuture.completedFuture(d.get()) : authenticate(c, username, next));
                }
                if (v instanceof AuthMethodSettings.Anonymous) {
                    return CompletableFuture.completedFuture(AuthDecision.accepted(new ClientIdentity(tenant,
                        c.clientId(), username, AuthMethod.ANONYMOUS, basicVariables(tenant, c, username), null,
                        List.of())));
                }
            }
            boolean presented = c.password() != null || !c.chain().isEmpty();
            return CompletableFuture.completedFuture(AuthDecision.refused(tenant,
                presented ? AuthDecision.Refusal.BAD_CREDENTIALS : AuthDecision.Refusal.NOT_AUTHORIZED,
                presented ? "no authentication method of the tenant accepts these credentials"
                    : "no credentials, and the tenant does not allow anonymous clients"));
        }
    }

    private static AuthDecision.Refusal jwtRefusal(JwtRefusal r) {
        return switch (r) {
            case KEYS_UNAVAILABLE -> AuthDecision.Refusal.SERVER_UNAVAILABLE;
            case CLIENT_ID_MISMATCH -> AuthDecision.Refusal.NOT_AUTHORIZED;
            default -> AuthDecision.Refusal.BAD_CREDENTIALS;
        };
    }

    private static Map<String, List<String>> base(TenantId tenant, ConnectCredentials c, String username) {
        Map<String, List<String>> vars = new HashMap<>();
        vars.put("tenant", List.of(tenant.value()));
        vars.put("client.id", List.of(c.clientId()));
        if (username != null) {
            vars.put("username", List.of(username));
        }
        return vars;
    }

    private static AclVariables basicVariables(TenantId tenant, ConnectCredentials c, String username) {
        return AclVariables.of(base(tenant, c, username));
    }

    private static AclVariables jwtVariables(TenantId tenant, ConnectCredentials c, JwtOutcome.Accepted a,
                                             String username) {
        Map<String, List<String>> vars = base(tenant, c, a.username().orElse(username));
        for (Map.Entry<String, Object> claim : a.claims().entrySet()) {
            List<String> values = new ArrayList<>();
            if (claim.getValue() instanceof List<?> list) {
                for (Object item : list) {
                    if (item instanceof String || item instanceof Number || item instanceof Boolean) {
                        values.add(String.valueOf(item));
                    }
                }
            } else if (claim.getValue() instanceof String || claim.getValue() instanceof Number
                || claim.getValue() instanceof Boolean) {
                values.add(String.valueOf(claim.getValue()));
            }
            if (!values.isEmpty()) {
                vars.put("jwt.claims." + claim.getKey(), values);
            }
        }
        return AclVariables.of(vars);
    }

    private static AclVariables certVariables(TenantId tenant, ConnectCredentials c, X509Outcome.Accepted a,
                                              String username) {
        Map<String, List<String>> vars = base(tenant, c, username);
        a.commonName().ifPresent(cn -> vars.put("cert.cn", List.of(cn)));
        if (!a.dnsNames().isEmpty()) {
            vars.put("cert.san.dns", a.dnsNames());
        }
        if (!a.uris().isEmpty()) {
            vars.put("cert.san.uri", a.uris());
        }
        return AclVariables.of(vars);
    }
}
