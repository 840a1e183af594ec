package dev.canopy.identity.console;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import dev.canopy.access.BuiltInRole;
import dev.canopy.access.RoleCatalog;
import dev.canopy.platform.security.Permission;

/** The roles a tenant can give, as forms offer them. */
record RoleChoices(String key, String label, String description, boolean builtIn) {

    /** The built-in roles: what invitations and API keys can carry. */
    static List<RoleChoices> assignable() {
        return Arrays.stream(BuiltInRole.values())
                .filter(role -> role.level() == Permission.Level.TENANT)
                .map(role -> new RoleChoices(role.key(), role.displayName(), role.description(), true))
                .toList();
    }

    /** What a membership can hold in the tenant: the built-in roles and the tenant's custom roles. */
    static List<RoleChoices> forMembers(RoleCatalog catalog, UUID tenantId) {
        return catalog.choices(tenantId).stream()
                .map(role -> new RoleChoices(role.key(), role.name(), role.description(), role.builtIn()))
                .toList();
    }
}
