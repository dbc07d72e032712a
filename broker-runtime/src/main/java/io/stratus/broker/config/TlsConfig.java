package io.stratus.broker.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The TLS settings of a {@code tls} or {@code wss} listener (keys {@code listeners.<name>.tls.*}).
 * Validated as part of its {@link ListenerConfig}, which knows the keys to name; the files themselves
 * are read and checked when the broker is built, before anything binds.
 *
 * @param certFile              PEM file with the server certificate, then any intermediates
 * @param keyFile               PEM file with the certificate's private key, unencrypted PKCS#8 (RSA or EC)
 * @param protocols             the TLS versions offered, in order of preference: {@code TLSv1.3}, {@code TLSv1.2}
 * @param ciphers               the cipher suites offered (JDK names); empty for the provider's defaults
 * @param clientAuth            whether the server asks for a client certificate
 * @param reloadIntervalSeconds how often the two files are checked for a change; 0 never
 * @param provider              which TLS implementation to use
 */
public record TlsConfig(Path certFile, Path keyFile, List<String> protocols, List<String> ciphers,
                        ClientAuth clientAuth, int reloadIntervalSeconds, Provider provider) {

    /** The protocol versions a listener may offer; older ones are broken. */
    public static final List<String> SUPPORTED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Checking two small files every ten seconds costs nothing and makes a rotation take effect quickly. */
    public static final int DEFAULT_RELOAD_INTERVAL_SECONDS = 10;

    public TlsConfig {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        protocols = List.copyOf(protocols);
        ciphers = List.copyOf(ciphers);
        Objects.requireNonNull(clientAuth, "clientAuth");
        Objects.requireNonNull(provider, "provider");
    }

    /** @return the defaults for everything but the two files */
    public static TlsConfig of(Path certFile, Path keyFile) {
        return new TlsConfig(certFile, keyFile, SUPPORTED_PROTOCOLS, List.of(), ClientAuth.NONE,
            DEFAULT_RELOAD_INTERVAL_SECONDS, Provider.AUTO);
    }

    /**
     * Whether the server asks for a client certificate. Whatever chain the client sends is accepted
     * by TLS (it proves only that the client holds the key); whether it is trusted is decided per
     * tenant, against that tenant's CA certificates, when the client authenticates.
     */
    public enum ClientAuth {
        /** No certificate is asked for. */
        NONE,
        /** A certificate is asked for; a client without one still connects. */
        OPTIONAL,
        /** A client without a certificate fails the handshake. */
        REQUIRED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Which TLS implementation terminates connections. */
    public enum Provider {
        /** OpenSSL (BoringSSL, bundled) when its native library loads here, else the JDK's. */
        AUTO,
        /** OpenSSL, or the broker does not start. */
        OPENSSL,
        /** The JDK's own TLS. */
        JDK;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
