package dev.canopy.identity;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.stereotype.Service;

import dev.canopy.access.BuiltInRole;
import dev.canopy.access.RoleCatalog;
import dev.canopy.identity.internal.Membership;
import dev.canopy.identity.internal.Memberships;
import dev.canopy.platform.db.TenantTransactions;

/** Tenant memberships as other modules see them. */
@Service
public class Members {

    private final Memberships memberships;
    private final TenantTransactions scopes;
    private final RoleCatalog catalog;

    Members(Memberships memberships, TenantTransactions scopes, RoleCatalog catalog) {
        this.memberships = memberships;
        this.scopes = scopes;
        this.catalog = catalog;
    }

    /** The tenants the user belongs to. */
    public Set<UUID> tenantsOf(UUID userId) {
        return scopes.asUser(userId, () -> memberships.ofUser(userId)).stream()
                .map(Membership::tenantId)
                .collect(Collectors.toSet());
    }

    /** Makes the user a member of the tenant with the given built-in roles, primary when it is their first. */
    public void add(UUID tenantId, UUID userId, List<String> roles) {
        roles.forEach(role -> BuiltInRole.assignable(role)
                .orElseThrow(() -> new IllegalArgumentException("Not a role a tenant can give: " + role)));
        scopes.inTenantAsUser(tenantId, userId, () -> {
            boolean first = memberships.ofUser(userId).isEmpty();
            memberships.insert(tenantId, userId, roles, first);
            return null;
        });
    }

    /** Makes the user an administrator of the tenant, primary when it is their first membership. */
    public void addAdministrator(UUID tenantId, UUID userId) {
        scopes.inTenantAsUser(tenantId, userId, () -> {
            boolean first = memberships.ofUser(userId).isEmpty();
            memberships.insert(tenantId, userId, List.of(BuiltInRole.TENANT_ADMIN.key()), first);
            return null;
        });
    }

    /** Gives a member one more role in the tenant: a built-in key or the id of one of the tenant's custom roles. */
    public void giveRole(UUID tenantId, UUID userId, String roleKey) {
        if (!catalog.assignable(tenantId, roleKey)) {
            throw new IllegalArgumentException("Not a role of the tenant: " + roleKey);
        }
        scopes.inTenant(tenantId, () -> {
            Membership membership = memberships.find(tenantId, userId)
                    .orElseThrow(() -> new IllegalArgumentException("Not a member of the tenant: " + userId));
            if (!membership.roles().contains(roleKey)) {
                var roles = new java.util.ArrayList<>(membership.roles());
                roles.add(roleKey);
                memberships.updateRoles(tenantId, userId, roles);
            }
        });
    }
}
