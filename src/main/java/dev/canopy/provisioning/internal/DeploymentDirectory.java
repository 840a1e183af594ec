package dev.canopy.provisioning.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.Permissions;
import dev.canopy.access.ResourceContext;
import dev.canopy.audit.AuditTrail;
import dev.canopy.catalog.ProvisionableVersion;
import dev.canopy.catalog.TemplateCatalog;
import dev.canopy.catalog.ValidatedInputs;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.Permission;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The use cases of deployments: requesting one, finding them, tagging, extending and destroying them. */
@Service
class DeploymentDirectory {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");
    static final String BUSINESS_UNIT_TAG = "business_unit";

    /** What {@code POST /api/v1/deployments} asks for. */
    record Request(@Nullable String name, @Nullable UUID templateId, @Nullable String version,
            @Nullable UUID environmentId, @Nullable ObjectNode inputs, @Nullable Map<String, String> tags,
            @Nullable String costCenter, @Nullable String projectCode, @Nullable String ttl) {

        @Override
        public String toString() {
            return "Request[" + name + "]"; // never the inputs
        }
    }

    /** A deployment just requested (or found again by its idempotency key) with its first run. */
    record Requested(Deployment deployment, Run run, boolean replayed) {
    }

    private final Deployments deployments;
    private final Runs runs;
    private final EnvironmentDirectory environments;
    private final RunLifecycle lifecycle;
    private final TemplateCatalog catalog;
    private final Secrets secrets;
    private final TenantTransactions scopes;
    private final AccessDecisionPoint decisions;
    private final AuditTrail audit;
    private final ProvisioningEvents events;

    DeploymentDirectory(Deployments deployments, Runs runs, EnvironmentDirectory environments,
            RunLifecycle lifecycle, TemplateCatalog catalog, Secrets secrets, TenantTransactions scopes,
            AccessDecisionPoint decisions, AuditTrail audit, ProvisioningEvents events) {
        this.events = events;
        this.deployments = deployments;
        this.runs = runs;
        this.environments = environments;
        this.lifecycle = lifecycle;
        this.catalog = catalog;
        this.secrets = secrets;
        this.scopes = scopes;
        this.decisions = decisions;
        this.audit = audit;
    }

    static SecretBinding inputsBinding(UUID tenantId, UUID deploymentId) {
        return SecretBinding.tenant(tenantId, "deployments", deploymentId.toString());
    }

    Requested request(CanopyPrincipal principal, Request r, @Nullable String idempotencyKey) {
        UUID tenantId = principal.tenantId();
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw ApiException.badRequest("IDEMPOTENCY_KEY_INVALID", "Idempotency-Key must be 1 to 200 visible "
                    + "ASCII characters.");
        }
        String hash = hash(r);
        if (idempotencyKey != null) {
            Optional<Requested> earlier = earlier(principal, idempotencyKey, hash);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        var errors = new ArrayList<FieldError>();
        if (r.name() == null || r.name().isBlank() || r.name().length() > 100) {
            errors.add(new FieldError("name", "is required, 1 to 100 characters"));
        }
        if (r.templateId() == null) {
            errors.add(new FieldError("template_id", "is required"));
        }
        if (r.environmentId() == null) {
            errors.add(new FieldError("environment_id", "is required"));
        }
        if (r.costCenter() != null && r.costCenter().length() > 100) {
            errors.add(new FieldError("cost_center", "must be at most 100 characters"));
        }
        if (r.projectCode() != null && r.projectCode().length() > 100) {
            errors.add(new FieldError("project_code", "must be at most 100 characters"));
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        Environment environment = environments.find(tenantId, r.environmentId());
        UUID unit = decisions.activeBusinessUnit(principal).orElse(null);
        if (environment.businessUnitId() != null && !environment.businessUnitId().equals(unit)) {
            throw ApiException.notFound("ENVIRONMENT_NOT_FOUND", "No environment " + environment.id()
                    + " in this tenant.");
        }
        decisions.require(principal, Permissions.DEPLOYMENTS_CREATE, new ResourceContext(principal.userId(),
                environment.name(), unit));
        ProvisionableVersion version = catalog.provisionable(principal, r.templateId(), r.version());
        ValidatedInputs inputs = catalog.validate(version, r.inputs() == null ? JSON.createObjectNode()
                : r.inputs());
        Map<String, String> tags = tags(r.tags(), errors);
        requireTags(r.tags(), environment, errors);
        decisions.activeBusinessUnitCode(principal).ifPresent(code -> tags.put(BUSINESS_UNIT_TAG, code));
        Instant expiresAt = expiry(r.ttl(), environment.protection(), errors);
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        UUID id = Ids.newId();
        Instant now = Instant.now();
        var deployment = new Deployment(tenantId, id, r.name().strip(), version.ownerTenantId(), version.templateId(),
                version.templateName(), version.driver(), version.version(), version.digest(), environment.id(), unit,
                principal.userId(), principal.email(), inputs.masked(),
                secrets.sealText(inputsBinding(tenantId, id), JSON.writeValueAsString(inputs.values())),
                List.copyOf(inputs.secretPointers()), tags, r.costCenter(), r.projectCode(), Deployment.PENDING,
                expiresAt, JSON.createObjectNode(), idempotencyKey, hash, now, now, 0, null, null, null);
        Run run;
        try {
            run = scopes.inTenant(tenantId, () -> {
                deployments.insert(deployment);
                Run first = lifecycle.request(deployment, environment, Run.APPLY, requester(principal), null);
                events.requested(deployment, first);
                return first;
            });
        }
        catch (DuplicateKeyException e) {
            if (idempotencyKey != null) {
                Optional<Requested> raced = earlier(principal, idempotencyKey, hash);
                if (raced.isPresent()) {
                    return raced.get();
                }
            }
            throw ApiException.conflict("DEPLOYMENT_NAME_TAKEN", "A live deployment of this tenant is named '"
                    + deployment.name() + "'.");
        }
        audit.resource("deployment", id.toString());
        audit.detail("environment", environment.name());
        audit.detail("template", version.templateName() + "@" + version.version());
        audit.detail("run_id", run.id().toString());
        return new Requested(get(tenantId, id), run, false);
    }

    /** The deployment an earlier request with this key made, if the request was the same; 409 if it was not. */
    private Optional<Requested> earlier(CanopyPrincipal principal, String key, String hash) {
        UUID tenantId = principal.tenantId();
        return scopes.inTenant(tenantId, () -> deployments.findByIdempotencyKey(tenantId, principal.userId(), key))
                .map(d -> {
                    if (!hash.equals(d.requestHash())) {
                        throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "IDEMPOTENCY_KEY_REUSED", "This "
                                + "Idempotency-Key was used for a different request.");
                    }
                    Run first = scopes.inTenant(tenantId, () -> runs.ofDeployment(tenantId, d.id(), null, 1))
                            .getFirst();
                    return new Requested(d, first, true);
                });
    }

    /** The given tags that are valid, the others reported as field errors. */
    private static Map<String, String> tags(@Nullable Map<String, String> given, List<FieldError> errors) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (given != null) {
            if (given.size() > 50) {
                errors.add(new FieldError("tags", "may hold at most 50 tags"));
            }
            given.forEach((key, value) -> {
                if (!EnvironmentDirectory.TAG_KEY.matcher(key).matches() || key.equals(BUSINESS_UNIT_TAG)) {
                    errors.add(new FieldError("tags." + key, key.equals(BUSINESS_UNIT_TAG)
                            ? "is set by Canopy from the business unit you work in"
                            : "is not a tag name (lower-case letters, digits, '_', '.', '-')"));
                }
                else if (value == null || value.isBlank() || value.length() > 256) {
                    errors.add(new FieldError("tags." + key, "must have a value of 1 to 256 characters"));
                }
                else {
                    tags.put(key, value);
                }
            });
        }
        return tags;
    }

    private static void requireTags(@Nullable Map<String, String> given, Environment environment,
            List<FieldError> errors) {
        for (String required : environment.protection().requiredTags()) {
            if (given == null || given.get(required) == null || given.get(required).isBlank()) {
                errors.add(new FieldError("tags." + required, "is required in " + environment.name()));
            }
        }
    }

    private static @Nullable Instant expiry(@Nullable String ttl, Protection protection, List<FieldError> errors) {
        Duration wanted = IsoDurations.parse("ttl", ttl, Duration.ofDays(366), errors);
        if (ttl != null && wanted == null) {
            return null; // refused, and said so in errors
        }
        Duration effective = wanted != null ? wanted : protection.ttlDefault();
        if (effective == null) {
            return null;
        }
        if (protection.ttlMax() != null && effective.compareTo(protection.ttlMax()) > 0) {
            errors.add(new FieldError("ttl", "must be at most " + IsoDurations.format(protection.ttlMax())
                    + " in this environment"));
            return null;
        }
        return Instant.now().plus(effective);
    }

    Deployment get(UUID tenantId, UUID id) {
        return scopes.inTenant(tenantId, () -> deployments.find(tenantId, id))
                .orElseThrow(() -> notFound(id));
    }

    /** The deployment if the principal may see it ({@code deployments:read}, or {@code :own} for their own). */
    Deployment visible(CanopyPrincipal principal, UUID id) {
        Deployment d = get(principal.tenantId(), id);
        if (!decisions.allows(principal, Permissions.DEPLOYMENTS_READ, context(d, principal))) {
            throw notFound(id);
        }
        return d;
    }

    Page<Deployment> list(CanopyPrincipal principal, Deployments.Filter filter, PageRequest page) {
        UUID own = ownerScope(principal);
        Deployments.Filter f = own == null ? filter : new Deployments.Filter(filter.search(), filter.status(),
                filter.environmentId(), filter.templateId(), filter.tags(), own, filter.businessUnitId(),
                filter.drift());
        return page.page(scopes.inTenant(principal.tenantId(), () -> deployments.list(principal.tenantId(), f,
                page.after(), page.fetchSize())), Deployment::id);
    }

    /** The run if the principal may see its deployment; 404 {@code RUN_NOT_FOUND} otherwise. */
    Run visibleRun(CanopyPrincipal principal, UUID id) {
        Run run = scopes.inTenant(principal.tenantId(), () -> runs.find(principal.tenantId(), id))
                .orElseThrow(() -> RunLifecycle.notFound(id));
        try {
            visible(principal, run.deploymentId());
        }
        catch (ApiException e) {
            throw RunLifecycle.notFound(id);
        }
        return run;
    }

    List<Deployments.EnvironmentCount> statsByEnvironment(CanopyPrincipal principal) {
        UUID own = ownerScope(principal);
        return scopes.inTenant(principal.tenantId(), () -> deployments.countByEnvironment(principal.tenantId(), own));
    }

    /**
     * Whose deployments the principal may list: everyone's (null) with {@code deployments:list}, only their own with
     * {@code deployments:list:own}; 403 otherwise.
     */
    private @Nullable UUID ownerScope(CanopyPrincipal principal) {
        if (principal.can(Permissions.DEPLOYMENTS_LIST)) {
            return null;
        }
        if (!decisions.allows(principal, Permissions.DEPLOYMENTS_LIST, ResourceContext.ownedBy(principal.userId()))) {
            throw ApiException.forbidden("This requires the permission 'deployments:list'.");
        }
        return principal.userId();
    }

    Deployment changeTags(CanopyPrincipal principal, UUID id, Map<String, String> add, List<String> remove,
            long version) {
        Deployment d = visible(principal, id);
        require(principal, Permissions.DEPLOYMENTS_UPDATE, d);
        var errors = new ArrayList<FieldError>();
        Environment environment = environments.find(principal.tenantId(), d.environmentId());
        Map<String, String> tags = new LinkedHashMap<>(d.tags());
        remove.forEach(key -> {
            if (environment.protection().requiredTags().contains(key) || key.equals(BUSINESS_UNIT_TAG)) {
                errors.add(new FieldError("remove", "'" + key + "' cannot be removed: "
                        + (key.equals(BUSINESS_UNIT_TAG) ? "Canopy sets it" : "the environment requires it")));
            }
            tags.remove(key);
        });
        tags.putAll(tags(add, errors));
        if (tags.size() > 51) {
            errors.add(new FieldError("tags", "may hold at most 50 tags"));
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        if (!scopes.inTenant(principal.tenantId(), () -> deployments.setTags(principal.tenantId(), id, tags,
                version))) {
            throw ApiException.conflict("VERSION_CONFLICT", "The deployment was changed meanwhile; reload it.");
        }
        return get(principal.tenantId(), id);
    }

    /** Starts the destroy run ({@code DELETE /api/v1/deployments/{id}}). */
    Run destroy(CanopyPrincipal principal, UUID id) {
        Deployment d = visible(principal, id);
        require(principal, Permissions.DEPLOYMENTS_DELETE, d);
        if (d.status().equals(Deployment.DESTROYED)) {
            throw ApiException.conflict("DEPLOYMENT_DESTROYED", "The deployment is destroyed already.");
        }
        if (d.status().equals(Deployment.DESTROYING)) {
            throw ApiException.conflict("DEPLOYMENT_DESTROYING", "A destroy run of this deployment is under way.");
        }
        Environment environment = environments.find(principal.tenantId(), d.environmentId());
        return scopes.inTenant(principal.tenantId(), () -> lifecycle.request(d, environment, Run.DESTROY,
                requester(principal), null));
    }

    /** A preview run: what an apply would change now, changing nothing. */
    Run plan(CanopyPrincipal principal, UUID id) {
        Deployment d = visible(principal, id);
        if (d.status().equals(Deployment.DESTROYED)) {
            throw ApiException.conflict("DEPLOYMENT_DESTROYED", "The deployment is destroyed.");
        }
        Environment environment = environments.find(principal.tenantId(), d.environmentId());
        return scopes.inTenant(principal.tenantId(), () -> lifecycle.request(d, environment, Run.PLAN,
                requester(principal), null));
    }

    /** Sets the TTL anew, counted from now, within the environment's maximum. */
    Deployment extend(CanopyPrincipal principal, UUID id, @Nullable String ttl) {
        Deployment d = visible(principal, id);
        require(principal, Permissions.DEPLOYMENTS_UPDATE, d);
        if (ttl == null) {
            throw ApiException.invalidField("ttl", "is required (an ISO-8601 duration such as P3D)");
        }
        if (d.status().equals(Deployment.DESTROYED) || d.status().equals(Deployment.DESTROYING)) {
            throw ApiException.conflict("DEPLOYMENT_DESTROYED", "The deployment is destroyed or being destroyed.");
        }
        Environment environment = environments.find(principal.tenantId(), d.environmentId());
        var errors = new ArrayList<FieldError>();
        Instant expiresAt = expiry(ttl, environment.protection(), errors);
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        scopes.inTenant(principal.tenantId(), () -> {
            deployments.setExpiry(principal.tenantId(), id, expiresAt);
            if (d.status().equals(Deployment.ACTIVE)) {
                lifecycle.rescheduleExpiry(principal.tenantId(), id, expiresAt);
            }
        });
        audit.detail("expires_at", expiresAt.toString());
        return get(principal.tenantId(), id);
    }

    void require(CanopyPrincipal principal, Permission permission, Deployment d) {
        decisions.require(principal, permission, context(d, principal));
    }

    private ResourceContext context(Deployment d, CanopyPrincipal principal) {
        Environment environment = environments.find(principal.tenantId(), d.environmentId());
        return new ResourceContext(d.ownerId(), environment.name(), d.businessUnitId());
    }

    static RunLifecycle.Requester requester(CanopyPrincipal principal) {
        return new RunLifecycle.Requester(principal.userId(), principal.email());
    }

    private static String hash(Request r) {
        return JsonDigest.sha256(JSON.valueToTree(r));
    }

    private static ApiException invalid(List<FieldError> errors) {
        boolean ttl = errors.stream().anyMatch(e -> e.field().equals("ttl") && e.message().startsWith("must be at most"));
        boolean tags = errors.stream().anyMatch(e -> e.field().startsWith("tags.") && e.message().startsWith("is required"));
        String code = ttl ? "TTL_TOO_LONG" : tags ? "REQUIRED_TAGS_MISSING" : "VALIDATION_FAILED";
        return new ApiException(HttpStatus.BAD_REQUEST, code, "Some fields are invalid.", errors);
    }

    static ApiException notFound(UUID id) {
        return ApiException.notFound("DEPLOYMENT_NOT_FOUND", "No deployment " + id + " in this tenant.");
    }
}
