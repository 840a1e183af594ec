package dev.canopy.access.web;

import java.net.URI;
import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.web.Audited;
import dev.canopy.access.internal.AccessGrant;
import dev.canopy.access.internal.AccessGrantManagement;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * {@code /api/v1/tenants/{id}/access-grants}: the tenant lets another tenant's members (those holding
 * {@code grantee_role} there, {@code tenant_admin} unless said otherwise) act in it with a role, until
 * revoked or {@code expires_at}. Managed from within the tenant itself.
 */
@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/access-grants")
class AccessGrantsController {

    private final AccessGrantManagement grants;

    AccessGrantsController(AccessGrantManagement grants) {
        this.grants = grants;
    }

    record GrantView(UUID id, UUID tenantId, UUID granteeTenantId, String roleId, String granteeRole,
            @Nullable Instant expiresAt, @Nullable UUID createdBy, Instant createdAt, @Nullable Instant revokedAt,
            boolean live) {

        static GrantView of(AccessGrant g) {
            return new GrantView(g.id(), g.tenantId(), g.granteeTenantId(), g.roleKey(), g.granteeRole(),
                    g.expiresAt(), g.createdBy(), g.createdAt(), g.revokedAt(), g.live(Instant.now()));
        }
    }

    record CreateGrant(@NotNull UUID granteeTenantId, @NotBlank @Size(max = 64) String roleId,
            @Nullable @Size(min = 1, max = 64) String granteeRole, @Nullable Instant expiresAt) {
    }

    @GetMapping
    Page<GrantView> list(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID tenantId,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        Page<AccessGrant> page = grants.list(principal, tenantId, PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(GrantView::of).toList(), page.nextCursor());
    }

    @Audited(action = "access_grant.created", resource = "tenant")
    @PostMapping
    ResponseEntity<GrantView> create(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID tenantId,
            @Valid @RequestBody CreateGrant body) {
        AccessGrant grant = grants.create(principal, tenantId, body.granteeTenantId(), body.roleId(),
                body.granteeRole() == null ? "tenant_admin" : body.granteeRole(), body.expiresAt());
        return ResponseEntity.created(URI.create("/api/v1/tenants/" + tenantId + "/access-grants/" + grant.id()))
                .body(GrantView.of(grant));
    }

    @Audited(action = "access_grant.revoked", resource = "tenant")
    @DeleteMapping("/{grantId}")
    ResponseEntity<Void> revoke(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID tenantId,
            @PathVariable UUID grantId) {
        grants.revoke(principal, tenantId, grantId);
        return ResponseEntity.noContent().build();
    }
}
