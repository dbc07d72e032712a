package io.stratus.examples.httpauth;

import io.stratus.sdk.auth.AuthResult;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small bounded cache of authentication decisions, least recently used first out, each valid for a
 * while. Keys are SHA-256 hashes of the credentials, so the cache never holds a password. Thread-safe
 * (one lock: lookups are a few hundred nanoseconds, far below an HTTP call).
 */
final class DecisionCache {

    private record Entry(AuthResult result, long expiresAtNanos) {
    }

    private final int maxSize;
    private final long ttlNanos;
    private final Map<String, Entry> entries;

    DecisionCache(int maxSize, Duration ttl) {
        this.maxSize = maxSize;
        this.ttlNanos = ttl.toNanos();
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > DecisionCache.this.maxSize;
            }
        };
    }

    /** @return the hash that stands for the credentials */
    static String key(String clientId, String username, byte[] password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(clientId.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(username.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            if (password != null) {
                sha.update(password);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** @return the cached decision, or null if there is none or it expired */
    synchronized AuthResult get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (System.nanoTime() - e.expiresAtNanos() >= 0) {
            entries.remove(key);
            return null;
        }
        return e.result();
    }

    synchronized void put(String key, AuthResult result) {
        if (maxSize > 0 && ttlNanos > 0) {
            entries.put(key, new Entry(result, System.nanoTime() + ttlNanos));
        }
    }
}
