package dev.canopy.catalog.internal;

import java.util.Optional;
import java.util.UUID;

/**
 * Where template archives are kept, by tenant and SHA-256 digest. PostgreSQL by default; an S3-compatible store
 * can take its place. Calls run inside the tenant's scope, in the caller's transaction.
 */
public interface ArchiveStore {

    /** Stores the archive unless the tenant already has these bytes. */
    void put(UUID tenantId, String digest, byte[] content);

    Optional<byte[]> get(UUID tenantId, String digest);

    /** Removes archives of the tenant that no version refers to any more. */
    void removeUnreferenced(UUID tenantId);
}
