package dev.canopy.platform.security;

import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.web.ApiException;

/**
 * Who is calling, in which tenant, within which session, and what they may do there. Permissions are
 * those of the current tenant's membership (plus platform-level ones), never of another tenant.
 * {@code viaTenantId} is set when the person acts in the tenant through an access grant to the tenant they
 * come from (MSP delegation) rather than as a member. {@code enteredAsPlatformAdmin} is set when a platform
 * administrator's session entered the tenant without a membership: such a session acts for the platform, and
 * is audited as delegated, from the entering to the logout.
 */
public record CanopyPrincipal(UUID userId, String email, UUID tenantId, UUID sessionId, Set<String> permissions,
        boolean platformAdmin, Kind kind, @Nullable UUID viaTenantId, boolean enteredAsPlatformAdmin) {

    /** A person acting as a member or through an access grant, or an API key. */
    public CanopyPrincipal(UUID userId, String email, UUID tenantId, UUID sessionId, Set<String> permissions,
            boolean platformAdmin, Kind kind, @Nullable UUID viaTenantId) {
        this(userId, email, tenantId, sessionId, permissions, platformAdmin, kind, viaTenantId, false);
    }

    /** A person signed in with a session. */
    public CanopyPrincipal(UUID userId, String email, UUID tenantId, UUID sessionId, Set<String> permissions,
            boolean platformAdmin) {
        this(userId, email, tenantId, sessionId, permissions, platformAdmin, Kind.USER, null);
    }

    /** A person or an API key acting as a member (not delegated). */
    public CanopyPrincipal(UUID userId, String email, UUID tenantId, UUID sessionId, Set<String> permissions,
            boolean platformAdmin, Kind kind) {
        this(userId, email, tenantId, sessionId, permissions, platformAdmin, kind, null);
    }

    /** Who stands behind the credentials: a person, or an API key (then {@code userId} is the key's id). */
    public enum Kind {
        USER, API_KEY
    }

    public boolean can(Permission permission) {
        return permissions.contains(permission.name());
    }

    /** Throws 403 {@code FORBIDDEN} unless the caller holds the permission in the current tenant. */
    public void require(Permission permission) {
        if (!can(permission)) {
            throw ApiException.forbidden("This requires the permission '" + permission.name() + "'.");
        }
    }
}
