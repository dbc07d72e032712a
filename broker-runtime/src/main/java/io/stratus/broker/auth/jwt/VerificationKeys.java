package io.stratus.broker.auth.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.Ed448PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.Ed448Signer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which keys may check which signatures, and the check itself.
 *
 * <p>A key is only ever tried with an algorithm of its own family and curve: an RSA key never checks
 * an ECDSA signature, a P-256 key never an ES384 one. EdDSA is checked with BouncyCastle's Ed25519 and
 * Ed448 signers; nimbus's own Ed25519 verifier needs Google Tink, which this broker does not carry.
 */
final class VerificationKeys {

    /** Keys tried per token at most, so a key set without key ids cannot make one token cost much CPU. */
    static final int MAX_CANDIDATES = 8;

    static final int MIN_RSA_BITS = 2048;

    private static final Map<JWSAlgorithm, Curve> EC_CURVES = Map.of(
        JWSAlgorithm.ES256, Curve.P_256, JWSAlgorithm.ES384, Curve.P_384, JWSAlgorithm.ES512, Curve.P_521);

    private static final Set<Curve> ED_CURVES = Set.of(Curve.Ed25519, Curve.Ed448);

    private VerificationKeys() {
    }

    /**
     * @return the public part of {@code key} if this verifier can use it (RSA of at least 2048 bits,
     *         EC on P-256/384/521, Ed25519 or Ed448 of the right length, meant for signatures); empty otherwise
     */
    static Optional<JWK> usable(JWK key) {
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            return Optional.empty();
        }
        Set<KeyOperation> ops = key.getKeyOperations();
        if (ops != null && !ops.contains(KeyOperation.VERIFY)) {
            return Optional.empty();
        }
        boolean ok;
        if (key instanceof RSAKey rsa) {
            ok = rsa.size() >= MIN_RSA_BITS;
        } else if (key instanceof ECKey ec) {
            ok = EC_CURVES.containsValue(ec.getCurve());
        } else if (key instanceof OctetKeyPair okp) {
            ok = ED_CURVES.contains(okp.getCurve()) && okp.getDecodedX().length == edKeyLength(okp.getCurve());
        } else {
            ok = false; // symmetric keys: an HMAC key in a public key set is never used
        }
        return ok ? Optional.of(key.toPublicJWK()) : Optional.empty();
    }

    /**
     * @return the keys that may have signed a token with {@code header}: of the header's algorithm's
     *         family and curve, not bound to another algorithm, and with the header's key id (keys
     *         without an id match any); at most {@link #MAX_CANDIDATES}
     */
    static List<JWK> candidates(List<JWK> keys, JWSHeader header) {
        JWSAlgorithm alg = header.getAlgorithm();
        String kid = header.getKeyID();
        List<JWK> found = new ArrayList<>();
        for (JWK key : keys) {
            if (found.size() == MAX_CANDIDATES) {
                break;
            }
            boolean idMatches = kid == null || key.getKeyID() == null || kid.equals(key.getKeyID());
            boolean algMatches = key.getAlgorithm() == null || key.getAlgorithm().equals(alg);
            if (idMatches && algMatches && fits(key, alg)) {
                found.add(key);
            }
        }
        return found;
    }

    /** @return whether {@code key} made {@code signature} over {@code signingInput}; never throws */
    static boolean verifies(JWK key, JWSHeader header, byte[] signingInput, Base64URL signature) {
        try {
            if (key instanceof RSAKey rsa) {
                return new RSASSAVerifier(rsa).verify(header, signingInput, signature);
            }
            if (key instanceof ECKey ec) {
                return new ECDSAVerifier(ec).verify(header, signingInput, signature);
            }
            if (key instanceof OctetKeyPair okp) {
                return verifiesEd(okp, signingInput, signature.decode());
            }
            return false;
        } catch (JOSEException | RuntimeException e) {
            return false; // a signature that cannot even be checked is not a valid one
        }
    }

    private static boolean fits(JWK key, JWSAlgorithm alg) {
        if (JWSAlgorithm.Family.RSA.contains(alg)) {
            return key instanceof RSAKey;
        }
        if (EC_CURVES.containsKey(alg)) {
            return key instanceof ECKey ec && ec.getCurve().equals(EC_CURVES.get(alg));
        }
        if (key instanceof OctetKeyPair okp) {
            // RFC 8037's EdDSA covers both curves; RFC 9864's fully specified names bind one each.
            return alg.equals(JWSAlgorithm.EdDSA) && ED_CURVES.contains(okp.getCurve())
                || alg.equals(JWSAlgorithm.Ed25519) && okp.getCurve().equals(Curve.Ed25519)
                || alg.equals(JWSAlgorithm.Ed448) && okp.getCurve().equals(Curve.Ed448);
        }
        return false;
    }

    private static boolean verifiesEd(OctetKeyPair key, byte[] signingInput, byte[] signature) {
        Signer signer;
        if (key.getCurve().equals(Curve.Ed25519)) {
            signer = new Ed25519Signer();
            signer.init(false, new Ed25519PublicKeyParameters(key.getDecodedX()));
        } else {
            signer = new Ed448Signer(new byte[0]); // JOSE uses pure Ed448 with an empty context [RFC 8037 §3.1]
            signer.init(false, new Ed448PublicKeyParameters(key.getDecodedX()));
        }
        signer.update(signingInput, 0, signingInput.length);
        return signer.verifySignature(signature);
    }

    private static int edKeyLength(Curve curve) {
        return curve.equals(Curve.Ed25519) ? Ed25519PublicKeyParameters.KEY_SIZE : Ed448PublicKeyParameters.KEY_SIZE;
    }
}
