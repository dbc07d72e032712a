package io.stratus.broker.auth.x509;

import io.stratus.broker.support.LogCapture;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.x500.X500Principal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RevocationListTest {

    private static final X500Principal ACME_CA = new X500Principal("CN=Acme Devices CA, O=Acme");
    private static final CertificateSerial ONE = new CertificateSerial(ACME_CA, BigInteger.ONE);
    private static final CertificateSerial TWO = new CertificateSerial(ACME_CA, BigInteger.TWO);
    private static final CertificateSerial THREE = new CertificateSerial(ACME_CA, BigInteger.valueOf(3));

    private final RevocationList list = new RevocationList();
    private final List<CertificateSerial> heard = new CopyOnWriteArrayList<>();

    @Test
    void tellsListenersOfEachNewRevocationBeforeRevokeReturns() {
        // given a listener that checks the list as it is told
        List<Boolean> revokedWhenHeard = new CopyOnWriteArrayList<>();
        list.addListener(s -> {
            heard.add(s);
            revokedWhenHeard.add(list.isRevoked(s));
        });

        // when a serial is revoked, then revoked again
        assertTrue(list.revoke(ONE));
        assertFalse(list.revoke(ONE));

        // then the listener heard of it once, after the list had it
        assertEquals(List.of(ONE), heard);
        assertEquals(List.of(true), revokedWhenHeard);
    }

    @Test
    void comparesIssuerNamesCanonically() {
        list.revoke(ONE);

        assertTrue(list.isRevoked(new CertificateSerial(new X500Principal("cn=acme devices ca,o=acme"), BigInteger.ONE)));
        assertFalse(list.isRevoked(new CertificateSerial(new X500Principal("CN=Other CA"), BigInteger.ONE)));
    }

    @Test
    void replacingWithASnapshotReinstatesTheMissingAndAnnouncesOnlyTheNew() {
        list.revoke(ONE);
        list.revoke(TWO);
        list.addListener(heard::add);

        list.replaceAll(List.of(TWO, THREE));

        assertFalse(list.isRevoked(ONE));
        assertTrue(list.isRevoked(TWO));
        assertTrue(list.isRevoked(THREE));
        assertEquals(List.of(THREE), heard);
        assertEquals(2, list.size());
    }

    @Test
    void closedRegistrationHearsNothingMore() {
        RevocationList.Registration registration = list.addListener(heard::add);
        list.revoke(ONE);

        registration.close();
        list.revoke(TWO);

        assertEquals(List.of(ONE), heard);
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        try (LogCapture log = new LogCapture()) {
            list.addListener(s -> {
                throw new IllegalStateException("listener bug");
            });
            list.addListener(heard::add);

            list.revoke(ONE);

            assertEquals(List.of(ONE), heard);
            assertEquals(1, log.exceptions().size(), log.exceptions().toString());
        }
    }
}
