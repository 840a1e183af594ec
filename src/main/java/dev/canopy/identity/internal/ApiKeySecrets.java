package dev.canopy.identity.internal;

/**
 * API key secrets: {@code cnp_} and the base64url of 32 random bytes. The prefix makes them easy to
 * tell from JWTs and to find by secret scanners; only their SHA-256 is stored, which is enough for 256
 * random bits (nothing to guess, so nothing to slow down).
 */
final class ApiKeySecrets {

    static final String PREFIX = "cnp_";
    /** The characters after {@code cnp_} shown in lists to recognise a key. */
    static final int SHOWN = 8;

    private ApiKeySecrets() {
    }

    static boolean looksLikeApiKey(String bearer) {
        return bearer.startsWith(PREFIX);
    }

    static String newSecret() {
        return PREFIX + RefreshTokens.newToken();
    }

    static String prefixOf(String secret) {
        return secret.substring(PREFIX.length(), PREFIX.length() + SHOWN);
    }

    static byte[] hash(String secret) {
        return RefreshTokens.hash(secret);
    }
}
