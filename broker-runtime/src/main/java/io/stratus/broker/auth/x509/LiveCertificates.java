package io.stratus.broker.auth.x509;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One tenant's open connections that authenticated with a certificate, by the issuer and serial of
 * each certificate of their chains, so that a revocation reaches the connections already open with
 * it and not only the next CONNECT.
 *
 * <p>Revocations arrive two ways: from the tenant's {@link RevocationList} ({@link #listenTo}), and as
 * the whole revoked set of a new version of the tenant's settings ({@link #revokeAll}). A connection
 * that registers after a revocation was announced but was authenticated before it is caught by
 * {@link #register}, which checks what is revoked already once it is in the registry: nothing slips
 * between the check at CONNECT and the registration.
 *
 * <p>Entries leave when their connection ends ({@link Registration#close()}); a serial without
 * connections leaves with the last of them. Thread-safe; registration and look-ups take no lock.
 */
public final class LiveCertificates {

    /** A connection's place in the registry; closing it (when the connection ends) removes it. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private final ConcurrentHashMap<CertificateSerial, Set<Consumer<CertificateSerial>>> bySerial =
        new ConcurrentHashMap<>();
    /** The serials revoked by the tenant's current settings, which may not be in its RevocationList yet. */
    private volatile Set<CertificateSerial> revokedBySettings = Set.of();
    private volatile RevocationList listening;
    private RevocationList.Registration listener;

    /**
     * Adds a connection. If a certificate of its chain is revoked already, {@code onRevoked} is called
     * at once, on this thread.
     *
     * @param chain     the issuer and serial of each certificate of the connection's chain
     * @param onRevoked closes the connection; must not block (hand the work to the connection's event loop)
     * @return removes the connection again
     */
    public Registration register(List<CertificateSerial> chain, Consumer<CertificateSerial> onRevoked) {
        for (CertificateSerial serial : chain) {
            bySerial.computeIfAbsent(serial, s -> ConcurrentHashMap.newKeySet()).add(onRevoked);
        }
        RevocationList list = listening;
        for (CertificateSerial serial : chain) {
            if (revokedBySettings.contains(serial) || list != null && list.isRevoked(serial)) {
                onRevoked.accept(serial);
                break;
            }
        }
        return () -> {
            for (CertificateSerial serial : chain) {
                bySerial.computeIfPresent(serial, (s, set) -> {
                    set.remove(onRevoked);
                    return set.isEmpty() ? null : set;
                });
            }
        };
    }

    /**
     * Tells the connections that use {@code serial} (as leaf or intermediate) that it is revoked.
     *
     * @return how many were told
     */
    public int revoke(CertificateSerial serial) {
        Set<Consumer<CertificateSerial>> connections = bySerial.get(serial);
        if (connections == null) {
            return 0;
        }
        int told = 0;
        for (Consumer<CertificateSerial> c : connections) {
            c.accept(serial);
            told++;
        }
        return told;
    }

    /**
     * Applies the whole revoked set of a new version of the tenant's settings: remembered for the
     * connections that register next, and told to the open ones.
     *
     * @return how many connections were told
     */
    public int revokeAll(Collection<CertificateSerial> revoked) {
        revokedBySettings = Set.copyOf(revoked);
        int told = 0;
        for (CertificateSerial serial : revoked) {
            told += revoke(serial);
        }
        return told;
    }

    /**
     * Follows the tenant's revocation list: each serial it newly revokes reaches the open connections.
     * The tenant's list is replaced when its settings change; following a new one stops following the
     * old one.
     */
    public synchronized void listenTo(RevocationList list) {
        if (list == listening) {
            return;
        }
        if (listener != null) {
            listener.close();
        }
        listening = list;
        listener = list.addListener(this::revoke);
    }

    /** @return how many certificates of open connections are known (for monitoring and leak tests) */
    public int size() {
        return bySerial.size();
    }
}
