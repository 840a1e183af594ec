package dev.canopy.access;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.canopy.access.internal.BusinessUnit;
import dev.canopy.access.internal.BusinessUnits;
import dev.canopy.platform.db.TenantTransactions;

/** Who owns which business unit: owners decide requests made inside their unit (template access, ...). */
@Service
public class BusinessUnitOwners {

    private final BusinessUnits units;
    private final TenantTransactions scopes;
    private final JdbcClient jdbc;

    BusinessUnitOwners(BusinessUnits units, TenantTransactions scopes, JdbcClient jdbc) {
        this.units = units;
        this.scopes = scopes;
        this.jdbc = jdbc;
    }

    /** The owner of one of the tenant's units, if the unit exists and has one. */
    public Optional<UUID> ownerOf(UUID tenantId, UUID unitId) {
        return scopes.inTenant(tenantId, () -> units.find(tenantId, unitId)).map(BusinessUnit::ownerId);
    }

    /** The tenant's units the user owns. */
    public List<UUID> ownedBy(UUID tenantId, UUID userId) {
        return scopes.inTenant(tenantId, () -> jdbc.sql(
                "select id from business_units where tenant_id = ? and owner_id = ? order by id")
                .params(tenantId, userId).query(UUID.class).list());
    }
}
