package dev.canopy.identity.console;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.canopy.platform.console.NavItem;

/**
 * What every console page shows around its content, computed from the session's current tenant: who is
 * signed in, in which tenant with which role, the tenants they may switch to, and the navigation they may use.
 */
record Frame(String userName, String email, TenantChoice current, String roleLabel, List<TenantChoice> tenants,
        List<NavItem> navigation, String path, boolean mfaEnrollmentRequired, Set<String> permissions) {

    /** Whether the signed-in principal holds the permission in the current tenant: pages show only what it may use. */
    public boolean can(String permission) {
        return permissions.contains(permission);
    }

    /** A tenant in the switcher. */
    record TenantChoice(UUID id, String name, String roleLabel) {
    }
}
