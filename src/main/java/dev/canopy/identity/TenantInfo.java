package dev.canopy.identity;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** What identity needs to know about a tenant: who it is and whether it can be used. */
public record TenantInfo(UUID id, String name, String slug, String status, @Nullable UUID parentTenantId) {

    public boolean usable() {
        return "active".equals(status);
    }
}
