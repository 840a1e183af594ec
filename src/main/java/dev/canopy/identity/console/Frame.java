package dev.canopy.identity.console;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

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

    /** A tenant in the switcher; {@code via} names the tenant whose grant lets the user in, for a client tenant. */
    record TenantChoice(UUID id, String name, String roleLabel, @Nullable String via) {

        TenantChoice(UUID id, String name, String roleLabel) {
            this(id, name, roleLabel, null);
        }

        /** The switcher's text: the name, and for a client tenant where the way in comes from. */
        public String label() {
            return via == null ? name : name + " (via " + via + ")";
        }
    }
}
