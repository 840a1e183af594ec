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
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.web.Audited;
import dev.canopy.access.Permissions;
import dev.canopy.access.internal.GroupDraft;
import dev.canopy.access.internal.GroupManagement;
import dev.canopy.access.internal.GroupManagement.GroupDetails;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Groups of the current tenant's members; members hold the union of their own and their groups' roles. */
@RestController
@RequestMapping("/api/v1/groups")
class GroupsController {

    private final GroupManagement groups;

    GroupsController(GroupManagement groups) {
        this.groups = groups;
    }

    record RoleRef(String id, String name, boolean builtIn) {
    }

    record GroupView(UUID id, String name, String description, @Nullable UUID businessUnitId, List<UUID> members,
            List<RoleRef> roles, Instant createdAt, Instant updatedAt, long version) {

        static GroupView of(GroupDetails d) {
            return new GroupView(d.group().id(), d.group().name(), d.group().description(),
                    d.group().businessUnitId(), d.members(),
                    d.roles().stream().map(r -> new RoleRef(r.id(), r.name(), r.builtIn())).toList(),
                    d.group().createdAt(), d.group().updatedAt(), d.group().version());
        }
    }

    record UpdateGroup(@Nullable @Size(min = 1, max = 100) @Pattern(regexp = ".*\\S.*") String name,
            @Nullable @Size(max = 500) String description, @NotNull Long version) {
    }

    @GetMapping
    Page<GroupView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        principal.require(Permissions.GROUPS_LIST);
        Page<GroupDetails> page = groups.list(principal.tenantId(), PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(GroupView::of).toList(), page.nextCursor());
    }

    @GetMapping("/{id}")
    GroupView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.GROUPS_READ);
        return GroupView.of(groups.get(principal.tenantId(), id));
    }

    @Audited(action = "group.created", resource = "group")
    @PostMapping
    ResponseEntity<GroupView> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody GroupDraft body) {
        principal.require(Permissions.GROUPS_CREATE);
        GroupView group = GroupView.of(groups.create(principal.tenantId(), body.name().trim(),
                body.description() == null ? "" : body.description().trim(), body.businessUnitId()));
        return ResponseEntity.created(URI.create("/api/v1/groups/" + group.id())).body(group);
    }

    @Audited(action = "group.updated", resource = "group")
    @PatchMapping("/{id}")
    GroupView update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @Valid @RequestBody UpdateGroup body) {
        principal.require(Permissions.GROUPS_UPDATE);
        return GroupView.of(groups.change(principal.tenantId(), id, body.name() == null ? null : body.name().trim(),
                body.description() == null ? null : body.description().trim(), body.version()));
    }

    @Audited(action = "group.deleted", resource = "group")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.GROUPS_DELETE);
        groups.delete(principal.tenantId(), id);
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "group.member_added", resource = "group")
    @PostMapping("/{id}/members/{userId}")
    ResponseEntity<Void> addMember(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable UUID userId) {
        principal.require(Permissions.GROUPS_MANAGE);
        groups.addMember(principal, id, userId);
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "group.member_removed", resource = "group")
    @DeleteMapping("/{id}/members/{userId}")
    ResponseEntity<Void> removeMember(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable UUID userId) {
        principal.require(Permissions.GROUPS_MANAGE);
        groups.removeMember(principal.tenantId(), id, userId);
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "group.role_added", resource = "group")
    @PostMapping("/{id}/roles/{roleId}")
    ResponseEntity<Void> addRole(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable @Size(max = 64) String roleId) {
        principal.require(Permissions.GROUPS_MANAGE);
        groups.addRole(principal, id, roleId);
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "group.role_removed", resource = "group")
    @DeleteMapping("/{id}/roles/{roleId}")
    ResponseEntity<Void> removeRole(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable @Size(max = 64) String roleId) {
        principal.require(Permissions.GROUPS_MANAGE);
        groups.removeRole(principal.tenantId(), id, roleId);
        return ResponseEntity.noContent().build();
    }
}
