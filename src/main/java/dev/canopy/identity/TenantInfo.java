package dev.canopy.identity;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * What identity needs to know about a tenant: who it is, whether it can be used, and whether its members
 * must use multi-factor authentication.
 */
public record TenantInfo(UUID id, String name, String slug, String status, @Nullable UUID parentTenantId,
        boolean mfaRequired) {

    public boolean usable() {
        return "active".equals(status);
    }
}
