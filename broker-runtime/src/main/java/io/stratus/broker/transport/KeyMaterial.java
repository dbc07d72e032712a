package io.stratus.broker.transport;

import io.stratus.broker.auth.x509.PemCertificates;
import io.stratus.broker.config.ConfigException;
import io.stratus.broker.config.ListenerConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server certificate chain and its private key, read from the two PEM files a TLS listener names
 * and checked to belong together, so that a wrong pair is refused when it is read rather than found
 * out by every client's failed handshake. Messages name the listener's key and the file, never any
 * key material.
 *
 * @param chain  the server certificate first, then any intermediates, as the file lists them
 * @param key    the private key of {@code chain[0]}
 * @param digest a SHA-256 digest of both files' bytes: a reload is due when it changes
 */
record KeyMaterial(List<X509Certificate> chain, PrivateKey key, byte[] digest) {

    private static final String CERT_FILE = ListenerConfig.TLS_CERT_FILE;
    private static final String KEY_FILE = ListenerConfig.TLS_KEY_FILE;
    /** Far beyond any certificate chain or key; a bigger file is a mistake, not something to read whole. */
    private static final long MAX_FILE_BYTES = 1 << 20;
    private static final Pattern PKCS8 =
        Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /**
     * Reads both files.
     *
     * @throws ConfigException naming {@code tls.cert-file} or {@code tls.key-file} if a file is missing,
     *     unreadable or not what it should be, or if the key does not belong to the certificate
     */
    static KeyMaterial read(ListenerConfig listener, Path certFile, Path keyFile) {
        byte[] certBytes = readFile(listener, CERT_FILE, certFile);
        byte[] keyBytes = readFile(listener, KEY_FILE, keyFile);
        List<X509Certificate> chain = certificates(listener, certFile, certBytes);
        PrivateKey key = privateKey(listener, keyFile, keyBytes, chain.get(0));
        requireMatch(listener, keyFile, certFile, key, chain.get(0));
        return new KeyMaterial(chain, key, digest(certBytes, keyBytes));
    }

    /** @return the digest of both files as they are now, to compare with {@link #digest} */
    static byte[] digestOf(ListenerConfig listener, Path certFile, Path keyFile) {
        return digest(readFile(listener, CERT_FILE, certFile), readFile(listener, KEY_FILE, keyFile));
    }

    boolean sameFilesAs(byte[] otherDigest) {
        return MessageDigest.isEqual(digest, otherDigest);
    }

    X509Certificate certificate() {
        return chain.get(0);
    }

    /** Names the certificate only: a key's own toString may print its parameters. */
    @Override
    public String toString() {
        return "KeyMaterial[" + certificate().getSubjectX500Principal().getName() + " serial "
            + certificate().getSerialNumber().toString(16) + "]";
    }

    private static byte[] readFile(ListenerConfig listener, String property, Path file) {
        String key = listener.key(property);
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(key, key + "=" + file + " is larger than " + MAX_FILE_BYTES
                    + " bytes; allowed: a PEM file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(key, key + "=" + file + " does not exist; allowed: a readable PEM file");
        } catch (IOException e) {
            throw new ConfigException(key, key + "=" + file + " cannot be read (" + e + "); allowed: a readable PEM file");
        }
    }

    private static List<X509Certificate> certificates(ListenerConfig listener, Path file, byte[] pem) {
        String key = listener.key(CERT_FILE);
        try {
            return PemCertificates.parse(pem);
        } catch (CertificateException e) {
            throw new ConfigException(key, key + "=" + file + " is not a PEM certificate chain (" + e.getMessage()
                + "); allowed: the server certificate, then any intermediates, each in -----BEGIN CERTIFICATE-----");
        }
    }

    private static PrivateKey privateKey(ListenerConfig listener, Path file, byte[] pem, X509Certificate certificate) {
        String key = listener.key(KEY_FILE);
        String text = new String(pem, StandardCharsets.US_ASCII);
        String allowed = "; allowed: an unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----), RSA or EC";
        Matcher matcher = PKCS8.matcher(text);
        if (!matcher.find()) {
            String problem = text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") ? "an encrypted key"
                : text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")
                    ? "a key in the older PKCS#1/SEC1 format (openssl pkcs8 -topk8 -nocrypt converts it)"
                    : "not a PEM private key";
            throw new ConfigException(key, key + "=" + file + " is " + problem + allowed);
        }
        String algorithm = certificate.getPublicKey().getAlgorithm();
        if (!algorithm.equals("RSA") && !algorithm.equals("EC")) {
            throw new ConfigException(listener.key(CERT_FILE), listener.key(CERT_FILE) + " holds a certificate for a "
                + algorithm + " key" + allowed);
        }
        byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new ConfigException(key, key + "=" + file + " is not the " + algorithm
                + " key the certificate needs (" + e.getMessage() + ")" + allowed);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** Signs with the key and verifies with the certificate: only the certificate's own key passes. */
    private static void requireMatch(ListenerConfig listener, Path keyFile, Path certFile, PrivateKey key,
                                     X509Certificate certificate) {
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            String k = listener.key(KEY_FILE);
            throw new ConfigException(k, k + "=" + keyFile + " is not the private key of the certificate in "
                + certFile + "; allowed: the key that belongs to that certificate");
        }
    }

    private static byte[] digest(byte[] certBytes, byte[] keyBytes) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            // lengths first, so that no two different pairs of files hash as the same byte stream
            sha256.update(ByteBuffer.allocate(16).putLong(certBytes.length).putLong(keyBytes.length).array());
            sha256.update(certBytes);
            sha256.update(keyBytes);
            return sha256.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
