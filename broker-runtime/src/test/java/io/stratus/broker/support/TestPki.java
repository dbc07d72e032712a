package io.stratus.broker.support;

import io.stratus.broker.config.ListenerConfig;
import io.stratus.broker.config.TlsConfig;
import io.stratus.broker.config.Transport;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * A certificate authority made for one test, and the certificates it issues, with BouncyCastle: server
 * certificates whose names cover how tests reach the broker (localhost, 127.0.0.1 and any
 * {@code *.stratus.test} host name, for SNI), client certificates for mutual TLS, PEM files for the
 * broker, and the JDK objects clients need to trust the authority or present a certificate. Keys are
 * generated anew each time; nothing is stored in the repository.
 */
public final class TestPki {

    /** Host names under this domain all match the default server certificate; none resolves. */
    public static final String TEST_DOMAIN = "stratus.test";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] NO_PASSWORD = new char[0];

    /** The kind of key pair a certificate is issued for. */
    public enum KeyType { EC, RSA }

    private TestPki() {
    }

    /** @return a new self-signed authority with an EC key */
    public static Authority authority(String commonName) {
        KeyPair keyPair = keyPair(KeyType.EC);
        X500Name name = new X500Name("CN=" + commonName);
        try {
            X509v3CertificateBuilder builder = builder(name, randomSerial(), name, keyPair);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
            return new Authority(keyPair, sign(builder, keyPair.getPrivate()));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate authority: issues certificates and makes what clients need to trust it. */
    public static final class Authority {

        private final KeyPair keyPair;
        private final X509Certificate certificate;

        private Authority(KeyPair keyPair, X509Certificate certificate) {
            this.keyPair = keyPair;
            this.certificate = certificate;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        /** @return a server certificate for localhost, 127.0.0.1 and {@code *.stratus.test}, EC key, random serial */
        public Issued server() {
            return server(randomSerial(), KeyType.EC);
        }

        /** @return a server certificate with the given serial number and key type */
        public Issued server(BigInteger serial, KeyType keyType) {
            GeneralNames names = new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "*." + TEST_DOMAIN)});
            return issue("broker." + TEST_DOMAIN, serial, keyType, KeyPurposeId.id_kp_serverAuth, names);
        }

        /** @return a client certificate (for mutual TLS) with the given common name */
        public Issued client(String commonName) {
            return issue(commonName, randomSerial(), KeyType.EC, KeyPurposeId.id_kp_clientAuth, null);
        }

        private Issued issue(String commonName, BigInteger serial, KeyType keyType, KeyPurposeId purpose,
                             GeneralNames names) {
            KeyPair subject = keyPair(keyType);
            try {
                X509v3CertificateBuilder builder = builder(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    serial, new X500Name("CN=" + commonName), subject);
                JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
                int usage = KeyUsage.digitalSignature | (keyType == KeyType.RSA ? KeyUsage.keyEncipherment : 0);
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(usage))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                        extensions.createAuthorityKeyIdentifier(certificate));
                if (names != null) {
                    builder.addExtension(Extension.subjectAlternativeName, false, names);
                }
                return new Issued(sign(builder, keyPair.getPrivate()), subject.getPrivate(), this);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** @return trust managers that trust this authority alone */
        public TrustManagerFactory trustManagerFactory() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setCertificateEntry("ca", certificate);
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                return factory;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * @param clientCertificate the certificate to present when the server asks, or null for none
         * @param protocols         the TLS versions the client offers, e.g. {@code "TLSv1.2"}; none for the JDK's
         * @return a factory of client sockets that trust this authority
         */
        public SSLSocketFactory socketFactory(Issued clientCertificate, String... protocols) {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(clientCertificate == null ? null : clientCertificate.keyManagerFactory().getKeyManagers(),
                    trustManagerFactory().getTrustManagers(), RANDOM);
                return new ProtocolSocketFactory(context.getSocketFactory(), protocols);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * A certificate and its private key.
     *
     * @param certificate the certificate
     * @param key         its private key
     * @param issuer      the authority that signed it
     */
    public record Issued(X509Certificate certificate, PrivateKey key, Authority issuer) {

        public BigInteger serial() {
            return certificate.getSerialNumber();
        }

        /** @return the certificate as PEM */
        public String certificatePem() {
            return pem(certificate);
        }

        /** @return the private key as unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}) */
        public String keyPem() {
            try {
                return pem(new JcaPKCS8Generator(key, null).generate());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** @return the private key in the older PKCS#1/SEC1 PEM format ({@code -----BEGIN EC PRIVATE KEY-----}) */
        public String legacyKeyPem() {
            return pem(key);
        }

        /**
         * Writes the certificate and key as PEM files, replacing them (each in one atomic move) if they
         * exist.
         *
         * @return the two files
         */
        public PemFiles writeTo(Path certFile, Path keyFile) {
            write(certFile, certificatePem());
            write(keyFile, keyPem());
            return new PemFiles(certFile, keyFile);
        }

        /** @return key managers that present this certificate */
        public KeyManagerFactory keyManagerFactory() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("key", key, NO_PASSWORD, new X509Certificate[] {certificate});
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store, NO_PASSWORD);
                return factory;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The two files a TLS listener reads. */
    public record PemFiles(Path certFile, Path keyFile) {

        /**
         * @return a {@code tls} listener on an ephemeral loopback port with these files that asks clients
         *     for a certificate (optional), for tests of certificate authentication
         */
        public ListenerConfig listenerAskingForClientCertificates() {
            TlsConfig tls = TlsConfig.of(certFile, keyFile);
            tls = new TlsConfig(tls.certFile(), tls.keyFile(), tls.protocols(), tls.ciphers(),
                TlsConfig.ClientAuth.OPTIONAL, tls.reloadIntervalSeconds(), tls.provider());
            return new ListenerConfig("tls", Transport.TLS,
                "127.0.0.1", 0, Optional.of(tls), Optional.empty(), false);
        }
    }

    /** Writes a file by moving a complete temporary file over it, so no reader sees it half written. */
    public static void write(Path file, String text) {
        try {
            Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), "pem", ".tmp");
            Files.writeString(temporary, text, StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, BigInteger serial, X500Name subject,
                                                    KeyPair keyPair) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(2))), subject, keyPair.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
        throws GeneralSecurityException {
        try {
            String algorithm = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair keyPair(KeyType type) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type.name());
            if (type == KeyType.EC) {
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            } else {
                generator.initialize(2048, RANDOM);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger randomSerial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Client sockets that offer only the given TLS versions. */
    private static final class ProtocolSocketFactory extends SSLSocketFactory {

        private final SSLSocketFactory delegate;
        private final String[] protocols;

        ProtocolSocketFactory(SSLSocketFactory delegate, String[] protocols) {
            this.delegate = delegate;
            this.protocols = protocols.clone();
        }

        private Socket restrict(Socket socket) {
            if (protocols.length > 0) {
                ((SSLSocket) socket).setEnabledProtocols(protocols);
            }
            return socket;
        }

        @Override
        public Socket createSocket() throws IOException {
            return restrict(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return restrict(delegate.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return restrict(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return restrict(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return restrict(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
            return restrict(delegate.createSocket(address, port, localAddress, localPort));
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }
    }
}
