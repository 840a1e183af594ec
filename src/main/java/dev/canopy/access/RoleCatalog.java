package dev.canopy.access;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

import dev.canopy.access.internal.CustomRole;
import dev.canopy.access.internal.CustomRoles;
import dev.canopy.access.internal.Escalation;
import dev.canopy.access.internal.PolicySource;
import dev.canopy.access.internal.PolicySources;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.Permission;

/** Which roles a tenant can give: the built-in ones by key and its own custom roles by id. */
@Service
public class RoleCatalog {

    /** More custom roles than a form can sensibly offer; the roles page pages through all of them. */
    static final int MAX_CHOICES = 500;

    private final CustomRoles roles;
    private final TenantTransactions scopes;
    private final PolicySources sources;
    private final AccessDecisionPoint decisions;

    RoleCatalog(CustomRoles roles, TenantTransactions scopes, PolicySources sources, AccessDecisionPoint decisions) {
        this.roles = roles;
        this.scopes = scopes;
        this.sources = sources;
        this.decisions = decisions;
    }

    /**
     * Refuses (403 {@code PERMISSION_ESCALATION}) to let the caller give roles, in their current tenant, with a
     * permission they do not hold there themselves: whoever may change members' roles cannot make anyone,
     * themselves included, more powerful than they are.
     */
    public void requireGivable(CanopyPrincipal by, Collection<String> roleKeys) {
        if (roleKeys.isEmpty()) {
            return;
        }
        UUID tenantId = by.tenantId();
        Map<String, PolicySources.ResolvedRole> resolved = scopes.inTenant(tenantId,
                () -> sources.resolve(tenantId, Set.copyOf(roleKeys)));
        Escalation.requireHeld(decisions.policyOf(by), resolved.values().stream()
                .flatMap(role -> role.patterns().stream()).toList());
    }

    /**
     * Whether the member holds one of the roles in the tenant: through the membership, a group (tenant-wide or of
     * the business unit given) or their role in that business unit.
     */
    public boolean holdsAny(UUID tenantId, UUID userId, @Nullable UUID businessUnitId, Collection<String> roleKeys) {
        return scopes.inTenant(tenantId, () -> sources.of(tenantId, userId, false, businessUnitId)).stream()
                .anyMatch(source -> switch (source.kind()) {
                    case ROLE, GROUP_ROLE, BUSINESS_UNIT_ROLE -> true;
                    default -> false;
                } && roleKeys.contains(source.id()));
    }

    /** Whether the key names a built-in role a membership can hold, or one of the tenant's custom roles. */
    public boolean assignable(UUID tenantId, String key) {
        if (BuiltInRole.assignable(key).isPresent()) {
            return true;
        }
        return customId(key).map(id -> scopes.inTenant(tenantId, () -> roles.find(tenantId, id).isPresent()))
                .orElse(false);
    }

    /** The roles a membership can hold in the tenant: the built-in ones, then the custom ones by name. */
    public List<RoleChoice> choices(UUID tenantId) {
        var choices = new ArrayList<RoleChoice>();
        Arrays.stream(BuiltInRole.values()).filter(role -> role.level() == Permission.Level.TENANT)
                .forEach(role -> choices.add(new RoleChoice(role.key(), role.displayName(), role.description(), true)));
        scopes.inTenant(tenantId, () -> roles.byName(tenantId, MAX_CHOICES)).forEach(role -> choices.add(
                new RoleChoice(role.id().toString(), role.name(), role.description(), false)));
        return choices;
    }

    /**
     * A name for each key as people read it: a built-in role's display name, a custom role's name; a key that
     * names no role (a custom role deleted meanwhile) keeps the key itself.
     */
    public Map<String, String> names(UUID tenantId, Collection<String> keys) {
        var ids = keys.stream().map(RoleCatalog::customId).flatMap(Optional::stream).distinct().toList();
        Map<UUID, String> custom = new LinkedHashMap<>();
        if (!ids.isEmpty()) {
            scopes.inTenant(tenantId, () -> roles.findAll(tenantId, ids))
                    .forEach((CustomRole role) -> custom.put(role.id(), role.name()));
        }
        var names = new LinkedHashMap<String, String>();
        for (String key : keys) {
            String name = Arrays.stream(BuiltInRole.values()).filter(r -> r.key().equals(key)).findFirst()
                    .map(BuiltInRole::displayName)
                    .orElseGet(() -> customId(key).map(custom::get).orElse(key));
            names.put(key, name);
        }
        return names;
    }

    private static Optional<UUID> customId(String key) {
        if (key.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(key));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
