package dev.canopy.access.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.access.BuiltInRole;
import dev.canopy.access.MembershipFacts;
import dev.canopy.platform.security.Permission;

/**
 * Reads everything that decides a user's permissions in a tenant, in the caller's tenant transaction:
 * membership roles, roles through groups, and direct grants and denies in force. Groups and grants count
 * only while the user is a member; a former member's leftovers grant nothing.
 */
@Component
public class PolicySources {

    /** A role resolved to what it grants. */
    public record ResolvedRole(String id, String name, List<String> patterns, boolean builtIn) {
    }

    private final MembershipFacts memberships;
    private final Groups groups;
    private final CustomRoles roles;
    private final DirectGrants grants;
    private final BusinessUnits units;

    PolicySources(MembershipFacts memberships, Groups groups, CustomRoles roles, DirectGrants grants,
            BusinessUnits units) {
        this.memberships = memberships;
        this.groups = groups;
        this.roles = roles;
        this.grants = grants;
        this.units = units;
    }

    /**
     * The user's sources in the tenant; with a business unit, also their role in it and its groups' roles
     * (what applies to that unit's resources).
     */
    public List<PolicySource> of(UUID tenantId, UUID userId, boolean platformAdmin, @Nullable UUID businessUnitId) {
        List<PolicySource> sources = new ArrayList<>();
        if (platformAdmin) {
            sources.add(PolicySource.platformAdmin());
        }
        List<String> direct = memberships.rolesOf(tenantId, userId);
        if (direct.isEmpty()) {
            return sources;
        }
        List<Groups.HeldRole> held = groups.rolesHeldBy(tenantId, userId, businessUnitId);
        Optional<String> unitRole = businessUnitId == null ? Optional.empty()
                : units.roleOf(tenantId, businessUnitId, userId);
        Set<String> keys = new LinkedHashSet<>(direct);
        held.forEach(h -> keys.add(h.roleKey()));
        unitRole.ifPresent(keys::add);
        Map<String, ResolvedRole> resolved = resolve(tenantId, keys);
        for (String key : direct) {
            ResolvedRole role = resolved.get(key);
            if (role != null) {
                sources.add(PolicySource.role(role.id(), role.name(), role.patterns()));
            }
        }
        for (Groups.HeldRole h : held) {
            ResolvedRole role = resolved.get(h.roleKey());
            if (role != null) {
                sources.add(PolicySource.groupRole(role.id(), role.name(), h.groupId().toString(), h.groupName(),
                        h.businessUnitId() == null ? null : h.businessUnitId().toString(), role.patterns()));
            }
        }
        if (unitRole.isPresent() && resolved.get(unitRole.get()) != null) {
            ResolvedRole role = resolved.get(unitRole.get());
            sources.add(PolicySource.businessUnitRole(role.id(), role.name(), String.valueOf(businessUnitId),
                    role.patterns()));
        }
        for (DirectGrant grant : grants.current(tenantId, userId)) {
            sources.add(PolicySource.direct(grant.permission(), grant.deny(), grant.expiresAt()));
        }
        return sources;
    }

    /** The roles the given access grants give in the tenant. */
    public List<PolicySource> delegated(UUID tenantId, List<dev.canopy.access.Delegations.Delegation> delegations) {
        Set<String> keys = new LinkedHashSet<>();
        delegations.forEach(d -> keys.add(d.roleKey()));
        Map<String, ResolvedRole> resolved = resolve(tenantId, keys);
        List<PolicySource> result = new ArrayList<>();
        for (var d : delegations) {
            ResolvedRole role = resolved.get(d.roleKey());
            if (role != null) {
                result.add(PolicySource.delegatedRole(role.id(), role.name(), d.grantId().toString(),
                        d.viaTenantId().toString(), role.patterns()));
            }
        }
        return result;
    }

    /** Built-in roles by key and custom roles by id; unknown keys are left out. */
    public Map<String, ResolvedRole> resolve(UUID tenantId, Set<String> keys) {
        Map<String, ResolvedRole> resolved = new HashMap<>();
        List<UUID> custom = new ArrayList<>();
        for (String key : keys) {
            Optional<BuiltInRole> builtIn = BuiltInRole.assignable(key);
            if (builtIn.isPresent()) {
                BuiltInRole role = builtIn.get();
                resolved.put(key, new ResolvedRole(role.key(), role.displayName(),
                        role.permissions().stream().map(Permission::name).toList(), true));
            }
            else {
                uuid(key).ifPresent(custom::add);
            }
        }
        for (CustomRole role : roles.findAll(tenantId, custom)) {
            resolved.put(role.id().toString(), new ResolvedRole(role.id().toString(), role.name(), role.permissions(),
                    false));
        }
        return resolved;
    }

    static Optional<UUID> uuid(String text) {
        if (text.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(text));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
