package dev.canopy.access.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.MembershipFacts;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;

/** Direct per-member grants and denies; a deny wins over every allow, whatever its source. */
@Component
public class DirectGrantManagement {

    private final DirectGrants grants;
    private final MembershipFacts memberships;
    private final TenantTransactions scopes;
    private final PermissionRegistry registry;
    private final AccessDecisionPoint decisions;
    private final PolicyChanges changes;

    DirectGrantManagement(DirectGrants grants, MembershipFacts memberships, TenantTransactions scopes,
            PermissionRegistry registry, AccessDecisionPoint decisions, PolicyChanges changes) {
        this.grants = grants;
        this.memberships = memberships;
        this.scopes = scopes;
        this.registry = registry;
        this.decisions = decisions;
        this.changes = changes;
    }

    public List<DirectGrant> of(UUID tenantId, UUID userId) {
        return scopes.inTenant(tenantId, () -> {
            requireMember(tenantId, userId);
            return grants.of(tenantId, userId);
        });
    }

    /** Sets an allow or deny; giving an allow needs holding it, a deny takes away and needs nothing more. */
    public DirectGrant put(CanopyPrincipal by, UUID userId, String permission, boolean deny,
            @Nullable Instant expiresAt) {
        Escalation.validPatterns("permission", List.of(permission), registry.index(), false);
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw ApiException.invalidField("expires_at", "must be in the future");
        }
        if (!deny) {
            Escalation.requireHeld(decisions.policyOf(by), List.of(permission));
        }
        UUID tenantId = by.tenantId();
        return scopes.inTenant(tenantId, () -> {
            requireMember(tenantId, userId);
            grants.put(tenantId, userId, permission, deny ? "deny" : "allow",
                    expiresAt == null ? null : Timestamp.from(expiresAt), by.userId());
            changes.changed(tenantId);
            return grants.find(tenantId, userId, permission).orElseThrow();
        });
    }

    public void remove(UUID tenantId, UUID userId, String permission) {
        scopes.inTenant(tenantId, () -> {
            requireMember(tenantId, userId);
            if (!grants.delete(tenantId, userId, permission)) {
                throw ApiException.notFound("GRANT_NOT_FOUND", "The user has no direct grant or deny of that permission.");
            }
            changes.changed(tenantId);
        });
    }

    private void requireMember(UUID tenantId, UUID userId) {
        if (memberships.rolesOf(tenantId, userId).isEmpty()) {
            throw ApiException.notFound("USER_NOT_FOUND", "No such user in this tenant.");
        }
    }
}
