package dev.canopy.integration.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * GitHub's webhook signature: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under the
 * secret>}, compared in constant time.
 */
final class GitHubSignature {

    static final String HEADER = "X-Hub-Signature-256";
    private static final String PREFIX = "sha256=";
    private static final SecureRandom RANDOM = new SecureRandom();

    private GitHubSignature() {
    }

    /** Whether the header is the signature of the body under the secret. */
    static boolean matches(@Nullable String header, byte[] body, String secret) {
        byte[] expected = hmac(secret.getBytes(StandardCharsets.UTF_8), body);
        byte[] given = decode(header);
        // isEqual takes the same time whatever bytes differ; a malformed header is compared with zeros for the same
        return MessageDigest.isEqual(expected, given == null ? new byte[expected.length] : given) && given != null;
    }

    /**
     * The same work as {@link #matches} under a throw-away key, for deliveries to tenants that do not exist or have
     * no secret: they are refused after as long as a wrong signature is.
     */
    static void spendEqualTime(byte[] body) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        MessageDigest.isEqual(hmac(key, body), new byte[32]);
    }

    static byte[] hmac(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(body);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte @Nullable [] decode(@Nullable String header) {
        if (header == null || !header.startsWith(PREFIX) || header.length() != PREFIX.length() + 64) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(header, PREFIX.length(), header.length());
        }
        catch (IllegalArgumentException e) {
            return null;
        }
    }
}
