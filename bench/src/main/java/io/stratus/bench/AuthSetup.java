package io.stratus.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.stratus.broker.auth.password.PasswordHasher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;

/**
 * {@code java -jar stratus-bench.jar auth-setup --dir DIR --method password|jwt}: writes what a run
 * with authentication and policies on needs, made fresh each time (no secret is stored anywhere):
 *
 * <ul>
 *   <li>{@code DIR/tenants.json}: one tenant, {@code bench}, whose clients authenticate with a password
 *       (an Argon2id hash at the broker's default cost) or a JWT (an RS256 key made now), and whose
 *       policy allows publishing and subscribing under {@code bench/#} and denies one other subtree, so
 *       that every PUBLISH and SUBSCRIBE goes through the policy;</li>
 *   <li>{@code DIR/password}: what every client sends as its password: the password, or a token valid
 *       for a day for any client id (the tenant does not ask the token's subject to match it).</li>
 * </ul>
 *
 * It prints the user name clients give ({@code --username}): {@code bench@bench} names the tenant for
 * passwords; a token's issuer names it for JWTs.
 */
final class AuthSetup {

    static final String TENANT = "bench";
    private static final String ISSUER = "https://bench.stratus.invalid";
    private static final String POLICY = """
        "policy": [
          {"effect": "allow", "actions": ["publish", "subscribe"], "filters": ["bench/#"]},
          {"effect": "deny", "actions": ["publish", "subscribe"], "filters": ["bench/forbidden/#"]}
        ]""";

    private AuthSetup() {
    }

    /** Runs the subcommand; returns the exit status. */
    static int run(String[] args) throws IOException {
        Path dir = null;
        String method = "password";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--method" -> method = args[i + 1];
                default -> {
                    System.err.println("auth-setup: unknown option " + args[i]);
                    return 2;
                }
            }
        }
        if (dir == null || !(method.equals("password") || method.equals("jwt"))) {
            System.err.println("usage: java -jar stratus-bench.jar auth-setup --dir DIR --method password|jwt");
            return 2;
        }
        Files.createDirectories(dir);
        String username;
        String secret;
        String auth;
        if (method.equals("password")) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            secret = HexFormat.of().formatHex(random);
            // the broker's default cost, as a deployment would use; a CONNECT storm costs one hash per
            // credential thanks to the broker's decision cache
            String hash = new PasswordHasher(PasswordHasher.Argon2Cost.OWASP, Runnable::run, new SecureRandom())
                .hashNow(secret.getBytes(StandardCharsets.UTF_8));
            auth = "{\"type\": \"password\", \"users\": {\"bench\": \"" + hash + "\"}}";
            username = "bench@" + TENANT;
        } else {
            RSAKey key = rsaKey();
            secret = token(key);
            // a PEM block with its line breaks written as \n, as it sits in a JSON string
            String pem = ("-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(publicKey(key))
                + "\n-----END PUBLIC KEY-----\n").replace("\n", "\\n");
            auth = "{\"type\": \"jwt\", \"issuer\": \"" + ISSUER + "\", \"audiences\": [\"mqtt\"], \"keys\": [\"" + pem
                + "\"], \"client-id-must-match\": false}";
            username = "bench";
        }
        String json = "{\"tenants\": [{\"id\": \"" + TENANT + "\", \"auth\": [" + auth + "],\n" + POLICY + "}]}\n";
        Files.writeString(dir.resolve("tenants.json"), json, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("password"), secret + "\n", StandardCharsets.UTF_8);
        System.out.println(username);
        return 0;
    }

    private static RSAKey rsaKey() {
        try {
            return new RSAKeyGenerator(2048).keyID("bench").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] publicKey(RSAKey key) {
        try {
            return key.toPublicKey().getEncoded();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token(RSAKey key) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience("mqtt").subject("bench")
            .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofDays(1)))).build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
