package dev.canopy.secrets;

/** A stored ciphertext with the binding it was sealed for, as a {@link SealedSecretStore} hands it out. */
public record SealedSecret(SecretBinding binding, byte[] ciphertext) {

    @Override
    public String toString() {
        return "SealedSecret[" + binding + "]"; // the ciphertext is not for logs either
    }
}
