package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;

/** Turns a public key written in configuration (JWK JSON, PEM public key or PEM certificate) into a JWK. */
final class PublicKeyText {

    private PublicKeyText() {
    }

    /** @throws IllegalArgumentException saying why the text is not a public key; never quoting it */
    static JWK parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.startsWith("{")) {
            try {
                return JWK.parse(t);
            } catch (ParseException e) {
                throw new IllegalArgumentException("not a valid JWK: " + e.getMessage(), e);
            }
        }
        if (t.startsWith("-----BEGIN")) {
            return fromPem(t);
        }
        throw new IllegalArgumentException("neither a JWK nor a PEM public key or certificate");
    }

    private static JWK fromPem(String pem) {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = parser.readObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable PEM: " + e.getMessage(), e);
        }
        SubjectPublicKeyInfo spki;
        if (parsed instanceof SubjectPublicKeyInfo info) {
            spki = info;
        } else if (parsed instanceof X509CertificateHolder cert) {
            spki = cert.getSubjectPublicKeyInfo();
        } else if (parsed == null) {
            throw new IllegalArgumentException("no PEM object found");
        } else {
            throw new IllegalArgumentException("PEM holds a " + parsed.getClass().getSimpleName()
                + ", not a public key or certificate (never configure a private key)");
        }
        try {
            return fromSpki(spki);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("unusable public key: " + e.getMessage(), e);
        }
    }

    private static JWK fromSpki(SubjectPublicKeyInfo spki) throws GeneralSecurityException, IOException {
        ASN1ObjectIdentifier oid = spki.getAlgorithm().getAlgorithm();
        X509EncodedKeySpec spec = new X509EncodedKeySpec(spki.getEncoded());
        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            return new RSAKey.Builder((RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(spec)).build();
        }
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(spec);
            Curve curve = Curve.forECParameterSpec(key.getParams());
            if (curve == null) {
                throw new IllegalArgumentException("EC key on an unsupported curve");
            }
            return new ECKey.Builder(curve, key).build();
        }
        // An EdDSA SubjectPublicKeyInfo's bit string is the raw public key, which is a JWK's "x". [RFC 8410 §4]
        Base64URL x = Base64URL.encode(spki.getPublicKeyData().getBytes());
        if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            return new OctetKeyPair.Builder(Curve.Ed25519, x).build();
        }
        if (oid.equals(EdECObjectIdentifiers.id_Ed448)) {
            return new OctetKeyPair.Builder(Curve.Ed448, x).build();
        }
        throw new IllegalArgumentException("unsupported key algorithm " + oid.getId());
    }
}
