package dev.canopy.access;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;


import dev.canopy.access.internal.BusinessUnits;
import dev.canopy.access.internal.CompiledPolicy;
import dev.canopy.access.internal.LivePermissions;
import dev.canopy.access.internal.PermissionIndex;
import dev.canopy.access.internal.PermissionRegistry;
import dev.canopy.access.internal.PolicyCache;
import dev.canopy.access.internal.PolicyChanges;
import dev.canopy.access.internal.PolicyCompiler;
import dev.canopy.access.internal.PolicySource;
import dev.canopy.access.internal.PolicySources;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.IndependentTransaction;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.Permission;
import dev.canopy.platform.web.ApiException;

/**
 * Decides what a principal may do in a tenant. A user's roles (direct and through groups), direct grants
 * and denies are compiled into a bit set over the permission registry, cached per (user, tenant) and
 * answered with one bit test. Every instance keeps a policy version per tenant, advanced by each
 * broadcast change of that tenant's roles, groups, grants or memberships ({@link ChangeBroadcast},
 * PostgreSQL LISTEN/NOTIFY); a cached policy compiled under an older version is compiled again, so a
 * change reaches every instance as fast as the notification does, and a compile racing a change can never
 * be kept.
 */
@Component
public class AccessDecisionPoint implements ChangeBroadcast.Listener {

    private final PermissionRegistry registry;
    private final PolicySources sources;
    private final TenantTransactions scopes;
    private final IndependentTransaction independent;
    private final PolicyCache cache;
    private final BusinessUnits units;
    private final Delegations delegations;
    private final ChangeBroadcast changes;
    private final Cache<UUID, Optional<UUID>> activeUnits = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(5))
            .build();

    static final String ACTIVE_UNIT_TOPIC = "active_business_unit";

    AccessDecisionPoint(PermissionRegistry registry, PolicySources sources, TenantTransactions scopes,
            IndependentTransaction independent, ChangeBroadcast changes, BusinessUnits units,
            Delegations delegations) {
        this.units = units;
        this.delegations = delegations;
        this.changes = changes;
        this.registry = registry;
        this.sources = sources;
        this.scopes = scopes;
        this.independent = independent;
        // read committed data only, never the caller's uncommitted (possibly rolled-back) changes
        this.cache = new PolicyCache(key -> PolicyCompiler.compile(registry.index(),
                sourcesOf(key.tenantId(), key.userId(), key.platformAdmin(), key.businessUnitId(),
                        key.viaTenantId())));
        changes.subscribe(this);
    }

    /**
     * Effective permission names from built-in roles alone, plus everything when the user is a platform
     * administrator. Unknown role keys grant nothing. (API keys, which hold built-in roles only.)
     */
    public Set<String> effectivePermissions(List<String> membershipRoles, boolean platformAdmin) {
        var roles = new ArrayList<BuiltInRole>();
        membershipRoles.forEach(key -> BuiltInRole.assignable(key).ifPresent(roles::add));
        if (platformAdmin) {
            roles.add(BuiltInRole.PLATFORM_ADMIN);
        }
        return Set.copyOf(BuiltInRole.permissionsOf(roles));
    }

    /**
     * A user's permissions in a tenant as a set that always answers from the current policy: roles of the
     * membership and of the user's groups, direct grants, minus direct denies. {@code contains} of a
     * qualified form ({@code deployments:delete:own}) answers for that form.
     */
    public Set<String> permissionsOf(UUID tenantId, UUID userId, boolean platformAdmin) {
        return permissionsOf(tenantId, userId, platformAdmin, null);
    }

    /** As above for a session acting in the tenant through an access grant to {@code viaTenantId}. */
    public Set<String> permissionsOf(UUID tenantId, UUID userId, boolean platformAdmin, @Nullable UUID viaTenantId) {
        PolicyCache.Key key = new PolicyCache.Key(userId, tenantId, platformAdmin, null, viaTenantId);
        return new LivePermissions(tenantId, userId, () -> cache.entry(key));
    }

    /** Whether the user may use the permission (or permission form) in the tenant. */
    public boolean allows(UUID tenantId, UUID userId, boolean platformAdmin, String permission) {
        return cache.policy(new PolicyCache.Key(userId, tenantId, platformAdmin)).allows(permission);
    }

    /**
     * Whether the principal may use the permission on a resource: with the whole permission, or with the
     * qualified form the resource matches ({@code :own} when the caller owns it, {@code :<environment>}
     * for its environment), provided no deny covers a form that applies to it.
     */
    public boolean allows(CanopyPrincipal principal, Permission permission, ResourceContext resource) {
        return decide(policyFor(principal, resource), permission.name(), principal.userId(), resource);
    }

    /**
     * The principal's policy within a business unit whether or not they work in it now (for what a unit's
     * owner may give there).
     */
    public CompiledPolicy policyIn(CanopyPrincipal principal, ResourceContext resource) {
        if (resource.businessUnitId() == null || principal.kind() != CanopyPrincipal.Kind.USER) {
            return policyOf(principal);
        }
        return cache.policy(new PolicyCache.Key(principal.userId(), principal.tenantId(), principal.platformAdmin(),
                resource.businessUnitId(), principal.viaTenantId()));
    }

    /**
     * The policy for a resource: with the business unit's sources when the resource belongs to the unit the
     * principal works in, the tenant-wide policy otherwise.
     */
    private CompiledPolicy policyFor(CanopyPrincipal principal, ResourceContext resource) {
        UUID unit = resource.businessUnitId();
        if (unit != null && activeBusinessUnit(principal).filter(unit::equals).isPresent()) {
            return cache.policy(new PolicyCache.Key(principal.userId(), principal.tenantId(),
                    principal.platformAdmin(), unit, principal.viaTenantId()));
        }
        return policyOf(principal);
    }

    /** Throws 403 {@code FORBIDDEN} unless {@link #allows(CanopyPrincipal, Permission, ResourceContext)}. */
    public void require(CanopyPrincipal principal, Permission permission, ResourceContext resource) {
        if (!allows(principal, permission, resource)) {
            throw ApiException.forbidden("This requires the permission '" + permission.name() + "'"
                    + (resource.equals(ResourceContext.NONE) ? "" : " on this resource") + ".");
        }
    }

    /** The permission forms a check of the permission on the resource looks at. */
    public static List<String> formsFor(Permission permission, UUID callerId, ResourceContext resource) {
        List<String> forms = new ArrayList<>();
        if (resource.ownerId() != null && resource.ownerId().equals(callerId)
                && permission.qualifiers().contains("own")) {
            forms.add(permission.name() + ":own");
        }
        if (resource.environment() != null && permission.qualifiers().contains(resource.environment())) {
            forms.add(permission.name() + ":" + resource.environment());
        }
        if (forms.isEmpty()) {
            forms.add(permission.name());
        }
        return forms;
    }

    /** Some applicable form is allowed and no applicable form is denied. */
    public static boolean decide(CompiledPolicy policy, String permission, UUID callerId, ResourceContext resource) {
        PermissionIndex index = policy.index();
        int base = index.slot(permission);
        if (base < 0) {
            return false;
        }
        if (resource.ownerId() == null && resource.environment() == null) {
            return policy.allows(base);
        }
        boolean allowed = false;
        for (String form : formsFor(index.form(base).permission(), callerId, resource)) {
            int slot = index.slot(form);
            if (policy.denies(slot)) {
                return false;
            }
            allowed |= policy.allows(slot);
        }
        return allowed;
    }

    /** The compiled policy behind a principal: live for users, from its built-in roles for an API key. */
    public CompiledPolicy policyOf(CanopyPrincipal principal) {
        if (principal.permissions() instanceof LivePermissions live) {
            return live.policy();
        }
        return PolicyCompiler.compile(registry.index(),
                List.of(PolicySource.role("granted", "granted", List.copyOf(principal.permissions()))));
    }

    /** Compiles the user's policy in the tenant from the database, bypassing the cache (explanations). */
    public List<PolicySource> sourcesOf(UUID tenantId, UUID userId, boolean platformAdmin,
            @Nullable UUID businessUnitId) {
        return sourcesOf(tenantId, userId, platformAdmin, businessUnitId, null);
    }

    /** As above, plus the roles access grants give a session coming from {@code viaTenantId}. */
    public List<PolicySource> sourcesOf(UUID tenantId, UUID userId, boolean platformAdmin,
            @Nullable UUID businessUnitId, @Nullable UUID viaTenantId) {
        List<PolicySource> found = new ArrayList<>(independent.run(() -> scopes.inTenant(tenantId,
                () -> sources.of(tenantId, userId, platformAdmin, businessUnitId))));
        if (viaTenantId != null) {
            var delegations = this.delegations.available(tenantId, userId, viaTenantId);
            if (!delegations.isEmpty()) {
                found.addAll(independent.run(() -> scopes.inTenant(tenantId,
                        () -> sources.delegated(tenantId, delegations))));
            }
        }
        return found;
    }

    /** The business unit the principal's session works in, if any (API keys work in none). */
    public Optional<UUID> activeBusinessUnit(CanopyPrincipal principal) {
        if (principal.kind() != CanopyPrincipal.Kind.USER) {
            return Optional.empty();
        }
        return activeUnits.get(principal.sessionId(), session -> independent.run(() -> scopes.inTenant(
                principal.tenantId(), () -> units.activeOf(principal.tenantId(), session))));
    }

    /** The code of the business unit the principal's session works in, if any (a deployment's tag). */
    public Optional<String> activeBusinessUnitCode(CanopyPrincipal principal) {
        return activeBusinessUnit(principal).flatMap(unit -> scopes.inTenant(principal.tenantId(),
                () -> units.find(principal.tenantId(), unit)).map(dev.canopy.access.internal.BusinessUnit::code));
    }

    /** Forgets the session's active business unit on every instance (it was switched). */
    public void activeBusinessUnitChanged(UUID sessionId) {
        changes.publish(ACTIVE_UNIT_TOPIC, sessionId.toString());
    }

    @Override
    public void changed(String topic, String key) {
        switch (topic) {
            case PolicyChanges.TOPIC, "tenant" -> {
                advance(key);
                // a deleted business unit takes sessions' choice of it along
                activeUnits.invalidateAll();
            }
            case ACTIVE_UNIT_TOPIC -> {
                UUID sessionId = parse(key);
                if (sessionId != null) {
                    activeUnits.invalidate(sessionId);
                }
            }
            case "membership" -> advance(key.substring(0, Math.max(0, key.indexOf(':'))));
            case "user" -> {
                UUID userId = parse(key);
                if (userId != null) {
                    cache.forgetUser(userId);
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void missedChanges() {
        activeUnits.invalidateAll();
        cache.forgetAll();
    }

    private void advance(String tenant) {
        UUID tenantId = parse(tenant);
        if (tenantId != null) {
            cache.advance(tenantId);
        }
    }

    private static @Nullable UUID parse(String text) {
        try {
            return UUID.fromString(text);
        }
        catch (IllegalArgumentException e) {
            return null;
        }
    }
}
