package io.stratus.broker.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import io.stratus.broker.auth.cache.FailureBackoff;
import io.stratus.broker.tenant.TenantId;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Backs off clients that keep failing to authenticate, before their credentials are checked again:
 * by client id within its tenant, and by remote address (without the port, so reconnects from new
 * ports count together; with a higher threshold, since many devices may share an address behind
 * NAT). While a key backs off, its CONNECTs are refused without a check: 5.0 CONNACK 0x9F Connection
 * rate exceeded, 3.1.1 return code 3 Server unavailable (see {@link AuthDecision.Refusal#BACKING_OFF}).
 *
 * <p>What counts as a failure: a credential refused (wrong, expired, not good enough), not "the broker
 * cannot decide now" (keys unreachable, overloaded), which is no sign of a guessing client. A success
 * forgets both keys. Thread-safe.
 */
final class ConnectThrottle {

    /** A client id within its tenant: the same client id in two tenants is two devices. */
    private record ClientKey(TenantId tenant, String clientId) {
    }

    private final FailureBackoff<ClientKey> byClientId;
    private final FailureBackoff<InetAddress> byAddress;

    ConnectThrottle(FailureBackoff.Settings perClientId, FailureBackoff.Settings perAddress, Ticker ticker) {
        this.byClientId = new FailureBackoff<>(perClientId, ticker);
        this.byAddress = new FailureBackoff<>(perAddress, ticker);
    }

    /** The library's settings: 5 failures per client id and 20 per address, then 1 s doubling to 60 s. */
    static ConnectThrottle withDefaults() {
        return new ConnectThrottle(FailureBackoff.Settings.PER_CLIENT_ID, FailureBackoff.Settings.PER_ADDRESS,
            Ticker.systemTicker());
    }

    /** @return why the attempt must wait, or null if it may be checked */
    String blocked(TenantId tenant, ConnectCredentials c) {
        if (byClientId.isBlocked(new ClientKey(tenant, c.clientId()))) {
            return "client id backing off after repeated failures";
        }
        InetAddress address = address(c.remote());
        if (address != null && byAddress.isBlocked(address)) {
            return "address backing off after repeated failures";
        }
        return null;
    }

    /** Counts the outcome of a check that was made. */
    void record(TenantId tenant, ConnectCredentials c, AuthDecision decision) {
        ClientKey key = new ClientKey(tenant, c.clientId());
        InetAddress address = address(c.remote());
        if (decision instanceof AuthDecision.Accepted) {
            byClientId.recordSuccess(key);
            if (address != null) {
                byAddress.recordSuccess(address);
            }
        } else if (decision instanceof AuthDecision.Refused r && r.refusal() != AuthDecision.Refusal.SERVER_UNAVAILABLE
            && r.refusal() != AuthDecision.Refusal.BACKING_OFF) {
            byClientId.recordFailure(key);
            if (address != null) {
                byAddress.recordFailure(address);
            }
        }
    }

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
