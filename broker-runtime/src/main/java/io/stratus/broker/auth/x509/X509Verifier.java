package io.stratus.broker.auth.x509;

import io.stratus.broker.auth.x509.X509Outcome.Accepted;
import io.stratus.broker.auth.x509.X509Outcome.Refused;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a TLS client's certificate chain against one tenant's CAs and revocation list.
 *
 * <p>The TLS layer may accept any client certificate (one listener serves every tenant); the trust
 * decision is made here, per tenant, with the JDK's PKIX validator at this verifier's clock. PKIX
 * revocation checking (CRL, OCSP) is off: revocation is the tenant's own list of serials, which the
 * control plane keeps current and which also closes live connections.
 *
 * <p>All CPU and memory, well under a millisecond for a usual chain: callers may call it on any thread.
 * Thread-safe; one instance per tenant.
 */
public final class X509Verifier {

    /** Longer chains are not real device PKIs; refusing them bounds the work a handshake can cause. */
    static final int MAX_CHAIN_LENGTH = 8;

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
    private static final int DIGITAL_SIGNATURE = 0;

    private final X509Settings settings;
    private final RevocationList revocations;
    private final Clock clock;
    private final Set<TrustAnchor> anchors;

    /**
     * @param settings    the tenant's CAs and identity field
     * @param revocations the tenant's revoked certificates
     * @param clock       the time certificates are checked at
     */
    public X509Verifier(X509Settings settings, RevocationList revocations, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.revocations = Objects.requireNonNull(revocations, "revocations");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.anchors = settings.trustedCas().stream()
            .map(ca -> new TrustAnchor(ca, null))
            .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * @param presented the client's certificates as TLS delivered them: leaf first, then any
     *                  intermediates, perhaps ending with the CA itself
     * @return the outcome; never throws on bad input
     */
    public X509Outcome verify(List<X509Certificate> presented) {
        if (presented == null || presented.isEmpty()) {
            return new Refused(X509Refusal.NO_CERTIFICATE);
        }
        List<X509Certificate> path = withoutAnchors(presented);
        if (path.isEmpty() || path.get(0).getBasicConstraints() >= 0) {
            return new Refused(X509Refusal.LEAF_IS_CA);
        }
        if (path.size() > MAX_CHAIN_LENGTH) {
            return new Refused(X509Refusal.INVALID_CHAIN);
        }
        Date now = Date.from(clock.instant());
        Optional<X509Refusal> invalid = validity(path, now);
        if (invalid.isPresent()) {
            return new Refused(invalid.get());
        }
        X509Certificate ca;
        try {
            ca = validate(path, now);
        } catch (Refusal r) {
            return new Refused(r.reason);
        }
        Optional<X509Refusal> caInvalid = validity(List.of(ca), now);
        if (caInvalid.isPresent()) {
            return new Refused(caInvalid.get());
        }
        X509Certificate leaf = path.get(0);
        if (!allowsClientAuth(leaf)) {
            return new Refused(X509Refusal.WRONG_KEY_USAGE);
        }
        List<CertificateSerial> chain = path.stream().map(CertificateSerial::of).toList();
        if (chain.stream().anyMatch(revocations::isRevoked)) {
            return new Refused(X509Refusal.REVOKED);
        }
        CertificateNames names;
        try {
            names = CertificateNames.of(leaf);
        } catch (CertificateParsingException e) {
            return new Refused(X509Refusal.NO_IDENTITY);
        }
        Optional<String> identity = names.identity(settings.identity());
        if (identity.isEmpty()) {
            return new Refused(X509Refusal.NO_IDENTITY);
        }
        Instant firstExpiry = path.stream().map(c -> c.getNotAfter().toInstant())
            .reduce(ca.getNotAfter().toInstant(), (a, b) -> a.isBefore(b) ? a : b);
        return new Accepted(identity.get(), names.commonName(), names.dnsNames(), names.uris(), names.emails(),
            leaf.getSubjectX500Principal(), leaf.getSerialNumber(), leaf.getIssuerX500Principal(), firstExpiry,
            chain, ca.getSubjectX500Principal());
    }

    /** @return whether a connection accepted with {@code accepted} now uses a revoked certificate */
    public boolean isRevoked(Accepted accepted) {
        return accepted.chain().stream().anyMatch(revocations::isRevoked);
    }

    /** Clients often send the CA too; PKIX wants the path without its anchor. */
    private List<X509Certificate> withoutAnchors(List<X509Certificate> presented) {
        List<X509Certificate> path = new ArrayList<>(presented);
        while (!path.isEmpty() && settings.trustedCas().contains(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        return path;
    }

    /** Checked before PKIX so the reason is exact whichever certificate is out of date. */
    private static Optional<X509Refusal> validity(List<X509Certificate> certificates, Date now) {
        for (X509Certificate c : certificates) {
            try {
                c.checkValidity(now);
            } catch (CertificateExpiredException e) {
                return Optional.of(X509Refusal.EXPIRED);
            } catch (CertificateNotYetValidException e) {
                return Optional.of(X509Refusal.NOT_YET_VALID);
            }
        }
        return Optional.empty();
    }

    /** @return the tenant CA the path leads to */
    private X509Certificate validate(List<X509Certificate> path, Date now) throws Refusal {
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(now);
            PKIXCertPathValidatorResult result = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            return result.getTrustAnchor().getTrustedCert();
        } catch (CertPathValidatorException e) {
            throw new Refusal(reasonFor(e.getReason()));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new Refusal(X509Refusal.INVALID_CHAIN);
        }
    }

    private static X509Refusal reasonFor(CertPathValidatorException.Reason reason) {
        if (reason == PKIXReason.NO_TRUST_ANCHOR) {
            return X509Refusal.UNTRUSTED;
        }
        if (reason == BasicReason.EXPIRED) {
            return X509Refusal.EXPIRED;
        }
        if (reason == BasicReason.NOT_YET_VALID) {
            return X509Refusal.NOT_YET_VALID;
        }
        return X509Refusal.INVALID_CHAIN;
    }

    /** A leaf may restrict its key's use; if it does, TLS client authentication must be among the uses. */
    private static boolean allowsClientAuth(X509Certificate leaf) {
        boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage != null && !keyUsage[DIGITAL_SIGNATURE]) {
            return false;
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            return eku == null || eku.contains(CLIENT_AUTH) || eku.contains(ANY_EXTENDED_KEY_USAGE);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    /** A refusal found during path validation, carried out of it. */
    private static final class Refusal extends Exception {
        final X509Refusal reason;

        Refusal(X509Refusal reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }
    }
}
