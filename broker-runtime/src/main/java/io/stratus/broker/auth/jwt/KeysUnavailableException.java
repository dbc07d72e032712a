package io.stratus.broker.auth.jwt;

/** A tenant's key set could not be obtained; says why without quoting any document content. */
public final class KeysUnavailableException extends Exception {

    public KeysUnavailableException(String message) {
        super(message);
    }

    public KeysUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
