package dev.canopy.secrets;

import java.nio.charset.StandardCharsets;

/**
 * Seals and opens secrets with envelope encryption: AES-256-GCM (Tink AEAD) under the owner's data key,
 * which is itself wrapped by the platform's key-encryption key. The caller stores the ciphertext (a
 * {@code bytea} column) and passes the same binding to open it. Safe to call inside or outside a
 * transaction; the first seal for an owner creates its data key in a transaction of its own.
 */
public interface Secrets {

    /** Encrypts a secret for the given binding; the result opens only with that same binding. */
    byte[] seal(SecretBinding binding, byte[] plaintext);

    /**
     * Decrypts what {@link #seal} returned for this binding.
     *
     * @throws SecretUnreadableException if it was altered or sealed for another binding
     */
    byte[] open(SecretBinding binding, byte[] ciphertext);

    /** {@link #seal} of a text, as UTF-8. */
    default byte[] sealText(SecretBinding binding, String plaintext) {
        return seal(binding, plaintext.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #open} of a text sealed with {@link #sealText}. */
    default String openText(SecretBinding binding, byte[] ciphertext) {
        return new String(open(binding, ciphertext), StandardCharsets.UTF_8);
    }
}
