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

    /** @return a copy of the salt */
    byte[] salt();

    /** @return a copy of the expected hash */
    byte[] hash();

    /**
     * Argon2id parameters, salt and expected hash.
     *
     * @param memoryKiB   memory cost in KiB: 8 × parallelism to {@link #MAX_MEMORY_KIB}
     * @param iterations  time cost: 1 to {@link #MAX_ITERATIONS}
     * @param parallelism lanes: 1 to {@link #MAX_PARALLELISM}
     */
    record Argon2id(int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] hash) implements PhcHash {
        public static final int VERSION = 0x13;
        public static final int MAX_MEMORY_KIB = 256 * 1024;
        public static final int MAX_ITERATIONS = 32;
        public static final int MAX_PARALLELISM = 16;

        public Argon2id {
            salt = salt.clone();
            hash = hash.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        @Override
        public String format() {
            return "$argon2id$v=" + VERSION + "$m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism
                + "$" + b64(salt) + "$" + b64(hash);
        }
    }

    /** PBKDF2 with HMAC-SHA256; {@code iterations} from {@link #MIN_ITERATIONS} to {@link #MAX_ITERATIONS}. */
    record Pbkdf2Sha256(int iterations, byte[] salt, byte[] hash) implements PhcHash {
        public static final int MIN_ITERATIONS = 1_000;
        public static final int MAX_ITERATIONS = 10_000_000;

        public Pbkdf2Sha256 {
            salt = salt.clone();
            hash = hash.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        @Override
        public String format() {
            return "$pbkdf2-sha256$i=" + iterations + "$" + b64(salt) + "$" + b64(hash);
        }
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
        int parallelism = number(p, "p", 1, Argon2id.MAX_PARALLELISM, "argon2id");
        int memory = number(p, "m", 8 * parallelism, Argon2id.MAX_MEMORY_KIB, "argon2id");
        int iterations = number(p, "t", 1, Argon2id.MAX_ITERATIONS, "argon2id");
        return new Argon2id(memory, iterations, parallelism, bytes(parts[4], "salt", MIN_SALT_BYTES, MAX_SALT_BYTES),
            bytes(parts[5], "hash", MIN_HASH_BYTES, MAX_HASH_BYTES));
    }

    private static Pbkdf2Sha256 parsePbkdf2(String[] parts) throws MalformedHashException {
        if (parts.length != 5) {
            throw new MalformedHashException("pbkdf2-sha256: expected $pbkdf2-sha256$i=..$salt$hash");
        }
        String rounds = parts[2].startsWith("i=") ? parts[2] : "i=" + parts[2];
        int iterations = number(parameters(rounds, "pbkdf2-sha256"), "i", Pbkdf2Sha256.MIN_ITERATIONS,
            Pbkdf2Sha256.MAX_ITERATIONS, "pbkdf2-sha256");
        return new Pbkdf2Sha256(iterations, bytes(parts[3], "salt", MIN_SALT_BYTES, MAX_SALT_BYTES),
            bytes(parts[4], "hash", MIN_HASH_BYTES, MAX_HASH_BYTES));
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

    private static int number(Map<String, String> p, String name, int min, int max, String scheme)
        throws MalformedHashException {
        String text = p.get(name);
        if (text == null || !text.matches("[0-9]{1,10}")) {
            throw new MalformedHashException(scheme + ": parameter " + name + " missing or not a number");
        }
        long value = Long.parseLong(text);
        if (value < min || value > max) {
            throw new MalformedHashException(scheme + ": " + name + "=" + value + " is out of range " + min + " to " + max);
        }
        return (int) value;
    }

    private static byte[] bytes(String text, String what, int min, int max) throws MalformedHashException {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(text.replace('.', '+'));
        } catch (IllegalArgumentException e) {
            throw new MalformedHashException(what + " is not base64");
        }
        if (decoded.length < min || decoded.length > max) {
            throw new MalformedHashException(what + " is " + decoded.length + " bytes; allowed " + min + " to " + max);
        }
        return decoded;
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String printable(String s) {
        return s.length() <= 20 && s.matches("[a-z0-9-]*") ? s : "?";
    }
}
