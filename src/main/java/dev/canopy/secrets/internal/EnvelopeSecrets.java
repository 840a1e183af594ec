package dev.canopy.secrets.internal;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Optional;

import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.SecretUnreadableException;
import dev.canopy.secrets.Secrets;

/**
 * {@link Secrets} with Tink AEAD under each owner's data keyset. A ciphertext is one format byte followed by
 * Tink's output, whose 5-byte prefix names the data key, so any key of the owner's keyset opens what it sealed.
 */
final class EnvelopeSecrets implements Secrets {

    static final byte FORMAT_V1 = 1;

    private final DataKeys dataKeys;

    EnvelopeSecrets(DataKeys dataKeys) {
        this.dataKeys = dataKeys;
    }

    @Override
    public byte[] seal(SecretBinding binding, byte[] plaintext) {
        try {
            byte[] sealed = dataKeys.forSealing(binding.ownerId()).aead().encrypt(plaintext, AssociatedData.of(binding));
            byte[] out = new byte[sealed.length + 1];
            out[0] = FORMAT_V1;
            System.arraycopy(sealed, 0, out, 1, sealed.length);
            return out;
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("Sealing a secret of " + binding.table() + " failed", e);
        }
    }

    /** Whether a ciphertext is sealed with the owner's primary data key (Tink's prefix: 0x01, 4-byte key id). */
    boolean underPrimaryKey(SecretBinding binding, byte[] ciphertext) {
        if (ciphertext.length < 6 || ciphertext[0] != FORMAT_V1 || ciphertext[1] != 1) {
            return false;
        }
        int keyId = java.nio.ByteBuffer.wrap(ciphertext, 2, 4).getInt();
        return dataKeys.forSealing(binding.ownerId()).keyset().getPrimary().getId() == keyId;
    }

    /** Opens and seals again under the owner's primary data key. */
    byte[] reseal(SecretBinding binding, byte[] ciphertext) {
        byte[] plaintext = open(binding, ciphertext);
        try {
            return seal(binding, plaintext);
        }
        finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    @Override
    public byte[] open(SecretBinding binding, byte[] ciphertext) {
        if (ciphertext.length < 2 || ciphertext[0] != FORMAT_V1) {
            throw new SecretUnreadableException(binding, "it is not a ciphertext of this service");
        }
        byte[] sealed = Arrays.copyOfRange(ciphertext, 1, ciphertext.length);
        Optional<DataKeys.OwnerKeyset> keyset = dataKeys.forOpening(binding.ownerId());
        if (keyset.isEmpty()) {
            throw new SecretUnreadableException(binding, "its owner has no data key");
        }
        try {
            return keyset.get().aead().decrypt(sealed, AssociatedData.of(binding));
        }
        catch (GeneralSecurityException firstTry) {
            // another instance may have added a data key since this one cached the keyset
            try {
                Optional<DataKeys.OwnerKeyset> reloaded = dataKeys.reload(binding.ownerId());
                if (reloaded.isEmpty()) {
                    throw new SecretUnreadableException(binding, "its owner has no data key");
                }
                return reloaded.get().aead().decrypt(sealed, AssociatedData.of(binding));
            }
            catch (GeneralSecurityException e) {
                throw new SecretUnreadableException(binding,
                        "the ciphertext was altered, or it was sealed for another tenant, table or record");
            }
        }
    }
}
