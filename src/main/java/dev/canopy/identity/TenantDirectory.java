package dev.canopy.identity;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Looks tenants up for identity; the tenancy module provides it, so identity never reads its tables. */
public interface TenantDirectory {

    Optional<TenantInfo> find(UUID tenantId);

    /** The tenant with this slug, whatever its status. */
    Optional<TenantInfo> findBySlug(String slug);

    Map<UUID, TenantInfo> findAll(Collection<UUID> tenantIds);
}
