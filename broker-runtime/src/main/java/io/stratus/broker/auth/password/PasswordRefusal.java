package io.stratus.broker.auth.password;

/**
 * Why a user name and password were refused. Both reasons get the same CONNACK code (5.0 0x86 Bad user
 * name or password, 3.1.1 0x04), so a client cannot learn which user names exist; they differ only in
 * the audit log.
 */
public enum PasswordRefusal {
    /** No user of that name, or no user name given. */
    UNKNOWN_USER,
    /** The password does not match the user's hash, or none was given. */
    WRONG_PASSWORD
}
