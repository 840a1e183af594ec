package dev.canopy.access.web;

import java.net.URI;
import java.time.Instant;
import java.util.List;
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
import dev.canopy.access.Explanation;
import dev.canopy.access.Permissions;
import dev.canopy.access.internal.DirectGrant;
import dev.canopy.access.internal.DirectGrantManagement;
import dev.canopy.access.internal.Explaining;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Direct per-member grants and denies ({@code /users/{id}/permissions}) and the caller's effective
 * permissions with their sources ({@code /users/me/permissions}).
 */
@RestController
@RequestMapping("/api/v1/users")
class UserPermissionsController {

    private final DirectGrantManagement grants;
    private final Explaining explaining;

    UserPermissionsController(DirectGrantManagement grants, Explaining explaining) {
        this.grants = grants;
        this.explaining = explaining;
    }

    record GrantView(UUID userId, String permission, String effect, @Nullable Instant expiresAt, boolean expired,
            @Nullable UUID createdBy, Instant createdAt) {

        static GrantView of(DirectGrant g) {
            return new GrantView(g.userId(), g.permission(), g.effect(), g.expiresAt(),
                    g.expiresAt() != null && !g.expiresAt().isAfter(Instant.now()), g.createdBy(), g.createdAt());
        }
    }

    record GrantList(List<GrantView> items) {
    }

    record PutGrant(@NotBlank @Size(max = 200) String permission,
            @NotNull @Pattern(regexp = "allow|deny", message = "must be allow or deny") String effect,
            @Nullable Instant expiresAt) {
    }

    record EffectivePermissions(UUID userId, UUID tenantId, List<Explanation.Effective> items,
            List<Explanation.Effective> denied) {
    }

    @GetMapping("/me/permissions")
    EffectivePermissions mine(@AuthenticationPrincipal CanopyPrincipal principal) {
        if (principal.kind() == CanopyPrincipal.Kind.API_KEY) {
            var reason = new Explanation.Reason("api_key", principal.userId().toString(), principal.email(), null,
                    null, null, "", "allow", null);
            return new EffectivePermissions(principal.userId(), principal.tenantId(), principal.permissions().stream()
                    .sorted().map(p -> new Explanation.Effective(p, List.of(reason))).toList(), List.of());
        }
        return new EffectivePermissions(principal.userId(), principal.tenantId(),
                explaining.effective(principal.tenantId(), principal.userId(), principal.platformAdmin(),
                        principal.viaTenantId(), false),
                explaining.effective(principal.tenantId(), principal.userId(), principal.platformAdmin(),
                        principal.viaTenantId(), true));
    }

    @GetMapping("/{id}/permissions")
    GrantList list(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        if (!principal.can(Permissions.PERMISSIONS_GRANT)) {
            principal.require(Permissions.PERMISSIONS_EXPLAIN);
        }
        return new GrantList(grants.of(principal.tenantId(), id).stream().map(GrantView::of).toList());
    }

    @Audited(action = "permission.granted", resource = "user")
    @PostMapping("/{id}/permissions")
    ResponseEntity<GrantView> put(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @Valid @RequestBody PutGrant body) {
        principal.require(Permissions.PERMISSIONS_GRANT);
        DirectGrant grant = grants.put(principal, id, body.permission(), "deny".equals(body.effect()),
                body.expiresAt());
        return ResponseEntity.created(URI.create("/api/v1/users/" + id + "/permissions")).body(GrantView.of(grant));
    }

    @Audited(action = "permission.revoked", resource = "user")
    @DeleteMapping("/{id}/permissions")
    ResponseEntity<Void> remove(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestParam(required = false) @Nullable String permission) {
        principal.require(Permissions.PERMISSIONS_GRANT);
        if (permission == null || permission.isBlank() || permission.length() > 200) {
            throw ApiException.invalidField("permission", "must name the granted or denied permission");
        }
        grants.remove(principal.tenantId(), id, permission);
        return ResponseEntity.noContent().build();
    }
}
