package io.stratus.broker.auth.x509;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One tenant's revoked certificates, kept current from the control plane's snapshot and change
 * stream, and consulted by {@link X509Verifier} at every connect.
 *
 * <p>A revocation must also end connections already open with the certificate. Listeners hear of
 * each newly revoked serial after it is in the list, so a connect racing with the revocation is
 * refused by the list and a live connection is reached by the listener: nothing slips between the two.
 * Listeners run on the thread that revokes and must not block; their exceptions are logged and do not
 * stop the others.
 *
 * <p>Thread-safe: lookups are lock-free; changes are serialised.
 */
public final class RevocationList {

    private static final Logger LOG = LoggerFactory.getLogger(RevocationList.class);

    /** A listener's registration; closing it stops the notifications. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private final Set<CertificateSerial> revoked = ConcurrentHashMap.newKeySet();
    private final List<Consumer<CertificateSerial>> listeners = new CopyOnWriteArrayList<>();

    /** @return whether {@code serial} is revoked */
    public boolean isRevoked(CertificateSerial serial) {
        return revoked.contains(serial);
    }

    /**
     * Revokes a certificate and tells the listeners, unless it was revoked already.
     *
     * @return whether it was newly revoked
     */
    public boolean revoke(CertificateSerial serial) {
        boolean added;
        synchronized (this) {
            added = revoked.add(serial);
        }
        if (added) {
            notifyListeners(serial);
        }
        return added;
    }

    /**
     * Takes a certificate off the list (a revocation made in error, or a hold lifted).
     *
     * @return whether it was on the list
     */
    public synchronized boolean reinstate(CertificateSerial serial) {
        return revoked.remove(serial);
    }

    /**
     * Makes the list equal to a snapshot: serials not in it are reinstated, and listeners hear of those
     * it adds.
     */
    public void replaceAll(Collection<CertificateSerial> snapshot) {
        Set<CertificateSerial> wanted = Set.copyOf(snapshot);
        List<CertificateSerial> added;
        synchronized (this) {
            revoked.retainAll(wanted);
            added = wanted.stream().filter(revoked::add).toList();
        }
        added.forEach(this::notifyListeners);
    }

    /** @return how many certificates are revoked */
    public int size() {
        return revoked.size();
    }

    /**
     * @param listener told of each newly revoked certificate
     * @return closes the registration
     */
    public Registration addListener(Consumer<CertificateSerial> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void notifyListeners(CertificateSerial serial) {
        for (Consumer<CertificateSerial> listener : listeners) {
            try {
                listener.accept(serial);
            } catch (RuntimeException e) {
                LOG.error("revocation listener failed for certificate {}", serial, e);
            }
        }
    }
}
