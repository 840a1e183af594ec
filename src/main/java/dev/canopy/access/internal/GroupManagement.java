package dev.canopy.access.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.MembershipFacts;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/**
 * Groups of a tenant's members and the roles they give. A member's permissions are the union of their
 * own roles and every group's. Whoever adds a role to a group, or a member to a group, must hold what
 * the group's roles grant: otherwise {@code groups:manage} would be a way to any permission.
 */
@Component
public class GroupManagement {

    /** A group with its members and roles. */
    public record GroupDetails(Group group, List<UUID> members, List<PolicySources.ResolvedRole> roles) {
    }

    private final Groups groups;
    private final MembershipFacts memberships;
    private final PolicySources sources;
    private final TenantTransactions scopes;
    private final AccessDecisionPoint decisions;
    private final PolicyChanges changes;
    private final BusinessUnits units;

    GroupManagement(Groups groups, MembershipFacts memberships, PolicySources sources, TenantTransactions scopes,
            AccessDecisionPoint decisions, PolicyChanges changes, BusinessUnits units) {
        this.units = units;
        this.groups = groups;
        this.memberships = memberships;
        this.sources = sources;
        this.scopes = scopes;
        this.decisions = decisions;
        this.changes = changes;
    }

    public Page<GroupDetails> list(UUID tenantId, PageRequest page) {
        return scopes.inTenant(tenantId, () -> {
            Page<Group> found = page.page(groups.list(tenantId, page.after(), page.fetchSize()), Group::id);
            return new Page<>(found.items().stream().map(g -> details(tenantId, g)).toList(), found.nextCursor());
        });
    }

    /** How many groups the tenant has. */
    public long count(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> groups.count(tenantId));
    }

    /** The groups scoped to one business unit, by name. */
    public List<Group> ofUnit(UUID tenantId, UUID businessUnitId) {
        return scopes.inTenant(tenantId, () -> groups.ofUnit(tenantId, businessUnitId));
    }

    public GroupDetails get(UUID tenantId, UUID id) {
        return scopes.inTenant(tenantId, () -> details(tenantId, find(tenantId, id)));
    }

    /** Creates a group, tenant-wide or scoped to one of the tenant's business units. */
    public GroupDetails create(UUID tenantId, String name, String description,
            @org.jspecify.annotations.Nullable UUID businessUnitId) {
        UUID id = Ids.newId();
        return scopes.inTenant(tenantId, () -> {
            if (businessUnitId != null && units.find(tenantId, businessUnitId).isEmpty()) {
                throw BusinessUnitManagement.notFound();
            }
            try {
                groups.insert(tenantId, id, name, description, businessUnitId);
            }
            catch (DuplicateKeyException e) {
                throw nameTaken();
            }
            return details(tenantId, groups.find(tenantId, id).orElseThrow());
        });
    }

    public GroupDetails change(UUID tenantId, UUID id, @org.jspecify.annotations.Nullable String name,
            @org.jspecify.annotations.Nullable String description, long version) {
        return scopes.inTenant(tenantId, () -> {
            find(tenantId, id);
            boolean updated;
            try {
                updated = groups.update(tenantId, id, version, name, description);
            }
            catch (DuplicateKeyException e) {
                throw nameTaken();
            }
            if (!updated) {
                throw ApiException.conflict("VERSION_CONFLICT",
                        "The group was changed by someone else; reload and try again.");
            }
            return details(tenantId, groups.find(tenantId, id).orElseThrow());
        });
    }

    public void delete(UUID tenantId, UUID id) {
        scopes.inTenant(tenantId, () -> {
            if (!groups.delete(tenantId, id)) {
                throw notFound();
            }
            changes.changed(tenantId);
        });
    }

    public void addMember(CanopyPrincipal by, UUID groupId, UUID userId) {
        UUID tenantId = by.tenantId();
        GroupDetails group = get(tenantId, groupId);
        Escalation.requireHeld(decisions.policyOf(by), patternsOf(group.roles()));
        scopes.inTenant(tenantId, () -> {
            if (memberships.rolesOf(tenantId, userId).isEmpty()) {
                throw ApiException.notFound("USER_NOT_FOUND", "No such user in this tenant.");
            }
            if (groups.addMember(tenantId, groupId, userId)) {
                changes.changed(tenantId);
            }
        });
    }

    public void removeMember(UUID tenantId, UUID groupId, UUID userId) {
        scopes.inTenant(tenantId, () -> {
            find(tenantId, groupId);
            if (!groups.removeMember(tenantId, groupId, userId)) {
                throw ApiException.notFound("GROUP_MEMBER_NOT_FOUND", "That user is not a member of this group.");
            }
            changes.changed(tenantId);
        });
    }

    public void addRole(CanopyPrincipal by, UUID groupId, String roleKey) {
        UUID tenantId = by.tenantId();
        GroupDetails group = get(tenantId, groupId);
        PolicySources.ResolvedRole role = scopes.inTenant(tenantId,
                () -> sources.resolve(tenantId, java.util.Set.of(roleKey)).get(roleKey));
        if (role == null) {
            throw RoleManagement.notFound();
        }
        List<PolicySources.ResolvedRole> after = new ArrayList<>(group.roles());
        after.add(role);
        Escalation.requireHeld(decisions.policyOf(by), patternsOf(after));
        scopes.inTenant(tenantId, () -> {
            if (groups.addRole(tenantId, groupId, roleKey)) {
                changes.changed(tenantId);
            }
        });
    }

    public void removeRole(UUID tenantId, UUID groupId, String roleKey) {
        scopes.inTenant(tenantId, () -> {
            find(tenantId, groupId);
            if (!groups.removeRole(tenantId, groupId, roleKey)) {
                throw ApiException.notFound("ROLE_NOT_FOUND", "The group does not have that role.");
            }
            changes.changed(tenantId);
        });
    }

    private GroupDetails details(UUID tenantId, Group group) {
        List<String> keys = groups.roles(tenantId, group.id());
        Map<String, PolicySources.ResolvedRole> resolved = sources.resolve(tenantId, new LinkedHashSet<>(keys));
        List<PolicySources.ResolvedRole> roles = keys.stream().map(resolved::get)
                .filter(java.util.Objects::nonNull).toList();
        return new GroupDetails(group, groups.members(tenantId, group.id()), roles);
    }

    private Group find(UUID tenantId, UUID id) {
        return groups.find(tenantId, id).orElseThrow(GroupManagement::notFound);
    }

    private static List<String> patternsOf(List<PolicySources.ResolvedRole> roles) {
        return roles.stream().flatMap(r -> r.patterns().stream()).distinct().toList();
    }

    private static ApiException notFound() {
        return ApiException.notFound("GROUP_NOT_FOUND", "No such group in this tenant.");
    }

    private static ApiException nameTaken() {
        return ApiException.conflict("GROUP_NAME_TAKEN", "This tenant already has a group with that name.");
    }
}
