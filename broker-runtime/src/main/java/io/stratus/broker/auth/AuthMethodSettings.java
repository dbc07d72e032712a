package io.stratus.broker.auth;

import io.stratus.broker.auth.jwt.JwtSettings;
import io.stratus.broker.auth.password.StaticPasswordDirectory;
import io.stratus.broker.auth.x509.CertificateSerial;
import io.stratus.broker.auth.x509.X509Settings;

import java.util.List;
import java.util.Objects;

/**
 * One way a tenant's clients may authenticate, as configured. A tenant lists several in the order
 * they are tried: a method that does not apply to a CONNECT (no certificate, a password that is not
 * a JWT) passes it to the next; one that applies decides.
 */
public sealed interface AuthMethodSettings {

    /** @return the method's kind, for logs, metrics and cache keys */
    AuthMethod kind();

    /** A JWT in the password field, checked against the issuer's keys. */
    record Jwt(JwtSettings settings) implements AuthMethodSettings {
        public Jwt {
            Objects.requireNonNull(settings, "settings");
        }

        @Override
        public AuthMethod kind() {
            return AuthMethod.JWT;
        }
    }

    /**
     * A TLS client certificate chaining to one of the tenant's CAs.
     *
     * @param revoked serial numbers revoked from the start
     */
    record X509(X509Settings settings, List<CertificateSerial> revoked) implements AuthMethodSettings {
        public X509 {
            Objects.requireNonNull(settings, "settings");
            revoked = List.copyOf(revoked);
        }

        @Override
        public AuthMethod kind() {
            return AuthMethod.X509;
        }
    }

    /** User names with salted slow password hashes. */
    record Password(StaticPasswordDirectory users) implements AuthMethodSettings {
        public Password {
            Objects.requireNonNull(users, "users");
        }

        @Override
        public AuthMethod kind() {
            return AuthMethod.PASSWORD;
        }
    }

    /**
     * A plugin's simple authenticator, at this place in the chain: it allows, denies, or passes to the
     * next method. The plugin must be one the tenant enables.
     *
     * @param pluginId the plugin's id
     */
    record Plugin(String pluginId) implements AuthMethodSettings {
        public Plugin {
            Objects.requireNonNull(pluginId, "pluginId");
        }

        @Override
        public AuthMethod kind() {
            return AuthMethod.PLUGIN;
        }
    }

    /** Anyone, without credentials: for development tenants and the standalone default. */
    record Anonymous() implements AuthMethodSettings {
        @Override
        public AuthMethod kind() {
            return AuthMethod.ANONYMOUS;
        }
    }
}
