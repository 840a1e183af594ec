package dev.canopy.access.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.BuiltInRole;
import dev.canopy.access.Permissions;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/**
 * A tenant's access grants to other tenants (its MSP): listed, created and revoked by the tenant's own
 * administrators, from within the tenant. Another tenant's grants are not found.
 */
@Component
public class AccessGrantManagement {

    private final AccessGrants grants;
    private final PolicySources sources;
    private final TenantTransactions scopes;
    private final AccessDecisionPoint decisions;
    private final PolicyChanges policy;
    private final ChangeBroadcast changes;

    AccessGrantManagement(AccessGrants grants, PolicySources sources, TenantTransactions scopes,
            AccessDecisionPoint decisions, PolicyChanges policy, ChangeBroadcast changes) {
        this.grants = grants;
        this.sources = sources;
        this.scopes = scopes;
        this.decisions = decisions;
        this.policy = policy;
        this.changes = changes;
    }

    public Page<AccessGrant> list(CanopyPrincipal by, UUID tenantId, PageRequest page) {
        requireCurrent(by, tenantId);
        by.require(Permissions.ACCESS_GRANTS_LIST);
        return page.page(scopes.inTenant(tenantId, () -> grants.list(tenantId, page.after(), page.fetchSize())),
                AccessGrant::id);
    }

    public AccessGrant create(CanopyPrincipal by, UUID tenantId, UUID granteeTenantId, String roleKey,
            String granteeRole, @Nullable Instant expiresAt) {
        requireCurrent(by, tenantId);
        by.require(Permissions.ACCESS_GRANTS_CREATE);
        if (granteeTenantId.equals(tenantId)) {
            throw ApiException.invalidField("grantee_tenant_id", "must be another tenant");
        }
        if (BuiltInRole.assignable(granteeRole).isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "UNKNOWN_ROLE", "Unknown role '" + granteeRole + "'.",
                    List.of(new ApiException.FieldError("grantee_role", "is not a built-in role")));
        }
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw ApiException.invalidField("expires_at", "must be in the future");
        }
        PolicySources.ResolvedRole role = scopes.inTenant(tenantId,
                () -> sources.resolve(tenantId, Set.of(roleKey)).get(roleKey));
        if (role == null) {
            throw RoleManagement.notFound();
        }
        Escalation.requireHeld(decisions.policyOf(by), role.patterns());
        UUID id = Ids.newId();
        return scopes.inTenant(tenantId, () -> {
            try {
                grants.insert(tenantId, id, granteeTenantId, roleKey, granteeRole,
                        expiresAt == null ? null : Timestamp.from(expiresAt), by.userId());
            }
            catch (DataIntegrityViolationException e) {
                throw ApiException.notFound("TENANT_NOT_FOUND", "No such grantee tenant.");
            }
            policy.changed(tenantId);
            return grants.find(tenantId, id).orElseThrow();
        });
    }

    /** Revokes the grant; sessions working under it are refused from their next request. */
    public void revoke(CanopyPrincipal by, UUID tenantId, UUID grantId) {
        requireCurrent(by, tenantId);
        by.require(Permissions.ACCESS_GRANTS_REVOKE);
        scopes.inTenant(tenantId, () -> {
            if (!grants.revoke(tenantId, grantId)) {
                throw ApiException.notFound("ACCESS_GRANT_NOT_FOUND", "No such live access grant in this tenant.");
            }
            policy.changed(tenantId);
            // delegated sessions are resolved like memberships: make every instance resolve them again
            changes.publish("membership", tenantId + ":*");
        });
    }

    private static void requireCurrent(CanopyPrincipal by, UUID tenantId) {
        if (!tenantId.equals(by.tenantId())) {
            throw ApiException.notFound("TENANT_NOT_FOUND", "No such tenant, or not the one you work in.");
        }
    }
}
