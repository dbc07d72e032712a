package io.stratus.broker.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.stratus.broker.config.ConfigException;
import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.config.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server side of TLS for one listener: an {@link SslContext} built from the listener's PEM files,
 * replaced when the files change so that a renewed certificate is served to new connections without a
 * restart. Connections already open keep the context they started with.
 *
 * <p>OpenSSL (netty-tcnative's BoringSSL) is used when its native library loads, else the JDK's TLS;
 * {@code tls.provider} can insist on one. When the listener asks for client certificates, TLS accepts
 * any chain the client presents: which CAs a client may chain to depends on its tenant, which is only
 * known once it authenticates, so trust is decided there (as AWS IoT does) and not by the handshake.
 * The handshake still proves that the client holds the certificate's private key.
 *
 * <p>{@link #reloadIfChanged()} reads files and must not run on an event loop; {@link #context()} is
 * called on event loops and only reads a reference.
 */
public final class ServerTls {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final ListenerConfig listener;
    private final TlsConfig config;
    private final SslProvider provider;
    private final AtomicReference<Loaded> current = new AtomicReference<>();
    /** The digest of the last pair of files that could not be used; confined to the reloading thread. */
    private byte[] lastRefused;

    private record Loaded(SslContext context, KeyMaterial material) {
    }

    private ServerTls(ListenerConfig listener) {
        this.listener = listener;
        this.config = listener.tls().orElseThrow(() -> new IllegalArgumentException(listener.name() + " has no TLS"));
        this.provider = provider(listener, config.provider());
        checkCiphers();
        current.set(build(KeyMaterial.read(listener, config.certFile(), config.keyFile())));
    }

    /**
     * Reads the listener's certificate and key and builds its TLS context.
     *
     * @param listener a {@code tls} or {@code wss} listener
     * @throws ConfigException naming the listener's key if a file is missing or bad, the provider is
     *     not available or a cipher suite is unknown
     */
    public static ServerTls load(ListenerConfig listener) {
        ServerTls tls = new ServerTls(listener);
        X509Certificate certificate = tls.certificate();
        LOG.info("listener {}: TLS with {}, protocols {}, client certificates {}, certificate {} serial {} valid until {}",
            listener.name(), tls.provider, tls.config.protocols(), tls.config.clientAuth(),
            certificate.getSubjectX500Principal().getName(), certificate.getSerialNumber().toString(16),
            certificate.getNotAfter().toInstant());
        tls.warnIfOutsideValidity(certificate);
        return tls;
    }

    /** @return the context for a new connection; the newest whose files could be read */
    public SslContext context() {
        return current.get().context();
    }

    /** @return the certificate new connections are served */
    public X509Certificate certificate() {
        return current.get().material().certificate();
    }

    /** @return the TLS implementation in use */
    public SslProvider provider() {
        return provider;
    }

    /** @return the listener's name */
    public String listenerName() {
        return listener.name();
    }

    /** @return seconds between checks of the files; 0 if they are never checked */
    public int reloadIntervalSeconds() {
        return config.reloadIntervalSeconds();
    }

    /**
     * Reads both files and, if either changed since they were last used, builds a new context for new
     * connections. A pair that cannot be used (half written, mismatched, invalid) is logged once and
     * the current context kept; the files are read again at the next check. Reads files: call it off
     * the event loops, from one thread at a time.
     *
     * @return true if a new context is in use
     */
    public boolean reloadIfChanged() {
        try {
            byte[] digest = KeyMaterial.digestOf(listener, config.certFile(), config.keyFile());
            if (current.get().material().sameFilesAs(digest) || Arrays.equals(digest, lastRefused)) {
                return false;
            }
            KeyMaterial material;
            Loaded loaded;
            try {
                material = KeyMaterial.read(listener, config.certFile(), config.keyFile());
                loaded = build(material);
            } catch (ConfigException e) {
                lastRefused = digest;
                throw e;
            }
            current.set(loaded);
            lastRefused = null;
            X509Certificate certificate = material.certificate();
            LOG.info("listener {}: new certificate {} serial {} valid until {} for new connections", listener.name(),
                certificate.getSubjectX500Principal().getName(), certificate.getSerialNumber().toString(16),
                certificate.getNotAfter().toInstant());
            warnIfOutsideValidity(certificate);
            return true;
        } catch (ConfigException e) {
            LOG.warn("listener {}: certificate files changed but cannot be used, keeping the current certificate: {}",
                listener.name(), e.getMessage());
            return false;
        }
    }

    private Loaded build(KeyMaterial material) {
        SslContextBuilder builder = SslContextBuilder
            .forServer(material.key(), material.chain().toArray(X509Certificate[]::new))
            .sslProvider(provider)
            .protocols(config.protocols())
            .ciphers(config.ciphers().isEmpty() ? null : config.ciphers());
        switch (config.clientAuth()) {
            case NONE -> builder.clientAuth(ClientAuth.NONE);
            case OPTIONAL -> builder.clientAuth(ClientAuth.OPTIONAL).trustManager(InsecureTrustManagerFactory.INSTANCE);
            case REQUIRED -> builder.clientAuth(ClientAuth.REQUIRE).trustManager(InsecureTrustManagerFactory.INSTANCE);
            default -> throw new IllegalStateException(config.clientAuth().toString());
        }
        SslContext context;
        try {
            context = builder.build();
            // an engine applies the protocols and cipher suites; a provider that refuses them does so here
            SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
            ReferenceCountUtil.release(engine);
        } catch (SSLException | IllegalArgumentException e) {
            String key = listener.key(ListenerConfig.TLS_CERT_FILE);
            throw new ConfigException(key, "listener " + listener.name() + ": " + provider + " cannot use "
                + key + "=" + config.certFile() + " with " + listener.key(ListenerConfig.TLS_PROTOCOLS) + "=" + config.protocols()
                + " and " + listener.key(ListenerConfig.TLS_CIPHERS) + "=" + config.ciphers() + ": " + e.getMessage());
        }
        return new Loaded(context, material);
    }

    private static SslProvider provider(ListenerConfig listener, TlsConfig.Provider wanted) {
        return switch (wanted) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    String key = listener.key(ListenerConfig.TLS_PROVIDER);
                    throw new ConfigException(key, key + "=openssl, but OpenSSL cannot be loaded here ("
                        + OpenSsl.unavailabilityCause() + "); allowed: auto or jdk");
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** Refuses cipher suite names the provider does not know, rather than leaving them out silently. */
    private void checkCiphers() {
        if (config.ciphers().isEmpty()) {
            return;
        }
        Set<String> known;
        if (provider == SslProvider.OPENSSL) {
            known = new HashSet<>(OpenSsl.availableJavaCipherSuites());
            known.addAll(OpenSsl.availableOpenSslCipherSuites());
        } else {
            try {
                known = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no default TLS context", e);
            }
        }
        List<String> unknown = config.ciphers().stream().filter(c -> !known.contains(c)).toList();
        if (!unknown.isEmpty()) {
            String key = listener.key(ListenerConfig.TLS_CIPHERS);
            throw ConfigException.invalidValue(key, String.join(",", config.ciphers()),
                "naming cipher suites " + provider + " does not support (" + String.join(", ", unknown) + ")",
                "names of supported suites such as TLS_AES_128_GCM_SHA256 or TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        }
    }

    private void warnIfOutsideValidity(X509Certificate certificate) {
        Instant now = Instant.now();
        if (now.isAfter(certificate.getNotAfter().toInstant()) || now.isBefore(certificate.getNotBefore().toInstant())) {
            LOG.warn("listener {}: the certificate is valid only from {} to {}; clients will refuse it",
                listener.name(), certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
        }
    }
}
