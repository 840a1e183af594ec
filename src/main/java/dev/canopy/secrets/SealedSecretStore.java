package dev.canopy.secrets;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Implemented by every module that keeps sealed secrets (as a Spring bean), so that rotating an owner's data
 * key can re-encrypt them in batches. The store reaches its own rows (under the owner's tenant scope).
 */
public interface SealedSecretStore {

    /** The owner's sealed secrets with a record id after {@code afterRecordId} (null: from the start), in record id order. */
    List<SealedSecret> page(UUID ownerId, @Nullable String afterRecordId, int limit);

    /** Replaces a ciphertext with its re-encryption, only if the row still holds {@code current}; false if it changed. */
    boolean replace(SealedSecret current, byte[] resealed);
}
