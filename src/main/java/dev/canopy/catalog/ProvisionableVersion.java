package dev.canopy.catalog;

import java.util.UUID;

/** A template version a caller may deploy: pinned by version and archive digest, owned by {@code ownerTenantId}. */
public record ProvisionableVersion(UUID ownerTenantId, UUID templateId, String templateName, String driver,
        String version, String digest, boolean shared) {
}
