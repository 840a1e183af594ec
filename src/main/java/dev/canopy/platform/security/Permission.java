package dev.canopy.platform.security;

import java.util.List;

/**
 * A permission Canopy checks, {@code resource:action[:qualifier]}, with what the console shows about it.
 * Platform-level permissions apply across tenants; tenant-level ones within the current tenant.
 * {@code qualifiers} are the narrower forms a role may grant instead of the whole permission, e.g.
 * {@code own} (only resources the caller owns) or an environment ({@code production}); holding the
 * permission itself implies all of them.
 */
public record Permission(String name, String description, String category, Level level, List<String> qualifiers) {

    public Permission {
        if (!name.matches("[a-z_]+:[a-z_]+(:[a-z_]+)?")) {
            throw new IllegalArgumentException("Not a permission name: " + name);
        }
        qualifiers = List.copyOf(qualifiers);
        for (String qualifier : qualifiers) {
            if (!qualifier.matches("[a-z_]+")) {
                throw new IllegalArgumentException("Not a qualifier: " + qualifier);
            }
        }
    }

    /** A permission without qualified forms. */
    public Permission(String name, String description, String category, Level level) {
        this(name, description, category, level, List.of());
    }

    /** Where a permission applies. */
    public enum Level {
        PLATFORM, TENANT
    }
}
