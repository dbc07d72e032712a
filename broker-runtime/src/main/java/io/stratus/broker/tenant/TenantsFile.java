package io.stratus.broker.tenant;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.nimbusds.jose.JWSAlgorithm;
import io.stratus.broker.auth.AuthMethodSettings;
import io.stratus.broker.auth.acl.Action;
import io.stratus.broker.auth.acl.Effect;
import io.stratus.broker.auth.acl.FilterTemplate;
import io.stratus.broker.auth.acl.PolicyRule;
import io.stratus.broker.auth.jwt.JwksSettings;
import io.stratus.broker.auth.jwt.JwtKeys;
import io.stratus.broker.auth.jwt.JwtSettings;
import io.stratus.broker.auth.jwt.StaticKeys;
import io.stratus.broker.auth.password.StaticPasswordDirectory;
import io.stratus.broker.auth.x509.CertificateSerial;
import io.stratus.broker.auth.x509.IdentitySource;
import io.stratus.broker.auth.x509.PemCertificates;
import io.stratus.broker.auth.x509.X509Settings;
import io.stratus.broker.plugin.PluginJar;
import io.stratus.broker.plugin.PluginTimeouts;
import io.stratus.sdk.PluginConfiguration;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the tenants of a standalone broker from a JSON file ({@code tenants.file}):
 *
 * <pre>{@code
 * {
 *   "sni-domain": "mqtt.example.com",
 *   "tenants": [{
 *     "id": "acme",
 *     "auth": [
 *       {"type": "jwt", "issuer": "https://id.acme.example", "audiences": ["mqtt"],
 *        "jwks-uri": "https://id.acme.example/.well-known/jwks.json"},
 *       {"type": "x509", "ca-certificates": ["-----BEGIN CERTIFICATE-----..."], "identity": "cn",
 *        "revoked-serials": ["0a1b2c"]},
 *       {"type": "password", "users": {"sensor-1": "$argon2id$v=19$m=19456,t=2,p=1$...$..."}}
 *     ],
 *     "policy": [
 *       {"effect": "allow", "actions": ["publish", "subscribe"], "filters": ["devices/${client.id}/#"]}
 *     ],
 *     "limits": {"max-connections": 1000, "max-messages-per-second-per-client": 50},
 *     "plugins": [{"id": "http-auth", "config": {"url": "https://auth.acme.example/mqtt"},
 *                  "timeouts": {"authentication-ms": 2000}}]
 *   }]
 * }
 * }</pre>
 *
 * A plugin a tenant enables need not be loaded yet (its JAR may arrive in the plugins directory
 * later); an authentication method of type {@code plugin} must name one of the tenant's plugins.
 *
 * <p>Every error names the file and the field ({@code tenants[0].auth[1].issuer}) and says what is
 * allowed; unknown fields are errors too, so that a misspelt limit is not silently ignored.
 */
public final class TenantsFile {

    private static final JsonMapper JSON = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.ALLOW_COMMENTS)
        .build();

    /** The result: the tenants and how SNI names them. */
    public record Contents(Map<TenantId, TenantSettings> tenants, String sniDomain) {
        public Contents {
            tenants = Map.copyOf(tenants);
        }
    }

    /** A tenants file that cannot be used; the message names the file and field. */
    public static final class InvalidTenantsFile extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidTenantsFile(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A plugin callback that needs longer than a minute is better off answering and working on. */
    private static final long MAX_PLUGIN_TIMEOUT_MS = 60_000;

    private final String source;

    private TenantsFile(String source) {
        this.source = source;
    }

    /** @throws InvalidTenantsFile naming the file and field that are wrong */
    public static Contents read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidTenantsFile(file + ": cannot be read: " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    /** @param source the name errors use for the document @throws InvalidTenantsFile naming the field */
    public static Contents parse(byte[] json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(new ByteArrayInputStream(json));
        } catch (JsonProcessingException e) {
            throw new InvalidTenantsFile(source + ": not valid JSON at line " + e.getLocation().getLineNr()
                + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidTenantsFile(source + ": cannot be read: " + e.getMessage(), e);
        }
        return new TenantsFile(source).contents(root);
    }

    private Contents contents(JsonNode root) {
        Obj top = object(root, "");
        String sniDomain = top.optionalText("sni-domain");
        if (sniDomain != null && !sniDomain.matches("[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*")) {
            throw fail("sni-domain", "is not a DNS domain: " + sniDomain);
        }
        List<JsonNode> list = top.array("tenants", true);
        Map<TenantId, TenantSettings> tenants = new LinkedHashMap<>();
        Map<String, TenantId> issuers = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "tenants[" + i + "]";
            TenantSettings t = tenant(list.get(i), at);
            if (tenants.putIfAbsent(t.id(), t) != null) {
                throw fail(at + ".id", "tenant " + t.id() + " is defined twice");
            }
            for (int m = 0; m < t.auth().size(); m++) {
                if (t.auth().get(m) instanceof AuthMethodSettings.Jwt jwt) {
                    TenantId other = issuers.putIfAbsent(jwt.settings().issuer(), t.id());
                    if (other != null) {
                        throw fail(at + ".auth[" + m + "].issuer", "issuer " + jwt.settings().issuer()
                            + " is already tenant " + other + "'s; an issuer identifies one tenant");
                    }
                }
            }
        }
        top.done();
        return new Contents(tenants, sniDomain);
    }

    private TenantSettings tenant(JsonNode node, String at) {
        Obj o = object(node, at);
        String idText = o.text("id");
        TenantId id = convert(at + ".id", idText, TenantId::new);
        List<PluginSettings> plugins = new ArrayList<>();
        if (o.has("plugins")) {
            List<JsonNode> entries = o.array("plugins", false);
            for (int i = 0; i < entries.size(); i++) {
                PluginSettings plugin = plugin(entries.get(i), at + ".plugins[" + i + "]");
                if (plugins.stream().anyMatch(p -> p.id().equals(plugin.id()))) {
                    throw fail(at + ".plugins[" + i + "].id", "plugin " + plugin.id() + " is enabled twice");
                }
                plugins.add(plugin);
            }
        }
        List<AuthMethodSettings> auth = new ArrayList<>();
        List<JsonNode> methods = o.array("auth", true);
        for (int i = 0; i < methods.size(); i++) {
            auth.add(method(methods.get(i), at + ".auth[" + i + "]", plugins));
        }
        // a plugin authenticator gives clients attributes of its own naming, which policies may use
        boolean attributes = auth.stream().anyMatch(m -> m instanceof AuthMethodSettings.Plugin);
        List<PolicyRule> policy = null;
        if (o.has("policy")) {
            policy = new ArrayList<>();
            List<JsonNode> rules = o.array("policy", false);
            for (int i = 0; i < rules.size(); i++) {
                policy.add(rule(rules.get(i), at + ".policy[" + i + "]", attributes));
            }
        }
        TenantLimits limits = o.has("limits") ? limits(o.node("limits"), at + ".limits") : TenantLimits.NONE;
        o.done();
        return new TenantSettings(id, auth, policy, limits, plugins);
    }

    private AuthMethodSettings method(JsonNode node, String at, List<PluginSettings> plugins) {
        Obj o = object(node, at);
        String type = o.text("type");
        AuthMethodSettings m = switch (type) {
            case "jwt" -> jwt(o, at);
            case "x509" -> x509(o, at);
            case "password" -> password(o, at);
            case "plugin" -> pluginMethod(o, at, plugins);
            case "anonymous" -> new AuthMethodSettings.Anonymous();
            default -> throw fail(at + ".type", "is " + type + "; allowed: jwt, x509, password, plugin, anonymous");
        };
        o.done();
        return m;
    }

    private AuthMethodSettings pluginMethod(Obj o, String at, List<PluginSettings> plugins) {
        String id = o.text("plugin");
        if (plugins.stream().noneMatch(p -> p.id().equals(id))) {
            throw fail(at + ".plugin", "plugin " + id + " is not one of this tenant's plugins; enable it under "
                + "\"plugins\" first");
        }
        return new AuthMethodSettings.Plugin(id);
    }

    /** {@code {"id": "http-auth", "config": {"url": "..."}, "timeouts": {"authentication-ms": 2000}}} */
    private PluginSettings plugin(JsonNode node, String at) {
        Obj o = object(node, at);
        String id = o.text("id");
        if (!id.matches(PluginJar.ID_PATTERN)) {
            throw fail(at + ".id", "is " + id + "; allowed: a plugin id, " + PluginJar.ID_PATTERN);
        }
        Map<String, String> config = new LinkedHashMap<>();
        if (o.has("config")) {
            Obj values = object(o.node("config"), at + ".config");
            for (String key : values.fieldNames()) {
                JsonNode value = values.node(key);
                // nested objects and arrays reach the plugin as their JSON text, for it to parse
                config.put(key, value.isValueNode() ? value.asText() : value.toString());
            }
            values.done();
        }
        PluginTimeouts timeouts = PluginTimeouts.DEFAULTS;
        if (o.has("timeouts")) {
            Obj t = object(o.node("timeouts"), at + ".timeouts");
            timeouts = new PluginTimeouts(
                millis(t, "authentication-ms", timeouts.authentication()),
                millis(t, "authorization-ms", timeouts.authorization()),
                millis(t, "hook-ms", timeouts.hook()),
                millis(t, "lifecycle-ms", timeouts.lifecycle()),
                millis(t, "start-stop-ms", timeouts.startStop()));
            t.done();
        }
        o.done();
        return new PluginSettings(id, PluginConfiguration.of(config), timeouts);
    }

    private Duration millis(Obj o, String field, Duration absent) {
        if (!o.has(field)) {
            o.used.add(field);
            return absent;
        }
        long ms = o.integer(field);
        if (ms < 1 || ms > MAX_PLUGIN_TIMEOUT_MS) {
            throw fail(o.path(field), "must be 1 to " + MAX_PLUGIN_TIMEOUT_MS + " milliseconds: " + ms);
        }
        return Duration.ofMillis(ms);
    }

    private AuthMethodSettings jwt(Obj o, String at) {
        String issuer = o.text("issuer");
        Set<String> audiences = new HashSet<>(o.texts("audiences", true));
        JwtKeys keys;
        boolean jwks = o.has("jwks-uri");
        boolean statics = o.has("keys");
        if (jwks == statics) {
            throw fail(at, "needs exactly one of jwks-uri (a JWKS URL) and keys (PEM public keys or JWKs)");
        }
        if (jwks) {
            String uri = o.text("jwks-uri");
            keys = convert(at + ".jwks-uri", uri, u -> {
                try {
                    return JwksSettings.of(new URI(u));
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("not a URL: " + e.getMessage());
                }
            });
        } else {
            List<String> texts = o.texts("keys", true);
            keys = convert(at + ".keys", texts, StaticKeys::parse);
        }
        JwtSettings base = convert(at, issuer, i -> JwtSettings.of(i, audiences, keys));
        if (o.has("algorithms")) {
            Set<JWSAlgorithm> algs = new HashSet<>();
            for (String a : o.texts("algorithms", true)) {
                algs.add(JWSAlgorithm.parse(a));
            }
            base = convert(at + ".algorithms", base, b -> b.withAllowedAlgorithms(algs));
        }
        if (o.has("clock-skew-seconds")) {
            long skew = o.integer("clock-skew-seconds");
            base = convert(at + ".clock-skew-seconds", base, b -> b.withMaxClockSkew(Duration.ofSeconds(skew)));
        }
        if (o.has("client-id-claim") || o.has("client-id-must-match")) {
            String claim = o.has("client-id-claim") ? o.optionalText("client-id-claim") : JwtSettings.DEFAULT_CLIENT_ID_CLAIM;
            boolean must = !o.has("client-id-must-match") || o.bool("client-id-must-match");
            base = convert(at + ".client-id-claim", base, b -> b.withClientIdClaim(claim, must && claim != null));
        }
        if (o.has("username-claim")) {
            String claim = o.text("username-claim");
            base = base.withUsernameClaim(claim);
        }
        return new AuthMethodSettings.Jwt(base);
    }

    private AuthMethodSettings x509(Obj o, String at) {
        List<X509Certificate> cas = new ArrayList<>();
        List<String> pems = o.texts("ca-certificates", true);
        for (int i = 0; i < pems.size(); i++) {
            cas.addAll(convert(at + ".ca-certificates[" + i + "]", pems.get(i), TenantsFile::certificates));
        }
        String identity = o.has("identity") ? o.text("identity") : "cn";
        IdentitySource source = convert(at + ".identity", identity,
            s -> IdentitySource.valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_')));
        // a serial number is revoked under each of the tenant's CAs: serials are unique per issuer
        List<CertificateSerial> revoked = new ArrayList<>();
        if (o.has("revoked-serials")) {
            for (String serial : o.texts("revoked-serials", false)) {
                BigInteger number = convert(at + ".revoked-serials", serial, s -> new BigInteger(s.replace(":", ""), 16));
                for (X509Certificate ca : cas) {
                    revoked.add(new CertificateSerial(ca.getSubjectX500Principal(), number));
                }
            }
        }
        X509Settings settings = convert(at + ".ca-certificates", cas, c -> new X509Settings(c, source));
        return new AuthMethodSettings.X509(settings, revoked);
    }

    private AuthMethodSettings password(Obj o, String at) {
        Obj users = object(o.node("users"), at + ".users");
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String user : users.fieldNames()) {
            hashes.put(user, users.text(user));
        }
        users.done();
        return new AuthMethodSettings.Password(convert(at + ".users", hashes, StaticPasswordDirectory::parse));
    }

    private PolicyRule rule(JsonNode node, String at, boolean attributes) {
        Obj o = object(node, at);
        String effectText = o.text("effect");
        Effect effect = convert(at + ".effect", effectText, s -> switch (s) {
            case "allow" -> Effect.ALLOW;
            case "deny" -> Effect.DENY;
            default -> throw new IllegalArgumentException("is " + s + "; allowed: allow, deny");
        });
        Set<Action> actions = EnumSet.noneOf(Action.class);
        for (String a : o.texts("actions", true)) {
            actions.add(convert(at + ".actions", a, s -> switch (s) {
                case "publish" -> Action.PUBLISH;
                case "subscribe" -> Action.SUBSCRIBE;
                case "receive" -> Action.RECEIVE;
                default -> throw new IllegalArgumentException("is " + s + "; allowed: publish, subscribe, receive");
            }));
        }
        List<FilterTemplate> filters = new ArrayList<>();
        List<String> texts = o.texts("filters", true);
        for (int i = 0; i < texts.size(); i++) {
            filters.add(convert(at + ".filters[" + i + "]", texts.get(i), f -> FilterTemplate.parse(f, attributes)));
        }
        o.done();
        return new PolicyRule(effect, actions, filters);
    }

    private TenantLimits limits(JsonNode node, String at) {
        Obj o = object(node, at);
        TenantLimits limits = convert(at, o, l -> new TenantLimits(
            l.intOr("max-connections"), l.intOr("max-messages-per-second-per-client"),
            l.longOr("max-bytes-per-second-per-client"), l.intOr("max-messages-per-second"),
            l.longOr("max-bytes-per-second"), l.intOr("max-packet-size"), l.intOr("max-subscriptions-per-client"),
            l.intOr("max-queued-messages")));
        o.done();
        return limits;
    }

    static List<X509Certificate> certificates(String pem) {
        try {
            return PemCertificates.parse(pem.getBytes(StandardCharsets.US_ASCII));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    // ---- small JSON helpers that know where they are --------------------------------------------

    private <T, R> R convert(String at, T value, Function<T, R> f) {
        try {
            return f.apply(value);
        } catch (InvalidTenantsFile e) {
            throw e;
        } catch (RuntimeException e) {
            throw fail(at, e.getMessage());
        }
    }

    private InvalidTenantsFile fail(String at, String problem) {
        return new InvalidTenantsFile(source + ": " + (at.isEmpty() ? "" : at + ": ") + problem, null);
    }

    private Obj object(JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            throw fail(at, "must be a JSON object");
        }
        return new Obj(node, at);
    }

    /** A JSON object being read: remembers which fields were used so that unknown ones are errors. */
    private final class Obj {
        private final JsonNode node;
        private final String at;
        private final Set<String> used = new HashSet<>();

        Obj(JsonNode node, String at) {
            this.node = node;
            this.at = at;
        }

        private String path(String field) {
            return at.isEmpty() ? field : at + "." + field;
        }

        boolean has(String field) {
            return node.has(field) && !node.get(field).isNull();
        }

        JsonNode node(String field) {
            used.add(field);
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                throw fail(path(field), "is required");
            }
            return n;
        }

        String text(String field) {
            JsonNode n = node(field);
            if (!n.isTextual() || n.asText().isEmpty()) {
                throw fail(path(field), "must be a non-empty string");
            }
            return n.asText();
        }

        String optionalText(String field) {
            used.add(field);
            return has(field) ? text(field) : null;
        }

        boolean bool(String field) {
            JsonNode n = node(field);
            if (!n.isBoolean()) {
                throw fail(path(field), "must be true or false");
            }
            return n.asBoolean();
        }

        long integer(String field) {
            JsonNode n = node(field);
            if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                throw fail(path(field), "must be a whole number");
            }
            return n.asLong();
        }

        int intOr(String field) {
            if (!has(field)) {
                used.add(field);
                return 0;
            }
            long v = integer(field);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw fail(path(field), "must be 0 to " + Integer.MAX_VALUE + ": " + v);
            }
            return (int) v;
        }

        long longOr(String field) {
            if (!has(field)) {
                used.add(field);
                return 0;
            }
            long v = integer(field);
            if (v < 0) {
                throw fail(path(field), "must be 0 or more: " + v);
            }
            return v;
        }

        List<JsonNode> array(String field, boolean nonEmpty) {
            JsonNode n = node(field);
            if (!n.isArray()) {
                throw fail(path(field), "must be a JSON array");
            }
            if (nonEmpty && n.isEmpty()) {
                throw fail(path(field), "must not be empty");
            }
            List<JsonNode> out = new ArrayList<>();
            n.forEach(out::add);
            return out;
        }

        List<String> texts(String field, boolean nonEmpty) {
            List<JsonNode> items = array(field, nonEmpty);
            List<String> out = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                JsonNode n = items.get(i);
                if (!n.isTextual() || n.asText().isEmpty()) {
                    throw fail(path(field) + "[" + i + "]", "must be a non-empty string");
                }
                out.add(n.asText());
            }
            return out;
        }

        List<String> fieldNames() {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            return names;
        }

        /** @throws InvalidTenantsFile for a field nothing read: a typo would otherwise be ignored */
        void done() {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!used.contains(name)) {
                    throw fail(path(name), "is not a known field here");
                }
            }
        }
    }
}
