/**
 * Password authentication against stored PHC strings: Argon2id for new hashes, Argon2id and
 * PBKDF2-HMAC-SHA256 for checks, compared in constant time, run off the event loops.
 */
package io.stratus.broker.auth.password;
