package dev.canopy.access.internal;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.MembershipFacts;
import dev.canopy.access.Permissions;
import dev.canopy.access.ResourceContext;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/**
 * Business units of a tenant. Members hold one role each in a unit, applying to that unit's resources
 * only while they work in it. A unit's owner manages its members without tenant-wide rights; others need
 * {@code business_units:manage_members}. Units are visible to whoever may read any, and to their owner
 * and members; to others they are 404.
 */
@Component
public class BusinessUnitManagement {

    /** A unit with its members. */
    public record UnitDetails(BusinessUnit unit, List<BusinessUnits.UnitMember> members) {
    }

    private final BusinessUnits units;
    private final MembershipFacts memberships;
    private final PolicySources sources;
    private final TenantTransactions scopes;
    private final AccessDecisionPoint decisions;
    private final PolicyChanges changes;

    BusinessUnitManagement(BusinessUnits units, MembershipFacts memberships, PolicySources sources,
            TenantTransactions scopes, AccessDecisionPoint decisions, PolicyChanges changes) {
        this.units = units;
        this.memberships = memberships;
        this.sources = sources;
        this.scopes = scopes;
        this.decisions = decisions;
        this.changes = changes;
    }

    public Page<UnitDetails> list(UUID tenantId, PageRequest page) {
        return scopes.inTenant(tenantId, () -> {
            Page<BusinessUnit> found = page.page(units.list(tenantId, page.after(), page.fetchSize()),
                    BusinessUnit::id);
            return new Page<>(found.items().stream().map(u -> new UnitDetails(u, units.members(tenantId, u.id())))
                    .toList(), found.nextCursor());
        });
    }

    /** The tenant's first units in creation order, for pickers and for naming units on other pages. */
    public List<BusinessUnit> first(UUID tenantId, int limit) {
        return scopes.inTenant(tenantId, () -> units.list(tenantId, null, limit));
    }

    public UnitDetails get(CanopyPrincipal by, UUID id) {
        UUID tenantId = by.tenantId();
        return scopes.inTenant(tenantId, () -> {
            BusinessUnit unit = find(tenantId, id);
            List<BusinessUnits.UnitMember> members = units.members(tenantId, id);
            boolean involved = by.userId().equals(unit.ownerId())
                    || members.stream().anyMatch(m -> m.userId().equals(by.userId()));
            if (!involved && !by.can(Permissions.BUSINESS_UNITS_READ)) {
                throw notFound();
            }
            return new UnitDetails(unit, members);
        });
    }

    public UnitDetails create(UUID tenantId, String code, String name, @Nullable UUID ownerId) {
        UUID id = Ids.newId();
        return scopes.inTenant(tenantId, () -> {
            if (ownerId != null) {
                requireMember(tenantId, ownerId);
            }
            try {
                units.insert(tenantId, id, code, name, ownerId);
            }
            catch (DuplicateKeyException e) {
                throw ApiException.conflict("BUSINESS_UNIT_CODE_TAKEN", "This tenant already has a unit with that code.");
            }
            return new UnitDetails(units.find(tenantId, id).orElseThrow(), List.of());
        });
    }

    public UnitDetails change(UUID tenantId, UUID id, @Nullable String name, @Nullable UUID ownerId, long version) {
        return scopes.inTenant(tenantId, () -> {
            find(tenantId, id);
            if (ownerId != null) {
                requireMember(tenantId, ownerId);
            }
            if (!units.update(tenantId, id, version, name, ownerId)) {
                throw ApiException.conflict("VERSION_CONFLICT",
                        "The business unit was changed by someone else; reload and try again.");
            }
            return new UnitDetails(units.find(tenantId, id).orElseThrow(), units.members(tenantId, id));
        });
    }

    public void delete(UUID tenantId, UUID id) {
        scopes.inTenant(tenantId, () -> {
            if (!units.delete(tenantId, id)) {
                throw notFound();
            }
            changes.changed(tenantId);
        });
    }

    /** Adds a member with a role, or changes their role; the caller must hold what the role grants there. */
    public void putMember(CanopyPrincipal by, UUID unitId, UUID userId, String roleKey) {
        UUID tenantId = by.tenantId();
        BusinessUnit unit = requireManager(by, unitId);
        PolicySources.ResolvedRole role = scopes.inTenant(tenantId,
                () -> sources.resolve(tenantId, Set.of(roleKey)).get(roleKey));
        if (role == null) {
            throw RoleManagement.notFound();
        }
        // within the unit, an owner may give what they hold there (tenant-wide or as a unit member)
        Escalation.requireHeld(decisions.policyIn(by, ResourceContext.inBusinessUnit(unit.id())), role.patterns());
        scopes.inTenant(tenantId, () -> {
            requireMember(tenantId, userId);
            units.putMember(tenantId, unitId, userId, roleKey);
            changes.changed(tenantId);
        });
    }

    public void removeMember(CanopyPrincipal by, UUID unitId, UUID userId) {
        UUID tenantId = by.tenantId();
        requireManager(by, unitId);
        scopes.inTenant(tenantId, () -> {
            if (!units.removeMember(tenantId, unitId, userId)) {
                throw ApiException.notFound("BUSINESS_UNIT_MEMBER_NOT_FOUND", "That user is not a member of the unit.");
            }
            changes.changed(tenantId);
        });
    }

    /** Chooses the unit the caller's session works in (null: none); only the unit's owner and members may. */
    public @Nullable BusinessUnit switchTo(CanopyPrincipal by, @Nullable UUID unitId) {
        if (by.kind() != CanopyPrincipal.Kind.USER) {
            throw new ApiException(org.springframework.http.HttpStatus.FORBIDDEN, "API_KEY_NOT_ALLOWED",
                    "API keys do not work in business units.");
        }
        UUID tenantId = by.tenantId();
        BusinessUnit unit = scopes.inTenant(tenantId, () -> {
            BusinessUnit chosen = null;
            if (unitId != null) {
                chosen = find(tenantId, unitId);
                boolean involved = by.userId().equals(chosen.ownerId())
                        || units.roleOf(tenantId, unitId, by.userId()).isPresent();
                if (!involved) {
                    throw notFound();
                }
            }
            units.setActive(tenantId, by.sessionId(), unitId);
            return chosen;
        });
        decisions.activeBusinessUnitChanged(by.sessionId());
        return unit;
    }

    /** The unit, if the caller is its owner or may manage every unit's members; else 403 (404 if invisible). */
    private BusinessUnit requireManager(CanopyPrincipal by, UUID unitId) {
        UnitDetails details = get(by, unitId);
        if (!by.userId().equals(details.unit().ownerId()) && !by.can(Permissions.BUSINESS_UNITS_MANAGE_MEMBERS)) {
            throw ApiException.forbidden("Only the unit's owner, or someone with 'business_units:manage_members', "
                    + "manages its members.");
        }
        return details.unit();
    }

    private BusinessUnit find(UUID tenantId, UUID id) {
        return units.find(tenantId, id).orElseThrow(BusinessUnitManagement::notFound);
    }

    private void requireMember(UUID tenantId, UUID userId) {
        if (memberships.rolesOf(tenantId, userId).isEmpty()) {
            throw ApiException.notFound("USER_NOT_FOUND", "No such user in this tenant.");
        }
    }

    public static ApiException notFound() {
        return ApiException.notFound("BUSINESS_UNIT_NOT_FOUND", "No such business unit in this tenant.");
    }
}
