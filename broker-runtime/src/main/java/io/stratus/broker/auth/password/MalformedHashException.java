package io.stratus.broker.auth.password;

/**
 * A stored password hash that cannot be used: not PHC format, an unknown scheme, or parameters out of
 * the accepted bounds. The message says which part is wrong and never quotes the hash.
 */
public final class MalformedHashException extends Exception {

    public MalformedHashException(String message) {
        super(message);
    }
}
