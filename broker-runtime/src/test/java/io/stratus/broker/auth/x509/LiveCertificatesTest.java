package io.stratus.broker.auth.x509;

import org.junit.jupiter.api.Test;

import javax.security.auth.x500.X500Principal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry of open connections by certificate that revocations go through. */
class LiveCertificatesTest {

    private static final X500Principal CA = new X500Principal("CN=Acme CA");
    private static final X500Principal INTERMEDIATE = new X500Principal("CN=Acme Intermediate");

    private static CertificateSerial serial(X500Principal issuer, long n) {
        return new CertificateSerial(issuer, BigInteger.valueOf(n));
    }

    @Test
    void tellsEveryConnectionThatUsesARevokedLeafOrIntermediate() {
        LiveCertificates live = new LiveCertificates();
        List<String> told = new ArrayList<>();
        CertificateSerial intermediate = serial(CA, 7);
        live.register(List.of(serial(INTERMEDIATE, 1), intermediate), s -> told.add("a"));
        live.register(List.of(serial(INTERMEDIATE, 2), intermediate), s -> told.add("b"));
        live.register(List.of(serial(CA, 3)), s -> told.add("c"));

        assertEquals(1, live.revoke(serial(INTERMEDIATE, 1)));
        assertEquals(List.of("a"), told);
        assertEquals(2, live.revoke(intermediate));
        assertTrue(told.containsAll(List.of("a", "b")) && !told.contains("c"));
    }

    @Test
    void forgetsAConnectionOnceItEndsSoNothingLeaks() {
        LiveCertificates live = new LiveCertificates();
        List<LiveCertificates.Registration> registrations = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            registrations.add(live.register(List.of(serial(INTERMEDIATE, i), serial(CA, 1)), s -> { }));
        }
        assertEquals(101, live.size());

        registrations.forEach(LiveCertificates.Registration::close);

        assertEquals(0, live.size());
        assertEquals(0, live.revoke(serial(CA, 1)));
    }

    @Test
    void catchesAConnectionThatRegistersAfterItsCertificateWasRevoked() {
        LiveCertificates live = new LiveCertificates();
        RevocationList list = new RevocationList();
        live.listenTo(list);
        list.revoke(serial(CA, 5));
        live.revokeAll(List.of(serial(CA, 6)));
        List<CertificateSerial> told = new ArrayList<>();

        live.register(List.of(serial(CA, 5)), told::add);
        live.register(List.of(serial(CA, 6)), told::add);

        assertEquals(List.of(serial(CA, 5), serial(CA, 6)), told);
    }

    @Test
    void followsTheTenantsCurrentRevocationListOnly() {
        LiveCertificates live = new LiveCertificates();
        RevocationList old = new RevocationList();
        RevocationList current = new RevocationList();
        List<CertificateSerial> told = new ArrayList<>();
        live.register(List.of(serial(CA, 8), serial(CA, 9)), told::add);
        live.listenTo(old);

        live.listenTo(current);
        old.revoke(serial(CA, 8));
        current.revoke(serial(CA, 9));

        assertEquals(List.of(serial(CA, 9)), told);
    }
}
