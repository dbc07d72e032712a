package io.stratus.broker.auth;

import io.stratus.broker.tenant.TenantId;

/** What {@link ConnectAuthenticator} decided for one CONNECT. */
public sealed interface AuthDecision {

    /** Why a CONNECT was refused; each maps to one CONNACK code per protocol version. */
    enum Refusal {
        /** Nothing names a known tenant. 5.0: 0x86 Bad user name or password; 3.1.1: 0x04. */
        UNKNOWN_TENANT((byte) 0x86, (byte) 0x04),
        /** The credential is wrong, expired or unreadable. 5.0: 0x86; 3.1.1: 0x04. */
        BAD_CREDENTIALS((byte) 0x86, (byte) 0x04),
        /** A credential that is not good enough, or none where one is needed. 5.0: 0x87; 3.1.1: 0x05. */
        NOT_AUTHORIZED((byte) 0x87, (byte) 0x05),
        /** The broker cannot decide now (keys unreachable, overloaded). 5.0: 0x88; 3.1.1: 0x03. */
        SERVER_UNAVAILABLE((byte) 0x88, (byte) 0x03),
        /**
         * Not checked: the client id or address failed too often and backs off. 5.0: 0x9F Connection rate
         * exceeded (slow down; it says nothing of the credential, which was not looked at); 3.1.1 has no
         * such code: 0x03 Server unavailable, which clients treat as "try later".
         */
        BACKING_OFF((byte) 0x9F, (byte) 0x03),
        /** A plugin could not decide (it failed, did not answer in time, or said so). 5.0: 0x89; 3.1.1: 0x03. */
        SERVER_BUSY((byte) 0x89, (byte) 0x03),
        /** A plugin says the client is banned. 5.0: 0x8A; 3.1.1: 0x05. */
        BANNED((byte) 0x8A, (byte) 0x05),
        /** A plugin refuses the client's authentication method or data. 5.0: 0x8C; 3.1.1: 0x05. */
        BAD_AUTHENTICATION_METHOD((byte) 0x8C, (byte) 0x05);

        private final byte v5;
        private final byte v3;

        Refusal(byte v5, byte v3) {
            this.v5 = v5;
            this.v3 = v3;
        }

        /** @return the CONNACK reason code (5.0) or return code (3.1/3.1.1) */
        public byte code(boolean mqtt5) {
            return mqtt5 ? v5 : v3;
        }
    }

    /** The client is who it says. */
    record Accepted(ClientIdentity identity) implements AuthDecision {
    }

    /**
     * @param tenant the tenant it was refused in, or {@code null} if none was found
     * @param detail for the audit log; never contains the credential
     */
    record Refused(TenantId tenant, Refusal refusal, String detail) implements AuthDecision {
    }

    static AuthDecision accepted(ClientIdentity identity) {
        return new Accepted(identity);
    }

    static AuthDecision refused(TenantId tenant, Refusal refusal, String detail) {
        return new Refused(tenant, refusal, detail);
    }
}
