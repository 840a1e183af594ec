package dev.canopy.access.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.Explanation;
import dev.canopy.access.Explanation.Reason;
import dev.canopy.access.ResourceContext;
import dev.canopy.platform.security.Permission;
import dev.canopy.platform.web.ApiException;

/**
 * Explains decisions from the same sources the decision point compiles, and checks that the explanation
 * agrees with the compiled answer: an explanation that could disagree with the decision would be worse
 * than none.
 */
@Component
public class Explaining {

    private final AccessDecisionPoint decisions;
    private final PermissionRegistry registry;

    Explaining(AccessDecisionPoint decisions, PermissionRegistry registry) {
        this.decisions = decisions;
        this.registry = registry;
    }

    public Explanation explain(UUID tenantId, UUID userId, boolean platformAdmin, String permissionName,
            ResourceContext resource) {
        return explain(tenantId, userId, platformAdmin, null, permissionName, resource);
    }

    /** As above for a session acting through an access grant to {@code viaTenantId} (null: as a member). */
    public Explanation explain(UUID tenantId, UUID userId, boolean platformAdmin,
            @org.jspecify.annotations.Nullable UUID viaTenantId, String permissionName, ResourceContext resource) {
        PermissionIndex index = registry.index();
        int slot = index.slot(permissionName);
        if (slot < 0) {
            throw new ApiException(org.springframework.http.HttpStatus.BAD_REQUEST, "UNKNOWN_PERMISSION",
                    "Unknown permission.", List.of(new ApiException.FieldError("permission",
                            "is not a registered permission")));
        }
        PermissionIndex.Form form = index.form(slot);
        Permission permission = form.permission();
        List<String> forms = form.qualifier() != null ? List.of(form.name())
                : AccessDecisionPoint.formsFor(permission, userId, resource);
        List<PolicySource> sources = decisions.sourcesOf(tenantId, userId, platformAdmin, resource.businessUnitId(),
                viaTenantId);
        CompiledPolicy policy = PolicyCompiler.compile(index, sources);

        List<Reason> allows = new ArrayList<>();
        List<Reason> denies = new ArrayList<>();
        for (PolicySource source : sources) {
            for (String f : forms) {
                int s = index.slot(f);
                if (source.kind() == PolicySource.Kind.PLATFORM_ADMIN) {
                    allows.add(reason(source, "*"));
                    break;
                }
                String pattern = coveringPattern(index, source, s);
                if (pattern != null) {
                    (source.deny() ? denies : allows).add(reason(source, pattern));
                    break;
                }
            }
        }
        boolean allowed = denies.isEmpty() && !allows.isEmpty();
        boolean compiled = form.qualifier() != null ? policy.allows(slot)
                : AccessDecisionPoint.decide(policy, form.name(), userId, resource);
        if (allowed != compiled) {
            throw new IllegalStateException("Explanation disagrees with the compiled policy for " + permissionName);
        }
        String summary = allowed ? "Allowed by " + allows.size() + " source(s)."
                : !denies.isEmpty() ? "Denied: a deny wins over every allow."
                : "Denied: no role, group or grant allows it.";
        return new Explanation(userId, tenantId, permissionName, resource, allowed, forms,
                allowed ? allows : denies, summary);
    }

    /** Every allowed permission form, listed minimally, with the sources that allow it; and the denied ones. */
    public List<Explanation.Effective> effective(UUID tenantId, UUID userId, boolean platformAdmin,
            @org.jspecify.annotations.Nullable UUID viaTenantId, boolean denied) {
        PermissionIndex index = registry.index();
        List<PolicySource> sources = decisions.sourcesOf(tenantId, userId, platformAdmin, null, viaTenantId);
        CompiledPolicy policy = PolicyCompiler.compile(index, sources);
        List<Explanation.Effective> result = new ArrayList<>();
        List<String> names = denied ? deniedNames(policy) : policy.names();
        for (String name : names) {
            int slot = index.slot(name);
            List<Reason> reasons = new ArrayList<>();
            for (PolicySource source : sources) {
                if (source.deny() != denied) {
                    continue;
                }
                if (source.kind() == PolicySource.Kind.PLATFORM_ADMIN) {
                    reasons.add(reason(source, "*"));
                    continue;
                }
                String pattern = coveringPattern(index, source, slot);
                if (pattern != null) {
                    reasons.add(reason(source, pattern));
                }
            }
            result.add(new Explanation.Effective(name, reasons));
        }
        return result;
    }

    private static List<String> deniedNames(CompiledPolicy policy) {
        List<String> names = new ArrayList<>();
        boolean baseDenied = false;
        for (PermissionIndex.Form form : policy.index().forms()) {
            if (form.qualifier() == null) {
                baseDenied = policy.denies(form.slot());
                if (baseDenied) {
                    names.add(form.name());
                }
            }
            else if (!baseDenied && policy.denies(form.slot())) {
                names.add(form.name());
            }
        }
        return names;
    }

    private static @org.jspecify.annotations.Nullable String coveringPattern(PermissionIndex index,
            PolicySource source, int slot) {
        for (String pattern : source.patterns()) {
            if (PermissionIndex.get(index.mask(pattern), slot)) {
                return pattern;
            }
        }
        return null;
    }

    private static Reason reason(PolicySource source, String pattern) {
        return new Reason(source.kind().json(), source.id(), source.name(), source.groupId(), source.groupName(),
                source.businessUnitId(), pattern, source.deny() ? "deny" : "allow", source.expiresAt());
    }
}
