package dev.canopy.tenancy.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A PostgreSQL server tenants' data may be placed on, with what its last health check found; passwords sealed. */
record DatabaseServer(UUID id, String name, String region, String jdbcUrl, String ownerUser,
        byte[] sealedOwnerPassword, String runtimeUser, byte[] sealedRuntimePassword, String role, int capacity,
        String health, @Nullable String healthDetail, @Nullable String serverVersion, @Nullable Instant checkedAt,
        Instant createdAt, Instant updatedAt, long version) {

    static final String LOCAL = "local";

    ServerProbe.Health healthAsRecorded() {
        return new ServerProbe.Health(health, healthDetail, serverVersion);
    }

    @Override
    public String toString() {
        return "DatabaseServer[" + name + ", " + jdbcUrl + "]";
    }
}
