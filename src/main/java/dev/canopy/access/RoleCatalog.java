package dev.canopy.access;

import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.canopy.access.internal.CustomRoles;
import dev.canopy.platform.db.TenantTransactions;

/** Which roles a tenant can give: the built-in ones by key and its own custom roles by id. */
@Service
public class RoleCatalog {

    private final CustomRoles roles;
    private final TenantTransactions scopes;

    RoleCatalog(CustomRoles roles, TenantTransactions scopes) {
        this.roles = roles;
        this.scopes = scopes;
    }

    /** Whether the key names a built-in role a membership can hold, or one of the tenant's custom roles. */
    public boolean assignable(UUID tenantId, String key) {
        if (BuiltInRole.assignable(key).isPresent()) {
            return true;
        }
        if (key.length() != 36) {
            return false;
        }
        UUID id;
        try {
            id = UUID.fromString(key);
        }
        catch (IllegalArgumentException e) {
            return false;
        }
        return scopes.inTenant(tenantId, () -> roles.find(tenantId, id).isPresent());
    }
}
