package io.stratus.broker.auth;

import io.stratus.broker.auth.acl.AclVariables;
import io.stratus.broker.auth.x509.CertificateSerial;
import io.stratus.broker.tenant.TenantId;

import java.time.Instant;
import java.util.List;

/**
 * Who an authenticated client is: its tenant, how it proved it, and the attributes policies name.
 *
 * @param tenant     its tenant
 * @param clientId   its client id
 * @param username   its user name within the tenant (without an {@code @tenant} suffix), or {@code null}
 * @param method     how it authenticated
 * @param variables  the attributes for policy variables
 * @param expiresAt  when its credential stops being valid (a token's exp), or {@code null}
 * @param certificates issuer and serial of its certificate chain, for revocation; empty without one
 */
public record ClientIdentity(TenantId tenant, String clientId, String username, AuthMethod method,
                             AclVariables variables, Instant expiresAt, List<CertificateSerial> certificates) {

    public ClientIdentity {
        certificates = List.copyOf(certificates);
    }
}
