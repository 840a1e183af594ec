package dev.canopy.tenancy.internal;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.tenancy.Tenant;

/** Answers identity's questions about tenants from the tenancy module's own table. */
@Component
class DirectoryOfTenants implements TenantDirectory {

    private final TenantRecords records;

    DirectoryOfTenants(TenantRecords records) {
        this.records = records;
    }

    @Override
    public Optional<TenantInfo> find(UUID tenantId) {
        return records.find(tenantId).map(DirectoryOfTenants::info);
    }

    @Override
    public Optional<TenantInfo> findBySlug(String slug) {
        return records.findBySlug(slug).map(DirectoryOfTenants::info);
    }

    @Override
    public Map<UUID, TenantInfo> findAll(Collection<UUID> tenantIds) {
        return records.findAll(tenantIds).stream().collect(Collectors.toMap(Tenant::id, DirectoryOfTenants::info));
    }

    private static TenantInfo info(Tenant t) {
        return new TenantInfo(t.id(), t.name(), t.slug(), t.status(), t.parentTenantId(), t.mfaRequired());
    }
}
