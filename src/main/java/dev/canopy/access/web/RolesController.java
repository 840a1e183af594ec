package dev.canopy.access.web;

import java.net.URI;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.web.Audited;
import dev.canopy.access.Permissions;
import dev.canopy.access.internal.RoleDraft;
import dev.canopy.access.internal.RoleManagement;
import dev.canopy.access.internal.RoleRevision;
import dev.canopy.access.internal.RoleManagement.RoleEntry;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.validation.Valid;

/**
 * Roles of the current tenant: the built-in ones (read-only, their key is their id) and custom roles
 * (id a UUID) with a list of permissions, qualified forms or wildcards ({@code deployments:*}).
 */
@RestController
@RequestMapping("/api/v1/roles")
class RolesController {

    private final RoleManagement roles;

    RolesController(RoleManagement roles) {
        this.roles = roles;
    }

    @GetMapping
    Page<RoleEntry> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        principal.require(Permissions.ROLES_LIST);
        return roles.list(principal.tenantId(), PageRequest.of(limit, cursor));
    }

    @GetMapping("/{id}")
    RoleEntry get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        if (!principal.can(Permissions.ROLES_READ)) {
            principal.require(Permissions.ROLES_LIST);
        }
        return roles.get(principal.tenantId(), id);
    }

    @Audited(action = "role.created", resource = "role")
    @PostMapping
    ResponseEntity<RoleEntry> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody RoleDraft body) {
        principal.require(Permissions.ROLES_CREATE);
        RoleEntry role = roles.create(principal, body.name().trim(),
                body.description() == null ? "" : body.description().trim(), body.permissions());
        return ResponseEntity.created(URI.create("/api/v1/roles/" + role.id())).body(role);
    }

    @Audited(action = "role.updated", resource = "role")
    @PatchMapping("/{id}")
    RoleEntry update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @Valid @RequestBody RoleRevision body) {
        principal.require(Permissions.ROLES_UPDATE);
        return roles.change(principal, id, body.name() == null ? null : body.name().trim(),
                body.description() == null ? null : body.description().trim(), body.permissions(), body.version());
    }

    @Audited(action = "role.deleted", resource = "role")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        principal.require(Permissions.ROLES_DELETE);
        roles.delete(principal, id);
        return ResponseEntity.noContent().build();
    }
}
