package dev.canopy.platform.security;

/**
 * A permission Canopy checks, {@code resource:action[:qualifier]}, with what the console shows about it.
 * Platform-level permissions apply across tenants; tenant-level ones within the current tenant.
 */
public record Permission(String name, String description, String category, Level level) {

    public Permission {
        if (!name.matches("[a-z_]+:[a-z_]+(:[a-z_]+)?")) {
            throw new IllegalArgumentException("Not a permission name: " + name);
        }
    }

    /** Where a permission applies. */
    public enum Level {
        PLATFORM, TENANT
    }
}
