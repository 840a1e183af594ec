package dev.canopy.tenancy;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditRetention;
import dev.canopy.identity.Members;
import dev.canopy.platform.Ids;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import dev.canopy.tenancy.internal.Placement;
import dev.canopy.tenancy.internal.TenantPlacements;
import dev.canopy.tenancy.internal.TenantRecords;

/**
 * Tenant lifecycle with its rules: platform administrators manage every tenant; an MSP's administrators
 * create and manage its client tenants; everyone else sees the tenants they belong to.
 */
@Service
public class Tenants {

    private final TenantRecords records;
    private final Members members;
    private final AuditRetention auditRetention;
    private final TenantPlacements placements;

    Tenants(TenantRecords records, Members members, AuditRetention auditRetention, TenantPlacements placements) {
        this.records = records;
        this.members = members;
        this.auditRetention = auditRetention;
        this.placements = placements;
    }

    /** A new tenant; without a parent it is top-level (platform administrators only). */
    public record NewTenant(String name, String slug, @Nullable UUID parentTenantId, @Nullable String region,
            TenantPlacements.@Nullable Request placement) {

        public NewTenant(String name, String slug, @Nullable UUID parentTenantId, @Nullable String region) {
            this(name, slug, parentTenantId, region, null);
        }
    }

    /** Changes to a tenant; null means unchanged. */
    public record TenantChanges(@Nullable String name, @Nullable String region, @Nullable String status,
            @Nullable Boolean mfaRequired, @Nullable Integer auditRetentionDays, long version) {
    }

    /** A tenant's settings kept by the modules they concern. */
    public record TenantSettings(int auditRetentionDays) {
    }

    /** Filters of the tenant list. */
    public record TenantFilter(@Nullable String status, @Nullable UUID parentTenantId, @Nullable String search) {
    }

    public Page<Tenant> list(CanopyPrincipal principal, TenantFilter filter, PageRequest page) {
        boolean all = principal.can(Permissions.PLATFORM_TENANTS_MANAGE);
        Set<UUID> memberOf = all ? null : members.tenantsOf(principal.userId());
        UUID clientsOf = !all && principal.can(Permissions.TENANTS_UPDATE) ? principal.tenantId() : null;
        boolean includeDeleted = all && Tenant.DELETED.equals(filter.status());
        return page.page(records.list(memberOf, clientsOf, includeDeleted, filter.status(), filter.parentTenantId(),
                filter.search(), page.after(), page.fetchSize()), Tenant::id);
    }

    public Tenant get(CanopyPrincipal principal, UUID id) {
        Tenant tenant = records.find(id).orElseThrow(Tenants::notFound);
        boolean visible = principal.can(Permissions.PLATFORM_TENANTS_MANAGE) || !tenant.deleted()
                && (managesAsParent(principal, tenant) || members.tenantsOf(principal.userId()).contains(id));
        if (!visible) {
            throw notFound();
        }
        return tenant;
    }

    /** The settings of the given tenants (which the caller has already been allowed to see). */
    public Map<UUID, TenantSettings> settings(Collection<UUID> ids) {
        var settings = new java.util.HashMap<UUID, TenantSettings>();
        auditRetention.retentionDays(ids).forEach((id, days) -> settings.put(id, new TenantSettings(days)));
        return settings;
    }

    @Transactional
    public Tenant create(CanopyPrincipal principal, NewTenant request) {
        boolean platformAdmin = principal.can(Permissions.PLATFORM_TENANTS_MANAGE);
        UUID parent = request.parentTenantId();
        if (!platformAdmin) {
            principal.require(Permissions.TENANTS_CREATE);
            if (parent != null && !parent.equals(principal.tenantId())) {
                throw ApiException.forbidden("Client tenants can only be created under your current tenant.");
            }
            parent = principal.tenantId();
        }
        else if (parent != null && records.find(parent).filter(t -> !t.deleted()).isEmpty()) {
            throw ApiException.invalidField("parent_tenant_id", "is not an existing tenant");
        }
        if (request.placement() != null && !platformAdmin) {
            throw ApiException.forbidden("Only platform administrators choose where a tenant's data lives.");
        }
        Placement placement = placements.choose(request.placement());
        UUID id = Ids.newId();
        placements.build(id, placement);
        try {
            records.insert(id, request.name(), request.slug(), parent, request.region(), placement);
        }
        catch (DuplicateKeyException e) {
            throw ApiException.conflict("SLUG_TAKEN", "The slug '" + request.slug() + "' is already in use.");
        }
        if (!platformAdmin) {
            // the MSP administrator who creates a client can administer it
            members.addAdministrator(id, principal.userId());
        }
        return records.find(id).orElseThrow();
    }

    @Transactional
    public Tenant update(CanopyPrincipal principal, UUID id, TenantChanges changes) {
        Tenant tenant = get(principal, id);
        boolean platformAdmin = principal.can(Permissions.PLATFORM_TENANTS_MANAGE);
        boolean own = tenant.id().equals(principal.tenantId()) && principal.can(Permissions.TENANTS_UPDATE);
        if (!platformAdmin && !managesAsParent(principal, tenant) && !own) {
            throw ApiException.forbidden("You may not change this tenant.");
        }
        if (changes.status() != null && !platformAdmin && !managesAsParent(principal, tenant)) {
            throw ApiException.forbidden("A tenant's status is changed by its MSP or a platform administrator.");
        }
        if (tenant.deleted() && !Tenant.ACTIVE.equals(changes.status())) {
            throw ApiException.conflict("TENANT_DELETED", "A deleted tenant can only be restored (status active).");
        }
        if (!records.update(id, changes.version(), changes.name(), changes.region(), changes.status(),
                changes.mfaRequired())) {
            throw ApiException.conflict("VERSION_CONFLICT", "The tenant was changed by someone else; reload it.");
        }
        if (changes.auditRetentionDays() != null) {
            auditRetention.setRetentionDays(id, changes.auditRetentionDays());
        }
        return records.find(id).orElseThrow();
    }

    @Transactional
    public void delete(CanopyPrincipal principal, UUID id) {
        Tenant tenant = get(principal, id);
        boolean allowed = principal.can(Permissions.PLATFORM_TENANTS_MANAGE)
                || managesAsParent(principal, tenant) && principal.can(Permissions.TENANTS_DELETE);
        if (!allowed) {
            throw ApiException.forbidden("Only the tenant's MSP or a platform administrator may delete it.");
        }
        if (tenant.deleted()) {
            return;
        }
        if (records.hasLiveClients(id)) {
            throw ApiException.conflict("TENANT_HAS_CLIENTS", "Delete or move the tenant's client tenants first.");
        }
        // changed since it was read (unless deleted meanwhile): never answer 204 for a delete that did not happen
        if (!records.update(id, tenant.version(), null, null, Tenant.DELETED, null)
                && records.find(id).filter(Tenant::deleted).isEmpty()) {
            throw ApiException.conflict("VERSION_CONFLICT", "The tenant was changed by someone else; try again.");
        }
    }

    private static boolean managesAsParent(CanopyPrincipal principal, Tenant tenant) {
        return principal.tenantId().equals(tenant.parentTenantId()) && principal.can(Permissions.TENANTS_UPDATE);
    }

    private static ApiException notFound() {
        return ApiException.notFound("TENANT_NOT_FOUND", "No such tenant.");
    }
}
