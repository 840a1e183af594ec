package dev.canopy.access.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.BuiltInRole;
import dev.canopy.access.MembershipFacts;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.Permission;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/** Built-in roles (read-only) and a tenant's custom roles: listing, creating, changing, deleting. */
@Component
public class RoleManagement {

    /** A role as listed: built-in ones have their key as id and no version. */
    public record RoleEntry(String id, String name, String description, String level, boolean builtIn,
            List<String> permissions, @Nullable Long version, java.time.@Nullable Instant createdAt,
            java.time.@Nullable Instant updatedAt) {

        static RoleEntry of(BuiltInRole role) {
            return new RoleEntry(role.key(), role.displayName(), role.description(),
                    role.level().name().toLowerCase(), true, role.permissions().stream().map(Permission::name).toList(),
                    null, null, null);
        }

        static RoleEntry of(CustomRole role) {
            return new RoleEntry(role.id().toString(), role.name(), role.description(), "tenant", false,
                    role.permissions(), role.version(), role.createdAt(), role.updatedAt());
        }
    }

    private final CustomRoles roles;
    private final Groups groups;
    private final MembershipFacts memberships;
    private final TenantTransactions scopes;
    private final PermissionRegistry registry;
    private final AccessDecisionPoint decisions;
    private final PolicyChanges changes;
    private final BusinessUnits units;

    RoleManagement(CustomRoles roles, Groups groups, MembershipFacts memberships, TenantTransactions scopes,
            PermissionRegistry registry, AccessDecisionPoint decisions, PolicyChanges changes, BusinessUnits units) {
        this.units = units;
        this.roles = roles;
        this.groups = groups;
        this.memberships = memberships;
        this.scopes = scopes;
        this.registry = registry;
        this.decisions = decisions;
        this.changes = changes;
    }

    /** Built-in roles first (on the first page), then custom roles in creation order. */
    public Page<RoleEntry> list(UUID tenantId, PageRequest page) {
        List<RoleEntry> entries = new ArrayList<>();
        if (page.after() == null) {
            for (BuiltInRole role : BuiltInRole.values()) {
                entries.add(RoleEntry.of(role));
            }
        }
        Page<CustomRole> custom = page.page(scopes.inTenant(tenantId,
                () -> roles.list(tenantId, page.after(), page.fetchSize())), CustomRole::id);
        custom.items().forEach(r -> entries.add(RoleEntry.of(r)));
        return new Page<>(entries, custom.nextCursor());
    }

    /** How many custom roles the tenant has. */
    public long customCount(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> roles.count(tenantId));
    }

    public RoleEntry get(UUID tenantId, String id) {
        Optional<BuiltInRole> builtIn = java.util.Arrays.stream(BuiltInRole.values())
                .filter(r -> r.key().equals(id)).findFirst();
        if (builtIn.isPresent()) {
            return RoleEntry.of(builtIn.get());
        }
        return RoleEntry.of(find(tenantId, id));
    }

    public RoleEntry create(CanopyPrincipal by, String name, String description, List<String> permissions) {
        List<String> patterns = Escalation.validPatterns("permissions", permissions, registry.index());
        Escalation.requireHeld(decisions.policyOf(by), patterns);
        UUID tenantId = by.tenantId();
        UUID id = Ids.newId();
        return scopes.inTenant(tenantId, () -> {
            try {
                roles.insert(tenantId, id, name, description, patterns);
            }
            catch (DuplicateKeyException e) {
                throw nameTaken();
            }
            changes.changed(tenantId);
            return RoleEntry.of(roles.find(tenantId, id).orElseThrow());
        });
    }

    public RoleEntry change(CanopyPrincipal by, String id, @Nullable String name, @Nullable String description,
            @Nullable List<String> permissions, long version) {
        UUID tenantId = by.tenantId();
        CustomRole role = find(tenantId, id);
        List<String> patterns = null;
        if (permissions != null) {
            patterns = Escalation.validPatterns("permissions", permissions, registry.index());
            // only what is added needs holding: removing a permission one lacks is no escalation
            List<String> added = patterns.stream().filter(p -> !role.permissions().contains(p)).toList();
            Escalation.requireHeld(decisions.policyOf(by), added);
        }
        List<String> newPatterns = patterns;
        return scopes.inTenant(tenantId, () -> {
            boolean updated;
            try {
                updated = roles.update(tenantId, role.id(), version, name, description, newPatterns);
            }
            catch (DuplicateKeyException e) {
                throw nameTaken();
            }
            if (!updated) {
                throw ApiException.conflict("VERSION_CONFLICT",
                        "The role was changed by someone else; reload and try again.");
            }
            changes.changed(tenantId);
            return RoleEntry.of(roles.find(tenantId, role.id()).orElseThrow());
        });
    }

    /** Deletes a custom role no member holds directly; groups lose it. */
    public void delete(CanopyPrincipal by, String id) {
        UUID tenantId = by.tenantId();
        CustomRole role = find(tenantId, id);
        scopes.inTenant(tenantId, () -> {
            if (memberships.holdersOf(tenantId, role.id().toString()) > 0) {
                throw ApiException.conflict("ROLE_IN_USE",
                        "Members hold this role; give them other roles before deleting it.");
            }
            groups.removeRoleEverywhere(tenantId, role.id().toString());
            units.removeRoleEverywhere(tenantId, role.id().toString());
            roles.delete(tenantId, role.id());
            changes.changed(tenantId);
        });
    }

    private CustomRole find(UUID tenantId, String id) {
        if (BuiltInRole.assignable(id).isPresent() || BuiltInRole.PLATFORM_ADMIN.key().equals(id)) {
            throw ApiException.conflict("BUILT_IN_ROLE", "Built-in roles cannot be changed or deleted.");
        }
        UUID uuid = PolicySources.uuid(id).orElseThrow(RoleManagement::notFound);
        return scopes.inTenant(tenantId, () -> roles.find(tenantId, uuid)).orElseThrow(RoleManagement::notFound);
    }

    public static ApiException notFound() {
        return ApiException.notFound("ROLE_NOT_FOUND", "No such role in this tenant.");
    }

    private static ApiException nameTaken() {
        return ApiException.conflict("ROLE_NAME_TAKEN", "This tenant already has a role with that name.");
    }
}
