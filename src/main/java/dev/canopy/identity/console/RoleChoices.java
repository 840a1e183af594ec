package dev.canopy.identity.console;

import java.util.Arrays;
import java.util.List;

import dev.canopy.access.BuiltInRole;
import dev.canopy.platform.security.Permission;

/** The roles a tenant can give, as forms offer them. */
record RoleChoices(String key, String label, String description) {

    static List<RoleChoices> assignable() {
        return Arrays.stream(BuiltInRole.values())
                .filter(role -> role.level() == Permission.Level.TENANT)
                .map(role -> new RoleChoices(role.key(), role.displayName(), role.description()))
                .toList();
    }
}
