package io.stratus.broker.auth.x509;

import io.stratus.broker.auth.x509.X509Outcome.Accepted;
import io.stratus.broker.auth.x509.X509Outcome.Refused;
import io.stratus.broker.support.AuthFixtures.Issued;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.stratus.broker.support.AuthFixtures.ca;
import static io.stratus.broker.support.AuthFixtures.certificate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class X509VerifierTest {

    private static final Instant NOW = Instant.now();
    private static final Duration DAY = Duration.ofDays(1);

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final Issued root = ca("Acme Root CA");
    private final Issued intermediate = certificate("CN=Acme Devices CA").ca().issuedBy(root);
    private final Issued leaf = certificate("CN=device-1,O=Acme")
        .dns("device-1.acme.example").uri("spiffe://acme.example/device-1").email("device-1@acme.example")
        .issuedBy(intermediate);
    private final RevocationList revocations = new RevocationList();

    @Test
    void acceptsLeafIssuedDirectlyByTheTenantCa() {
        Issued direct = certificate("CN=device-2").issuedBy(root);

        Accepted accepted = accepted(verifier(IdentitySource.CN).verify(chain(direct)));

        assertEquals("device-2", accepted.identity());
        assertEquals(root.subject(), accepted.ca());
    }

    @Test
    void acceptsChainThroughAnIntermediateWithOrWithoutTheCaAppended() {
        X509Verifier verifier = verifier(IdentitySource.CN);

        Accepted withoutCa = accepted(verifier.verify(chain(leaf, intermediate)));
        Accepted withCa = accepted(verifier.verify(chain(leaf, intermediate, root)));

        assertEquals("device-1", withoutCa.identity());
        assertEquals(withoutCa, withCa);
    }

    @Test
    void acceptedOutcomeDescribesTheLeafAndTheWholeChain() {
        Accepted accepted = accepted(verifier(IdentitySource.CN).verify(chain(leaf, intermediate)));

        X509Certificate cert = leaf.certificate();
        assertEquals("device-1", accepted.commonName().orElseThrow());
        assertEquals(List.of("device-1.acme.example"), accepted.dnsNames());
        assertEquals(List.of("spiffe://acme.example/device-1"), accepted.uris());
        assertEquals(List.of("device-1@acme.example"), accepted.emails());
        assertEquals(cert.getSerialNumber(), accepted.serial());
        assertEquals(intermediate.subject(), accepted.issuer());
        assertEquals(cert.getSubjectX500Principal(), accepted.subject());
        assertEquals(List.of(CertificateSerial.of(cert), CertificateSerial.of(intermediate.certificate())),
            accepted.chain());
        assertEquals(cert.getNotAfter().toInstant(), accepted.notAfter(), "the leaf expires first here");
        assertEquals(accepted.notAfter(), accepted.expiresAt().orElseThrow());
    }

    @Test
    void reportsTheFirstExpiryInTheChain() {
        Issued shortLived = certificate("CN=Short CA").ca().validity(NOW.minus(DAY), NOW.plus(DAY)).issuedBy(root);
        Issued device = certificate("CN=device-3").issuedBy(shortLived);

        Accepted accepted = accepted(verifier(IdentitySource.CN).verify(chain(device, shortLived)));

        assertEquals(shortLived.certificate().getNotAfter().toInstant(), accepted.notAfter());
    }

    @Test
    void takesTheIdentityFromTheConfiguredField() {
        List<X509Certificate> chain = chain(leaf, intermediate);

        assertEquals("device-1.acme.example", accepted(verifier(IdentitySource.SAN_DNS).verify(chain)).identity());
        assertEquals("spiffe://acme.example/device-1", accepted(verifier(IdentitySource.SAN_URI).verify(chain)).identity());
        assertEquals("device-1@acme.example", accepted(verifier(IdentitySource.SAN_EMAIL).verify(chain)).identity());
    }

    @Test
    void refusesMissingOrAmbiguousIdentity() {
        Issued noSan = certificate("CN=device-4").issuedBy(root);
        Issued twoDns = certificate("CN=device-5").dns("a.acme.example").dns("b.acme.example").issuedBy(root);
        Issued twoCns = certificate("CN=device-6,CN=device-7").issuedBy(root);
        Issued noCn = certificate("O=Acme").dns("device-8.acme.example").issuedBy(root);

        assertRefused(X509Refusal.NO_IDENTITY, verifier(IdentitySource.SAN_DNS).verify(chain(noSan)));
        assertRefused(X509Refusal.NO_IDENTITY, verifier(IdentitySource.SAN_DNS).verify(chain(twoDns)));
        assertRefused(X509Refusal.NO_IDENTITY, verifier(IdentitySource.CN).verify(chain(twoCns)));
        assertRefused(X509Refusal.NO_IDENTITY, verifier(IdentitySource.CN).verify(chain(noCn)));
    }

    @Test
    void refusesChainToAnotherTenantsCa() {
        Issued otherRoot = ca("Globex Root CA");
        Issued otherLeaf = certificate("CN=device-1").issuedBy(otherRoot);

        assertRefused(X509Refusal.UNTRUSTED, verifier(IdentitySource.CN).verify(chain(otherLeaf)));
        assertRefused(X509Refusal.UNTRUSTED, verifier(IdentitySource.CN).verify(chain(otherLeaf, otherRoot)));
    }

    @Test
    void refusesCertificateSignedByAnImpostorWithTheTenantCasName() {
        // given a CA with the very same name as the tenant's, but its own key
        Issued impostor = ca("Acme Root CA");
        Issued forged = certificate("CN=device-1").issuedBy(impostor);

        X509Outcome outcome = verifier(IdentitySource.CN).verify(chain(forged));

        assertRefused(X509Refusal.UNTRUSTED, outcome);
    }

    @Test
    void refusesSelfSignedLeafAndMissingIntermediate() {
        Issued selfSigned = certificate("CN=device-1").selfSigned();

        assertRefused(X509Refusal.UNTRUSTED, verifier(IdentitySource.CN).verify(chain(selfSigned)));
        assertRefused(X509Refusal.UNTRUSTED, verifier(IdentitySource.CN).verify(chain(leaf)));
    }

    @Test
    void refusesChainThroughANonCaCertificate() {
        Issued notACa = certificate("CN=device-9").issuedBy(root);
        Issued issuedByLeaf = certificate("CN=device-10").issuedBy(notACa);

        assertRefused(X509Refusal.INVALID_CHAIN, verifier(IdentitySource.CN).verify(chain(issuedByLeaf, notACa)));
    }

    @Test
    void refusesLeafThatIsACa() {
        Issued caLeaf = certificate("CN=device-11").caFlag().issuedBy(root);

        assertRefused(X509Refusal.LEAF_IS_CA, verifier(IdentitySource.CN).verify(chain(caLeaf)));
        assertRefused(X509Refusal.LEAF_IS_CA, verifier(IdentitySource.CN).verify(chain(root)));
    }

    @Test
    void refusesMissingChain() {
        assertRefused(X509Refusal.NO_CERTIFICATE, verifier(IdentitySource.CN).verify(List.of()));
        assertRefused(X509Refusal.NO_CERTIFICATE, verifier(IdentitySource.CN).verify(null));
    }

    @Test
    void refusesExpiredAndNotYetValidLeaf() {
        Issued expired = certificate("CN=old").validity(NOW.minus(DAY.multipliedBy(30)), NOW.minus(DAY)).issuedBy(root);
        Issued early = certificate("CN=new").validity(NOW.plus(DAY), NOW.plus(DAY.multipliedBy(30))).issuedBy(root);

        assertRefused(X509Refusal.EXPIRED, verifier(IdentitySource.CN).verify(chain(expired)));
        assertRefused(X509Refusal.NOT_YET_VALID, verifier(IdentitySource.CN).verify(chain(early)));
    }

    @Test
    void refusesExpiredIntermediate() {
        Issued oldCa = certificate("CN=Old Devices CA").ca().validity(NOW.minus(DAY.multipliedBy(30)), NOW.minus(DAY))
            .issuedBy(root);
        Issued device = certificate("CN=device-12").validity(NOW.minus(DAY.multipliedBy(20)), NOW.plus(DAY))
            .issuedBy(oldCa);

        assertRefused(X509Refusal.EXPIRED, verifier(IdentitySource.CN).verify(chain(device, oldCa)));
    }

    @Test
    void refusesExpiredTenantCa() {
        Issued oldRoot = certificate("CN=Old Root").ca().validity(NOW.minus(DAY.multipliedBy(30)), NOW.minus(DAY))
            .selfSigned();
        Issued device = certificate("CN=device-13").validity(NOW.minus(DAY.multipliedBy(20)), NOW.plus(DAY))
            .issuedBy(oldRoot);
        X509Verifier verifier = new X509Verifier(new X509Settings(List.of(oldRoot.certificate()), IdentitySource.CN),
            revocations, clock);

        assertRefused(X509Refusal.EXPIRED, verifier.verify(chain(device)));
    }

    @Test
    void checksValidityAtTheVerifiersClock() {
        List<X509Certificate> chain = chain(leaf, intermediate);
        Clock twoYearsOn = Clock.offset(clock, DAY.multipliedBy(730));
        Clock twoDaysAgo = Clock.offset(clock, DAY.multipliedBy(-2));

        assertRefused(X509Refusal.EXPIRED, new X509Verifier(settings(IdentitySource.CN), revocations, twoYearsOn)
            .verify(chain));
        assertRefused(X509Refusal.NOT_YET_VALID, new X509Verifier(settings(IdentitySource.CN), revocations, twoDaysAgo)
            .verify(chain));
    }

    @Test
    void refusesLeafNotMeantForClientAuthentication() {
        Issued serverOnly = certificate("CN=device-14").extendedKeyUsage(KeyPurposeId.id_kp_serverAuth).issuedBy(root);
        Issued encipherOnly = certificate("CN=device-15").keyUsage(KeyUsage.keyEncipherment).issuedBy(root);
        Issued noEku = certificate("CN=device-16").extendedKeyUsage().issuedBy(root);

        assertRefused(X509Refusal.WRONG_KEY_USAGE, verifier(IdentitySource.CN).verify(chain(serverOnly)));
        assertRefused(X509Refusal.WRONG_KEY_USAGE, verifier(IdentitySource.CN).verify(chain(encipherOnly)));
        accepted(verifier(IdentitySource.CN).verify(chain(noEku)));
    }

    @Test
    void refusesRevokedLeafUntilReinstated() {
        X509Verifier verifier = verifier(IdentitySource.CN);
        CertificateSerial serial = CertificateSerial.of(leaf.certificate());

        revocations.revoke(serial);
        assertRefused(X509Refusal.REVOKED, verifier.verify(chain(leaf, intermediate)));

        revocations.reinstate(serial);
        accepted(verifier.verify(chain(leaf, intermediate)));
    }

    @Test
    void refusesLeafUnderARevokedIntermediate() {
        revocations.revoke(CertificateSerial.of(intermediate.certificate()));

        assertRefused(X509Refusal.REVOKED, verifier(IdentitySource.CN).verify(chain(leaf, intermediate)));
    }

    @Test
    void matchesRevocationsByIssuerAndSerialTogether() {
        // given the leaf's serial revoked, but under another issuer
        BigInteger serial = leaf.certificate().getSerialNumber();
        revocations.revoke(new CertificateSerial(root.subject(), serial));

        accepted(verifier(IdentitySource.CN).verify(chain(leaf, intermediate)));
    }

    @Test
    void tellsWhetherALiveConnectionsChainWasRevokedSinceItConnected() {
        X509Verifier verifier = verifier(IdentitySource.CN);
        Accepted accepted = accepted(verifier.verify(chain(leaf, intermediate)));
        assertFalse(verifier.isRevoked(accepted));

        revocations.revoke(CertificateSerial.of(intermediate.certificate()));

        assertTrue(verifier.isRevoked(accepted));
        assertTrue(accepted.uses(CertificateSerial.of(intermediate.certificate())));
    }

    @Test
    void refusesSettingsWithoutCaOrWithALeafAsCa() {
        assertThrows(IllegalArgumentException.class, () -> new X509Settings(List.of(), IdentitySource.CN));
        assertThrows(IllegalArgumentException.class,
            () -> new X509Settings(List.of(leaf.certificate()), IdentitySource.CN));
    }

    // ----- helpers

    private X509Settings settings(IdentitySource identity) {
        return new X509Settings(List.of(root.certificate()), identity);
    }

    private X509Verifier verifier(IdentitySource identity) {
        return new X509Verifier(settings(identity), revocations, clock);
    }

    private static List<X509Certificate> chain(Issued... certificates) {
        return java.util.Arrays.stream(certificates).map(Issued::certificate).toList();
    }

    private static Accepted accepted(X509Outcome outcome) {
        return assertInstanceOf(Accepted.class, outcome, outcome::toString);
    }

    private static void assertRefused(X509Refusal reason, X509Outcome outcome) {
        assertEquals(new Refused(reason), outcome);
    }
}
