package dev.canopy.tenancy;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A tenant: an MSP, one of its clients, or a team of its own. {@code mfaRequired} is a setting: members
 * without multi-factor authentication are told to enrol. {@code tier}, {@code placementRegion} and {@code serverId}
 * say where its data lives (null region and server: the pool on the server {@code local}, in the default region).
 */
public record Tenant(UUID id, String name, String slug, String status, @Nullable UUID parentTenantId,
        @Nullable String region, Instant createdAt, Instant updatedAt, long version, boolean mfaRequired, String tier,
        @Nullable String placementRegion, @Nullable UUID serverId) {

    public static final String POOL = "pool";
    public static final String SCHEMA = "schema";
    public static final String DATABASE = "database";

    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";
    public static final String DELETED = "deleted";

    public boolean deleted() {
        return DELETED.equals(status);
    }
}
