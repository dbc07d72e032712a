package io.stratus.broker.auth.password;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * A password hash in PHC string format, parsed and bounds-checked.
 *
 * <ul>
 *   <li>{@code $argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>$<salt>$<hash>} (the reference
 *       implementation's format)</li>
 *   <li>{@code $pbkdf2-sha256$i=<iterations>$<salt>$<hash>}, and passlib's
 *       {@code $pbkdf2-sha256$<iterations>$<salt>$<hash>}, for hashes imported from other systems</li>
 * </ul>
 * Salt and hash are unpadded base64; passlib's {@code .} for {@code +} is accepted too.
 *
 * <p>The bounds keep a hash from costing more than a verification should: a stored
 * {@code m=4194304} would otherwise make one login allocate 4 GiB.
 */
public sealed interface PhcHash permits PhcHash.Argon2id, PhcHash.Pbkdf2Sha256 {

    int MIN_SALT_BYTES = 8;
    int MAX_SALT_BYTES = 64;
    int MIN_HASH_BYTES = 16;
    int MAX_HASH_BYTES = 64;

    /** @return the PHC string */
    String format();

    /** @return the salt as PHC base64 */
    String salt();

    /** @return the expected hash as PHC base64 */
    String hash();

    /** @return the decoded salt */
    default byte[] saltBytes() {
        return decode(salt());
    }

    /** @return the decoded expected hash */
    default byte[] hashBytes() {
        return decode(hash());
    }

    /**
     * Argon2id parameters, salt and expected hash.
     *
     * @param memoryKiB   memory cost in KiB: 8 × parallelism to {@link #MAX_MEMORY_KIB}
     * @param iterations  time cost: 1 to {@link #MAX_ITERATIONS}
     * @param parallelism lanes: 1 to {@link #MAX_PARALLELISM}
     * @param salt        unpadded base64, {@link #MIN_SALT_BYTES} to {@link #MAX_SALT_BYTES} bytes
     * @param hash        unpadded base64, {@link #MIN_HASH_BYTES} to {@link #MAX_HASH_BYTES} bytes
     */
    record Argon2id(int memoryKiB, int iterations, int parallelism, String salt, String hash) implements PhcHash {
        public static final int VERSION = 0x13;
        public static final int MAX_MEMORY_KIB = 256 * 1024;
        public static final int MAX_ITERATIONS = 32;
        public static final int MAX_PARALLELISM = 16;

        /** @throws IllegalArgumentException if a value is out of bounds */
        public Argon2id {
            checkRange("p", parallelism, 1, MAX_PARALLELISM);
            checkRange("m", memoryKiB, 8 * parallelism, MAX_MEMORY_KIB);
            checkRange("t", iterations, 1, MAX_ITERATIONS);
            checkSaltAndHash(salt, hash);
        }

        @Override
        public String format() {
            return "$argon2id$v=" + VERSION + "$m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism
                + "$" + salt + "$" + hash;
        }
    }

    /**
     * PBKDF2 with HMAC-SHA256.
     *
     * @param iterations {@link #MIN_ITERATIONS} to {@link #MAX_ITERATIONS}
     * @param salt       unpadded base64, {@link #MIN_SALT_BYTES} to {@link #MAX_SALT_BYTES} bytes
     * @param hash       unpadded base64, {@link #MIN_HASH_BYTES} to {@link #MAX_HASH_BYTES} bytes
     */
    record Pbkdf2Sha256(int iterations, String salt, String hash) implements PhcHash {
        public static final int MIN_ITERATIONS = 1_000;
        public static final int MAX_ITERATIONS = 10_000_000;

        /** @throws IllegalArgumentException if a value is out of bounds */
        public Pbkdf2Sha256 {
            checkRange("i", iterations, MIN_ITERATIONS, MAX_ITERATIONS);
            checkSaltAndHash(salt, hash);
        }

        @Override
        public String format() {
            return "$pbkdf2-sha256$i=" + iterations + "$" + salt + "$" + hash;
        }
    }

    /** @return {@code bytes} as PHC base64 (standard alphabet, no padding) */
    static String encode(byte[] bytes) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }

    /** @throws MalformedHashException saying what is wrong, without quoting the string */
    static PhcHash parse(String phc) throws MalformedHashException {
        if (phc == null || phc.length() > 512) {
            throw new MalformedHashException("not a PHC string");
        }
        String[] parts = phc.split("\\$", -1);
        if (parts.length < 2 || !parts[0].isEmpty()) {
            throw new MalformedHashException("not a PHC string (must start with $scheme$)");
        }
        return switch (parts[1]) {
            case "argon2id" -> parseArgon2id(parts);
            case "pbkdf2-sha256" -> parsePbkdf2(parts);
            default -> throw new MalformedHashException("unsupported scheme '" + printable(parts[1])
                + "'; supported: argon2id, pbkdf2-sha256");
        };
    }

    private static Argon2id parseArgon2id(String[] parts) throws MalformedHashException {
        if (parts.length != 6) {
            throw new MalformedHashException("argon2id: expected $argon2id$v=19$m=..,t=..,p=..$salt$hash");
        }
        if (!parts[2].equals("v=" + Argon2id.VERSION)) {
            throw new MalformedHashException("argon2id: only version 19 (v=19) is supported");
        }
        Map<String, String> p = parameters(parts[3], "argon2id");
        if (p.size() != 3) {
            throw new MalformedHashException("argon2id: parameters must be exactly m, t and p");
        }
        try {
            return new Argon2id(number(p, "m", "argon2id"), number(p, "t", "argon2id"), number(p, "p", "argon2id"),
                normalised(parts[4]), normalised(parts[5]));
        } catch (IllegalArgumentException e) {
            throw new MalformedHashException("argon2id: " + e.getMessage());
        }
    }

    private static Pbkdf2Sha256 parsePbkdf2(String[] parts) throws MalformedHashException {
        if (parts.length != 5) {
            throw new MalformedHashException("pbkdf2-sha256: expected $pbkdf2-sha256$i=..$salt$hash");
        }
        String rounds = parts[2].startsWith("i=") ? parts[2] : "i=" + parts[2];
        try {
            return new Pbkdf2Sha256(number(parameters(rounds, "pbkdf2-sha256"), "i", "pbkdf2-sha256"),
                normalised(parts[3]), normalised(parts[4]));
        } catch (IllegalArgumentException e) {
            throw new MalformedHashException("pbkdf2-sha256: " + e.getMessage());
        }
    }

    private static Map<String, String> parameters(String text, String scheme) throws MalformedHashException {
        Map<String, String> values = new HashMap<>();
        for (String pair : text.split(",", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || values.put(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
                throw new MalformedHashException(scheme + ": parameters must be distinct name=value pairs");
            }
        }
        return values;
    }

    private static int number(Map<String, String> p, String name, String scheme) throws MalformedHashException {
        String text = p.get(name);
        if (text == null || !text.matches("[0-9]{1,9}")) {
            throw new MalformedHashException(scheme + ": parameter " + name + " missing or not a number below 10^9");
        }
        return Integer.parseInt(text);
    }

    /** passlib writes {@code .} for {@code +} and some writers pad; the canonical form has neither. */
    private static String normalised(String b64) {
        String s = b64.replace('.', '+');
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        return s.substring(0, end);
    }

    private static void checkRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + "=" + value + " is out of range " + min + " to " + max);
        }
    }

    private static void checkSaltAndHash(String salt, String hash) {
        checkLength("salt", salt, MIN_SALT_BYTES, MAX_SALT_BYTES);
        checkLength("hash", hash, MIN_HASH_BYTES, MAX_HASH_BYTES);
    }

    private static void checkLength(String what, String b64, int min, int max) {
        int length = decode(b64).length;
        if (length < min || length > max) {
            throw new IllegalArgumentException(what + " is " + length + " bytes; allowed " + min + " to " + max);
        }
    }

    /** @throws IllegalArgumentException if {@code b64} is not unpadded standard base64 */
    private static byte[] decode(String b64) {
        if (b64 == null || !b64.matches("[A-Za-z0-9+/]*")) {
            throw new IllegalArgumentException("salt or hash is not unpadded base64");
        }
        return Base64.getDecoder().decode(b64);
    }

    private static String printable(String s) {
        return s.length() <= 20 && s.matches("[a-z0-9-]*") ? s : "?";
    }
}
