package dev.canopy.provisioning.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.Permissions;
import dev.canopy.access.RoleCatalog;
import dev.canopy.cloud.CloudAccountCredentials;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;

/** The use cases of environments: listing, defining and changing their protection, removing unused ones. */
@Service
class EnvironmentDirectory {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
    static final Pattern TAG_KEY = Pattern.compile("[a-z][a-z0-9_.-]{0,62}");
    private static final Duration MAX_APPROVAL_TIMEOUT = Duration.ofDays(30);
    private static final Duration MAX_TTL = Duration.ofDays(366);

    /** What a create or change asks for; null fields keep their value (or take the default on create). */
    record Draft(@Nullable String name, @Nullable String description, @Nullable UUID cloudAccountId,
            boolean clearCloudAccount, @Nullable Integer requiredApprovals, @Nullable List<String> approverRoles,
            @Nullable Boolean allowSelfApproval, @Nullable String approvalTimeout, @Nullable String ttlDefault,
            @Nullable String ttlMax, boolean clearTtlDefault, boolean clearTtlMax,
            @Nullable List<String> requiredTags, @Nullable String driftCheck, boolean clearDriftCheck) {
    }

    private final Environments environments;
    private final TenantTransactions scopes;
    private final AccessDecisionPoint decisions;
    private final RoleCatalog roles;
    private final CloudAccountCredentials accounts;
    private final DriftChecks drift;

    EnvironmentDirectory(Environments environments, TenantTransactions scopes, AccessDecisionPoint decisions,
            RoleCatalog roles, CloudAccountCredentials accounts, DriftChecks drift) {
        this.drift = drift;
        this.environments = environments;
        this.scopes = scopes;
        this.decisions = decisions;
        this.roles = roles;
        this.accounts = accounts;
    }

    List<Environment> list(CanopyPrincipal principal) {
        principal.require(Permissions.ENVIRONMENTS_LIST);
        UUID unit = decisions.activeBusinessUnit(principal).orElse(null);
        return scopes.inTenant(principal.tenantId(), () -> environments.list(principal.tenantId(), unit));
    }

    Environment get(CanopyPrincipal principal, UUID id) {
        principal.require(Permissions.ENVIRONMENTS_LIST);
        return find(principal.tenantId(), id);
    }

    Environment find(UUID tenantId, UUID id) {
        return scopes.inTenant(tenantId, () -> environments.find(tenantId, id))
                .orElseThrow(() -> ApiException.notFound("ENVIRONMENT_NOT_FOUND", "No environment " + id
                        + " in this tenant."));
    }

    /** A new environment; created while working in a business unit, it belongs to that unit. */
    Environment create(CanopyPrincipal principal, Draft draft) {
        principal.require(Permissions.ENVIRONMENTS_MANAGE);
        UUID tenantId = principal.tenantId();
        Instant now = Instant.now();
        var base = new Environment(tenantId, Ids.newId(), "", "", null,
                decisions.activeBusinessUnit(principal).orElse(null), Protection.NONE, now, now, 0);
        if (draft.name() == null) {
            throw ApiException.invalidField("name", "is required");
        }
        Environment environment = apply(base, draft);
        try {
            scopes.inTenant(tenantId, () -> environments.insert(environment));
        }
        catch (DuplicateKeyException e) {
            throw nameTaken(environment.name());
        }
        return find(tenantId, environment.id());
    }

    Environment update(CanopyPrincipal principal, UUID id, Draft draft, long version) {
        principal.require(Permissions.ENVIRONMENTS_MANAGE);
        Environment changed = apply(find(principal.tenantId(), id), draft);
        boolean written;
        try {
            written = scopes.inTenant(principal.tenantId(), () -> environments.update(changed, version));
        }
        catch (DuplicateKeyException e) {
            throw nameTaken(changed.name());
        }
        if (!written) {
            throw ApiException.conflict("VERSION_CONFLICT", "The environment was changed by someone else; reload it.");
        }
        if (changed.driftCheck() != null) {
            scopes.inTenant(principal.tenantId(), () -> drift.checkEvery(changed));
        }
        return find(principal.tenantId(), id);
    }

    void delete(CanopyPrincipal principal, UUID id) {
        principal.require(Permissions.ENVIRONMENTS_MANAGE);
        UUID tenantId = principal.tenantId();
        scopes.inTenant(tenantId, () -> {
            find(tenantId, id);
            if (environments.hasDeployments(tenantId, id)) {
                throw ApiException.conflict("ENVIRONMENT_IN_USE", "Deployments were made in this environment; "
                        + "an environment with history cannot be deleted.");
            }
            environments.delete(tenantId, id);
        });
    }

    /** The environments every tenant starts with. */
    void createDefaults(UUID tenantId) {
        Instant now = Instant.now();
        scopes.inTenant(tenantId, () -> {
            environments.insert(new Environment(tenantId, Ids.newId(), "development", "For trying things out", null,
                    null, new Protection(0, List.of(), false, Duration.ofDays(2), Duration.ofDays(7), null, List.of()),
                    now, now, 0));
            environments.insert(new Environment(tenantId, Ids.newId(), "staging", "For testing before production",
                    null, null, Protection.NONE, now, now, 0));
            environments.insert(new Environment(tenantId, Ids.newId(), "production", "What customers use", null,
                    null, new Protection(1, List.of("tenant_admin"), false, Duration.ofDays(2), null, null,
                            List.of()), now, now, 0));
        });
    }

    /** The environment with the draft's changes, every field checked (all problems listed at once). */
    private Environment apply(Environment current, Draft d) {
        var errors = new ArrayList<FieldError>();
        String name = d.name() != null ? d.name() : current.name();
        if (!NAME.matcher(name).matches()) {
            errors.add(new FieldError("name", "must be 1 to 40 lower-case letters, digits, '-' or '_'"));
        }
        String description = d.description() != null ? d.description() : current.description();
        if (description.length() > 500) {
            errors.add(new FieldError("description", "must be at most 500 characters"));
        }
        UUID account = d.clearCloudAccount() ? null : d.cloudAccountId() != null ? d.cloudAccountId()
                : current.cloudAccountId();
        if (d.cloudAccountId() != null) {
            accounts.find(current.tenantId(), d.cloudAccountId()).ifPresentOrElse(a -> {
                if (!a.environments().isEmpty() && !a.environments().contains(name)) {
                    errors.add(new FieldError("cloud_account_id", "is meant for " + String.join(", ",
                            a.environments()) + ", not for " + name));
                }
            }, () -> errors.add(new FieldError("cloud_account_id", "is not a cloud account of this tenant")));
        }
        Protection p = current.protection();
        int approvals = d.requiredApprovals() != null ? d.requiredApprovals() : p.requiredApprovals();
        if (approvals < 0 || approvals > 10) {
            errors.add(new FieldError("protection.required_approvals", "must be between 0 and 10"));
        }
        List<String> approverRoles = d.approverRoles() != null ? d.approverRoles() : p.approverRoles();
        if (approverRoles.size() > 20) {
            errors.add(new FieldError("protection.approver_roles", "may name at most 20 roles"));
        }
        for (String role : approverRoles) {
            if (role == null || !roles.assignable(current.tenantId(), role)) {
                errors.add(new FieldError("protection.approver_roles", "names no role of this tenant: " + role));
            }
        }
        if (approvals > 0 && approverRoles.isEmpty()) {
            errors.add(new FieldError("protection.approver_roles", "must name at least one role when approvals "
                    + "are required"));
        }
        boolean self = d.allowSelfApproval() != null ? d.allowSelfApproval() : p.allowSelfApproval();
        Duration timeout = p.approvalTimeout();
        Duration ttlDefault = d.clearTtlDefault() ? null : p.ttlDefault();
        Duration ttlMax = d.clearTtlMax() ? null : p.ttlMax();
        timeout = orElse(IsoDurations.parse("protection.approval_timeout", d.approvalTimeout(),
                MAX_APPROVAL_TIMEOUT, errors), timeout);
        ttlDefault = orElse(IsoDurations.parse("protection.ttl_default", d.ttlDefault(), MAX_TTL, errors), ttlDefault);
        ttlMax = orElse(IsoDurations.parse("protection.ttl_max", d.ttlMax(), MAX_TTL, errors), ttlMax);
        if (ttlDefault != null && ttlMax != null && ttlDefault.compareTo(ttlMax) > 0) {
            errors.add(new FieldError("protection.ttl_default", "must not be longer than ttl_max"));
        }
        List<String> tags = d.requiredTags() != null ? d.requiredTags() : p.requiredTags();
        if (tags.size() > 20) {
            errors.add(new FieldError("protection.required_tags", "may name at most 20 tags"));
        }
        for (String tag : tags) {
            if (tag == null || !TAG_KEY.matcher(tag).matches()) {
                errors.add(new FieldError("protection.required_tags", "is not a tag name: " + tag));
            }
        }
        Duration drift = orElse(IsoDurations.parse("drift_check", d.driftCheck(), MAX_APPROVAL_TIMEOUT, errors),
                d.clearDriftCheck() ? null : current.driftCheck());
        if (!errors.isEmpty()) {
            throw new ApiException(org.springframework.http.HttpStatus.BAD_REQUEST, "VALIDATION_FAILED",
                    "Some fields are invalid.", errors);
        }
        return new Environment(current.tenantId(), current.id(), name, description, account,
                current.businessUnitId(), new Protection(approvals, approverRoles, self, timeout, ttlDefault, ttlMax,
                        tags), drift, current.createdAt(), Instant.now(), current.version());
    }

    private static @Nullable Duration orElse(@Nullable Duration given, @Nullable Duration otherwise) {
        return given != null ? given : otherwise;
    }

    private static ApiException nameTaken(String name) {
        return ApiException.conflict("ENVIRONMENT_NAME_TAKEN", "This tenant already has an environment named '"
                + name + "'.");
    }
}
