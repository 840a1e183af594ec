package dev.canopy.identity.internal;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/**
 * The API keys of a tenant: creating one (its secret is shown once), listing them without secrets,
 * revoking one. A caller, person or key, can only give a key permissions it holds itself.
 */
@Component
public class ApiKeyDirectory {

    private final ApiKeys keys;
    private final TenantTransactions scopes;
    private final AccessDecisionPoint decisions;
    private final AuditTrail audit;

    ApiKeyDirectory(ApiKeys keys, TenantTransactions scopes, AccessDecisionPoint decisions, AuditTrail audit) {
        this.keys = keys;
        this.scopes = scopes;
        this.decisions = decisions;
        this.audit = audit;
    }

    /** A key just created, with the one copy of its secret there will ever be. */
    public record Created(ApiKey key, String secret) {
    }

    public Created create(CanopyPrincipal by, String name, List<String> roles, @Nullable Instant expiresAt) {
        List<String> granted = MemberDirectory.assignable(roles);
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw ApiException.invalidField("expires_at", "must be in the future");
        }
        Set<String> missing = new TreeSet<>(decisions.effectivePermissions(granted, false));
        missing.removeAll(by.permissions());
        if (!missing.isEmpty()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "PERMISSION_ESCALATION",
                    "A key cannot get permissions you do not have: " + String.join(", ", missing) + ".");
        }
        String secret = ApiKeySecrets.newSecret();
        var key = new ApiKey(by.tenantId(), Ids.newId(), name, ApiKeySecrets.prefixOf(secret), granted, by.userId(),
                Instant.now(), expiresAt, null, null);
        try {
            scopes.inTenant(by.tenantId(), () -> keys.insert(key, ApiKeySecrets.hash(secret)));
        }
        catch (DuplicateKeyException e) {
            throw ApiException.conflict("API_KEY_NAME_TAKEN", "This tenant already has a key named '" + name + "'.");
        }
        audit.resource("api_key", key.id().toString());
        return new Created(key, secret);
    }

    public Page<ApiKey> list(UUID tenantId, PageRequest page) {
        return page.page(scopes.inTenant(tenantId, () -> keys.live(tenantId, page.after(), page.fetchSize())),
                ApiKey::id);
    }

    /** Revokes a key of the tenant at once, on every instance; another tenant's key is not found. */
    public void revoke(UUID tenantId, UUID id) {
        scopes.inTenant(tenantId, () -> {
            ApiKey key = keys.find(tenantId, id).filter(k -> k.revokedAt() == null)
                    .orElseThrow(() -> ApiException.notFound("API_KEY_NOT_FOUND", "No such API key in this tenant."));
            keys.revoke(tenantId, key.id());
        });
    }
}
