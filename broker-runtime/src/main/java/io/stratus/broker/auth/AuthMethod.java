package io.stratus.broker.auth;

/** The ways a client can prove who it is; part of every cached decision's key. */
public enum AuthMethod {
    /** A user name and a password checked against a salted slow hash. */
    PASSWORD,
    /** A signed JWT carried in the CONNECT password field. */
    JWT,
    /** A TLS client certificate chaining to one of the tenant's CAs. */
    X509,
    /** A tenant's own authenticator plugin. */
    PLUGIN,
    /** No credentials at all, where a tenant allows it. */
    ANONYMOUS
}
