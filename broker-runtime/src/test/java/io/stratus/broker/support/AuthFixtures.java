package io.stratus.broker.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed448PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.Ed448Signer;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;

/**
 * Keys, signed tokens and certificate chains made in the test, for authentication tests: nothing
 * secret is ever stored in the repository.
 *
 * <ul>
 *   <li>JWKs for RSA, EC P-256/384/521, Ed25519 and Ed448, with their public parts as JWKS JSON or PEM;</li>
 *   <li>compact JWS tokens signed with any of them, plus the forgeries a verifier must refuse
 *       ({@code alg: none}, HMAC keyed with a public key);</li>
 *   <li>X.509 CAs, intermediates and leaves with chosen names, validity, serials and extensions.</li>
 * </ul>
 */
public final class AuthFixtures {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SERIALS = new AtomicLong(1000);

    private AuthFixtures() {
    }

    // ----- keys

    public static RSAKey rsaKey(String kid) {
        return rsaKey(kid, 2048);
    }

    public static RSAKey rsaKey(String kid, int bits) {
        try {
            return new RSAKeyGenerator(bits, true).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param curve P_256, P_384 or P_521 */
    public static ECKey ecKey(String kid, Curve curve) {
        try {
            return new ECKeyGenerator(curve).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An Ed25519 key pair, made with BouncyCastle (nimbus's own generator needs Google Tink). */
    public static OctetKeyPair ed25519Key(String kid) {
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(RANDOM);
        return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(key.generatePublicKey().getEncoded()))
            .d(Base64URL.encode(key.getEncoded())).keyID(kid).build();
    }

    public static OctetKeyPair ed448Key(String kid) {
        Ed448PrivateKeyParameters key = new Ed448PrivateKeyParameters(RANDOM);
        return new OctetKeyPair.Builder(Curve.Ed448, Base64URL.encode(key.generatePublicKey().getEncoded()))
            .d(Base64URL.encode(key.getEncoded())).keyID(kid).build();
    }

    /** @return the public keys as a JWKS document */
    public static String jwks(JWK... keys) {
        List<JWK> publicKeys = new ArrayList<>();
        for (JWK k : keys) {
            publicKeys.add(k.toPublicJWK());
        }
        return new JWKSet(publicKeys).toString(true);
    }

    /** @return the public key as a PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo) */
    public static String publicKeyPem(JWK key) {
        try {
            byte[] spki;
            if (key instanceof RSAKey rsa) {
                spki = rsa.toPublicKey().getEncoded();
            } else if (key instanceof ECKey ec) {
                spki = ec.toPublicKey().getEncoded();
            } else {
                OctetKeyPair okp = (OctetKeyPair) key;
                AlgorithmIdentifier alg = new AlgorithmIdentifier(okp.getCurve().equals(Curve.Ed25519)
                    ? EdECObjectIdentifiers.id_Ed25519 : EdECObjectIdentifiers.id_Ed448);
                spki = new SubjectPublicKeyInfo(alg, okp.getDecodedX()).getEncoded();
            }
            return pem("PUBLIC KEY", spki);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the certificate as PEM, escaped to sit in a JSON string (a tenants file's ca-certificates) */
    public static String jsonPem(Issued issued) {
        try {
            return pem("CERTIFICATE", issued.certificate().getEncoded()).replace("\n", "\\n");
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
            + "\n-----END " + type + "-----\n";
    }

    // ----- tokens

    /**
     * Claims a verifier for {@code issuer} and {@code audience} accepts at {@code now}: {@code sub},
     * {@code iat} now, {@code exp} ten minutes on, a random {@code jti}.
     */
    public static JWTClaimsSet.Builder claims(String issuer, String audience, String subject, Instant now) {
        return new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(audience)
            .subject(subject)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
            .jwtID(UUID.randomUUID().toString());
    }

    /** Signs with {@code key} and its key id in the header. */
    public static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
        return sign(key, new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
    }

    /** Signs with {@code key}, whatever the header says. */
    public static String sign(JWK key, JWSHeader header, JWTClaimsSet claims) {
        try {
            String signingInput = header.toBase64URL() + "." + claims.toPayload().toBase64URL();
            byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
            Base64URL signature;
            if (key instanceof RSAKey rsa) {
                signature = new RSASSASigner(rsa).sign(header, input);
            } else if (key instanceof ECKey ec) {
                signature = new ECDSASigner(ec).sign(header, input);
            } else {
                signature = Base64URL.encode(signEd((OctetKeyPair) key, input));
            }
            return signingInput + "." + signature;
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsecured JWT ({@code alg: none}, empty signature) [RFC 7519 §6]. */
    public static String unsecured(JWTClaimsSet claims) {
        return Base64URL.encode("{\"alg\":\"none\"}") + "." + claims.toPayload().toBase64URL() + ".";
    }

    /** An unsecured JWT that still carries a signature part, so only its header gives it away. */
    public static String unsecuredWithSignature(JWTClaimsSet claims) {
        return Base64URL.encode("{\"alg\":\"none\"}") + "." + claims.toPayload().toBase64URL() + "."
            + Base64URL.encode("x");
    }

    /** An HMAC token keyed with {@code secret}: with a public key's bytes, the key-confusion forgery. */
    public static String hmac(byte[] secret, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
        try {
            JWSHeader header = new JWSHeader.Builder(alg).keyID(kid).build();
            String signingInput = header.toBase64URL() + "." + claims.toPayload().toBase64URL();
            Base64URL signature = new MACSigner(secret).sign(header, signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + signature;
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] signEd(OctetKeyPair key, byte[] input) {
        Signer signer;
        if (key.getCurve().equals(Curve.Ed25519)) {
            signer = new Ed25519Signer();
            signer.init(true, new Ed25519PrivateKeyParameters(key.getDecodedD()));
        } else {
            signer = new Ed448Signer(new byte[0]);
            signer.init(true, new Ed448PrivateKeyParameters(key.getDecodedD()));
        }
        signer.update(input, 0, input.length);
        try {
            return signer.generateSignature();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ----- certificates

    /** A certificate with its key pair. */
    public record Issued(X509Certificate certificate, KeyPair keyPair) {

        /** @return the subject's distinguished name */
        public X500Principal subject() {
            return certificate.getSubjectX500Principal();
        }
    }

    /** A self-signed CA valid from a day ago for ten years. */
    public static Issued ca(String cn) {
        return certificate("CN=" + cn).ca().selfSigned();
    }

    /**
     * Starts a certificate; by default an EC P-256 leaf for TLS client authentication
     * (digitalSignature, clientAuth), valid from a day ago for a year, with a fresh serial.
     *
     * @param subject the subject's distinguished name, e.g. {@code CN=device-1,O=acme}
     */
    public static CertificateSpec certificate(String subject) {
        return new CertificateSpec(subject);
    }

    /** What a certificate will hold; finish with {@link #issuedBy} or {@link #selfSigned}. */
    public static final class CertificateSpec {
        private final String subject;
        private final List<GeneralName> sans = new ArrayList<>();
        private Instant notBefore = Instant.now().minus(Duration.ofDays(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(365));
        private BigInteger serial = BigInteger.valueOf(SERIALS.incrementAndGet());
        private boolean ca;
        private KeyPurposeId[] extendedKeyUsage = {KeyPurposeId.id_kp_clientAuth};
        private Integer keyUsage;

        private CertificateSpec(String subject) {
            this.subject = subject;
        }

        /** A CA: basic constraints cA, keyCertSign and cRLSign, no extended key usage, valid ten years. */
        public CertificateSpec ca() {
            ca = true;
            extendedKeyUsage = null;
            notAfter = Instant.now().plus(Duration.ofDays(3650));
            return this;
        }

        /** Basic constraints cA on a certificate that otherwise looks like a leaf. */
        public CertificateSpec caFlag() {
            ca = true;
            return this;
        }

        public CertificateSpec validity(Instant from, Instant to) {
            notBefore = from;
            notAfter = to;
            return this;
        }

        public CertificateSpec serial(BigInteger value) {
            serial = value;
            return this;
        }

        public CertificateSpec dns(String name) {
            sans.add(new GeneralName(GeneralName.dNSName, name));
            return this;
        }

        public CertificateSpec uri(String uri) {
            sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
            return this;
        }

        public CertificateSpec email(String address) {
            sans.add(new GeneralName(GeneralName.rfc822Name, address));
            return this;
        }

        /** @param purposes the extended key usages, or none to leave the extension out */
        public CertificateSpec extendedKeyUsage(KeyPurposeId... purposes) {
            extendedKeyUsage = purposes.length == 0 ? null : purposes;
            return this;
        }

        /** @param bits {@link KeyUsage} bits, e.g. {@code KeyUsage.keyEncipherment} */
        public CertificateSpec keyUsage(int bits) {
            keyUsage = bits;
            return this;
        }

        public Issued selfSigned() {
            KeyPair keys = newEcKeyPair();
            return build(keys, new X500Principal(subject), keys);
        }

        public Issued issuedBy(Issued issuer) {
            return build(newEcKeyPair(), issuer.subject(), issuer.keyPair());
        }

        private Issued build(KeyPair keys, X500Principal issuerName, KeyPair issuerKeys) {
            try {
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, serial, Date.from(notBefore),
                    Date.from(notAfter), new X500Principal(subject), keys.getPublic());
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                int usage = keyUsage != null ? keyUsage
                    : ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature;
                b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
                if (extendedKeyUsage != null) {
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(extendedKeyUsage));
                }
                if (!sans.isEmpty()) {
                    b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
                }
                b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
                b.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
                X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
                return new Issued(cert, keys);
            } catch (Exception e) {
                throw new IllegalStateException("cannot make certificate " + subject, e);
            }
        }
    }

    private static KeyPair newEcKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
