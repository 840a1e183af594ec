package dev.canopy.access;

import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.canopy.access.internal.AccessGrants;
import dev.canopy.access.internal.CustomRoles;
import dev.canopy.access.internal.Escalation;
import dev.canopy.access.internal.Groups;
import dev.canopy.access.internal.PermissionRegistry;
import dev.canopy.access.internal.PolicyChanges;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;

/**
 * Roles and groups set up by the platform itself rather than by a member (demo data, a tenant's first start):
 * no caller's permissions limit them, but the permissions must exist and be tenant-level, as for anyone.
 */
@Service
public class AccessSetup {

    private final CustomRoles roles;
    private final Groups groups;
    private final PermissionRegistry registry;
    private final TenantTransactions scopes;
    private final PolicyChanges changes;
    private final MembershipFacts memberships;
    private final RoleCatalog catalog;
    private final AccessGrants grants;

    AccessSetup(CustomRoles roles, Groups groups, PermissionRegistry registry, TenantTransactions scopes,
            PolicyChanges changes, MembershipFacts memberships, RoleCatalog catalog, AccessGrants grants) {
        this.grants = grants;
        this.memberships = memberships;
        this.catalog = catalog;
        this.roles = roles;
        this.groups = groups;
        this.registry = registry;
        this.scopes = scopes;
        this.changes = changes;
    }

    /** Creates a custom role in the tenant and answers its id, the key memberships hold it by. */
    public String createRole(UUID tenantId, String name, String description, List<String> permissions) {
        List<String> patterns = Escalation.validPatterns("permissions", permissions, registry.index());
        UUID id = Ids.newId();
        scopes.inTenant(tenantId, () -> {
            roles.insert(tenantId, id, name, description, patterns);
            changes.changed(tenantId);
        });
        return id.toString();
    }

    /**
     * Creates a tenant-wide group with the given members (who must be members of the tenant already) and roles
     * (built-in keys or custom role ids of the tenant), and answers its id.
     */
    public UUID createGroup(UUID tenantId, String name, String description, List<UUID> members,
            List<String> roleKeys) {
        roleKeys.stream().filter(key -> !catalog.assignable(tenantId, key)).findFirst().ifPresent(key -> {
            throw new IllegalArgumentException("Not a role of the tenant: " + key);
        });
        UUID id = Ids.newId();
        scopes.inTenant(tenantId, () -> {
            members.stream().filter(userId -> memberships.rolesOf(tenantId, userId).isEmpty()).findFirst()
                    .ifPresent(userId -> {
                        throw new IllegalArgumentException("Not a member of the tenant: " + userId);
                    });
            groups.insert(tenantId, id, name, description, null);
            members.forEach(userId -> groups.addMember(tenantId, id, userId));
            roleKeys.forEach(key -> groups.addRole(tenantId, id, key));
            changes.changed(tenantId);
        });
        return id;
    }

    /**
     * Lets the grantee tenant's holders of the built-in {@code granteeRole} act in the tenant with {@code roleKey}
     * (MSP delegation, with no expiry), and answers the grant's id.
     */
    public UUID grantAccess(UUID tenantId, UUID granteeTenantId, String roleKey, String granteeRole, UUID grantedBy) {
        if (!catalog.assignable(tenantId, roleKey) || BuiltInRole.assignable(granteeRole).isEmpty()) {
            throw new IllegalArgumentException("Not roles of the tenants: " + roleKey + ", " + granteeRole);
        }
        UUID id = Ids.newId();
        scopes.inTenant(tenantId, () -> {
            grants.insert(tenantId, id, granteeTenantId, roleKey, granteeRole, null, grantedBy);
            changes.changed(tenantId);
        });
        return id;
    }
}
