package dev.canopy.identity.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238, over HOTP of RFC 4226) as authenticator apps make them:
 * HMAC-SHA1, 6 digits, 30-second steps counted from the Unix epoch.
 */
public final class Totp {

    public static final String ALGORITHM = "HmacSHA1";
    public static final int DIGITS = 6;
    public static final int PERIOD_SECONDS = 30;
    /** Steps either side of now accepted for clock drift between the server and the authenticator. */
    public static final int DRIFT_STEPS = 1;

    private static final int SECRET_BYTES = 20; // 160 bits, as RFC 4226 recommends
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final int[] POWERS = { 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000 };
    private static final SecureRandom RANDOM = new SecureRandom();

    private Totp() {
    }

    /** A new random shared secret, base32 without padding. */
    public static String newSecret() {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return base32(secret);
    }

    /** The time step (T) of an instant: whole periods since the epoch. */
    public static long step(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), PERIOD_SECONDS);
    }

    /** The code of a step for a base32 secret, as an authenticator app shows it. */
    public static String code(String base32Secret, long step) {
        return code(ALGORITHM, fromBase32(base32Secret), step, DIGITS);
    }

    /** HOTP of the step (RFC 4226 section 5.3, dynamic truncation), zero-padded to {@code digits}. */
    public static String code(String hmacAlgorithm, byte[] key, long step, int digits) {
        if (digits < 6 || digits > 8) {
            throw new IllegalArgumentException("digits must be 6 to 8");
        }
        byte[] hash;
        try {
            Mac mac = Mac.getInstance(hmacAlgorithm);
            mac.init(new SecretKeySpec(key, "RAW"));
            hash = mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(step).array());
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        int offset = hash[hash.length - 1] & 0x0f;
        int binary = (hash[offset] & 0x7f) << 24 | (hash[offset + 1] & 0xff) << 16 | (hash[offset + 2] & 0xff) << 8
                | hash[offset + 3] & 0xff;
        String otp = Integer.toString(binary % POWERS[digits]);
        return "0".repeat(digits - otp.length()) + otp;
    }

    /**
     * The step a code is valid for, within {@link #DRIFT_STEPS} of now and after {@code lastUsedStep}
     * (a code of that step or an earlier one was already spent), or empty.
     */
    public static OptionalLong match(String base32Secret, String code, Instant now, long lastUsedStep) {
        byte[] key = fromBase32(base32Secret);
        byte[] given = code.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        long current = step(now);
        OptionalLong matched = OptionalLong.empty();
        for (long step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
            byte[] expected = code(ALGORITHM, key, step, DIGITS).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            // every candidate is compared, in constant time, whatever matched before
            if (MessageDigest.isEqual(expected, given) && step > lastUsedStep && matched.isEmpty()) {
                matched = OptionalLong.of(step);
            }
        }
        return matched;
    }

    /** RFC 4648 base32, upper case, without padding. */
    public static String base32(byte[] bytes) {
        var out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = buffer << 8 | b & 0xff;
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[buffer >>> bits - 5 & 0x1f]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[buffer << 5 - bits & 0x1f]);
        }
        return out.toString();
    }

    /** Decodes base32, ignoring case, padding, spaces and dashes. */
    public static byte[] fromBase32(String text) {
        String clean = text.replaceAll("[\\s=-]", "").toUpperCase(Locale.ROOT);
        var out = new java.io.ByteArrayOutputStream(clean.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < clean.length(); i++) {
            char c = clean.charAt(i);
            int value = c >= 'A' && c <= 'Z' ? c - 'A' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
            if (value < 0) {
                throw new IllegalArgumentException("not base32");
            }
            buffer = buffer << 5 | value;
            bits += 5;
            if (bits >= 8) {
                out.write(buffer >>> bits - 8 & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }
}
