package dev.canopy.access;

import static dev.canopy.access.Permissions.*;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.canopy.platform.security.Permission;

/** Roles every tenant has. {@code platform_admin} is held platform-wide, never through a membership. */
public enum BuiltInRole {

    PLATFORM_ADMIN("platform_admin", "Platform administrator", "Manages every tenant of the platform",
            Permission.Level.PLATFORM, Permissions.ALL),
    TENANT_ADMIN("tenant_admin", "Tenant administrator",
            "Manages the tenant, its members and its client tenants", Permission.Level.TENANT,
            Permissions.ALL.stream().filter(p -> p.level() == Permission.Level.TENANT).toList()),
    MEMBER("member", "Member", "Works in the tenant and sees its members", Permission.Level.TENANT,
            List.of(TENANTS_READ, USERS_LIST, USERS_READ, ROLES_LIST, PERMISSIONS_LIST, CLOUD_ACCOUNTS_LIST,
                    CLOUD_ACCOUNTS_READ, CLOUD_ACCOUNTS_TEST, TEMPLATES_LIST, TEMPLATES_READ, ENVIRONMENTS_LIST,
                    DEPLOYMENTS_LIST, DEPLOYMENTS_READ)),
    VIEWER("viewer", "Viewer", "Reads the tenant without changing anything", Permission.Level.TENANT,
            List.of(TENANTS_READ, USERS_LIST, USERS_READ, CLOUD_ACCOUNTS_LIST, CLOUD_ACCOUNTS_READ, TEMPLATES_LIST,
                    TEMPLATES_READ, ENVIRONMENTS_LIST, DEPLOYMENTS_LIST, DEPLOYMENTS_READ));

    private final String key;
    private final String displayName;
    private final String description;
    private final Permission.Level level;
    private final List<Permission> permissions;

    BuiltInRole(String key, String displayName, String description, Permission.Level level,
            List<Permission> permissions) {
        this.key = key;
        this.displayName = displayName;
        this.description = description;
        this.level = level;
        this.permissions = permissions;
    }

    public String key() {
        return key;
    }

    public String displayName() {
        return displayName;
    }

    public String description() {
        return description;
    }

    public Permission.Level level() {
        return level;
    }

    public List<Permission> permissions() {
        return permissions;
    }

    /** A role that can be given through a tenant membership. */
    public static Optional<BuiltInRole> assignable(String key) {
        return Arrays.stream(values()).filter(r -> r.key.equals(key) && r.level == Permission.Level.TENANT)
                .findFirst();
    }

    /** The names of the permissions the given roles grant together. */
    public static Set<String> permissionsOf(Collection<BuiltInRole> roles) {
        var names = new TreeSet<String>();
        roles.forEach(role -> role.permissions.forEach(p -> names.add(p.name())));
        return names;
    }
}
