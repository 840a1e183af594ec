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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.web.Audited;
import dev.canopy.access.Permissions;
import dev.canopy.access.internal.BusinessUnit;
import dev.canopy.access.internal.BusinessUnitDraft;
import dev.canopy.access.internal.BusinessUnitManagement;
import dev.canopy.access.internal.BusinessUnitManagement.UnitDetails;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Business units of the current tenant ({@code /api/v1/business-units}) and choosing the one a session
 * works in ({@code POST /api/v1/auth/switch-business-unit}).
 */
@RestController
class BusinessUnitsController {

    private final BusinessUnitManagement units;

    BusinessUnitsController(BusinessUnitManagement units) {
        this.units = units;
    }

    record MemberView(UUID userId, String role) {
    }

    record UnitView(UUID id, String code, String name, @Nullable UUID ownerId, List<MemberView> members,
            Instant createdAt, Instant updatedAt, long version) {

        static UnitView of(UnitDetails d) {
            BusinessUnit u = d.unit();
            return new UnitView(u.id(), u.code(), u.name(), u.ownerId(),
                    d.members().stream().map(m -> new MemberView(m.userId(), m.roleKey())).toList(), u.createdAt(),
                    u.updatedAt(), u.version());
        }
    }

    record UpdateUnit(@Nullable @Size(min = 1, max = 100) @Pattern(regexp = ".*\\S.*") String name,
            @Nullable UUID ownerId, @NotNull Long version) {
    }

    record PutMember(@NotBlank @Size(max = 64) String role) {
    }

    record SwitchUnit(@Nullable UUID businessUnitId) {
    }

    record ActiveUnit(@Nullable UUID businessUnitId, @Nullable String code, @Nullable String name) {
    }

    @GetMapping("/api/v1/business-units")
    Page<UnitView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        principal.require(Permissions.BUSINESS_UNITS_LIST);
        Page<UnitDetails> page = units.list(principal.tenantId(), PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(UnitView::of).toList(), page.nextCursor());
    }

    @GetMapping("/api/v1/business-units/{id}")
    UnitView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return UnitView.of(units.get(principal, id));
    }

    @Audited(action = "business_unit.created", resource = "business_unit")
    @PostMapping("/api/v1/business-units")
    ResponseEntity<UnitView> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody BusinessUnitDraft body) {
        principal.require(Permissions.BUSINESS_UNITS_CREATE);
        UnitView unit = UnitView.of(units.create(principal.tenantId(), body.code(), body.name().trim(),
                body.ownerId()));
        return ResponseEntity.created(URI.create("/api/v1/business-units/" + unit.id())).body(unit);
    }

    @Audited(action = "business_unit.updated", resource = "business_unit")
    @PatchMapping("/api/v1/business-units/{id}")
    UnitView update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @Valid @RequestBody UpdateUnit body) {
        principal.require(Permissions.BUSINESS_UNITS_UPDATE);
        return UnitView.of(units.change(principal.tenantId(), id, body.name() == null ? null : body.name().trim(),
                body.ownerId(), body.version()));
    }

    @Audited(action = "business_unit.deleted", resource = "business_unit")
    @DeleteMapping("/api/v1/business-units/{id}")
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.BUSINESS_UNITS_DELETE);
        units.delete(principal.tenantId(), id);
        return ResponseEntity.noContent().build();
    }

    /** Adds the member with a role (or changes it): the unit's owner, or business_units:manage_members. */
    @Audited(action = "business_unit.member_set", resource = "business_unit")
    @PutMapping("/api/v1/business-units/{id}/members/{userId}")
    ResponseEntity<Void> putMember(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable UUID userId, @Valid @RequestBody PutMember body) {
        units.putMember(principal, id, userId, body.role());
        return ResponseEntity.noContent().build();
    }

    /** The same as PUT, for clients that add with POST. */
    @Audited(action = "business_unit.member_added", resource = "business_unit")
    @PostMapping("/api/v1/business-units/{id}/members/{userId}")
    ResponseEntity<Void> addMember(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable UUID userId, @Valid @RequestBody PutMember body) {
        return putMember(principal, id, userId, body);
    }

    @Audited(action = "business_unit.member_removed", resource = "business_unit")
    @DeleteMapping("/api/v1/business-units/{id}/members/{userId}")
    ResponseEntity<Void> removeMember(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable UUID userId) {
        units.removeMember(principal, id, userId);
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "auth.business_unit_switched", resource = "session")
    @PostMapping("/api/v1/auth/switch-business-unit")
    ActiveUnit switchUnit(@AuthenticationPrincipal CanopyPrincipal principal, @Valid @RequestBody SwitchUnit body) {
        BusinessUnit unit = units.switchTo(principal, body.businessUnitId());
        return unit == null ? new ActiveUnit(null, null, null) : new ActiveUnit(unit.id(), unit.code(), unit.name());
    }
}
