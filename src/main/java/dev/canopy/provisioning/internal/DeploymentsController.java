package dev.canopy.provisioning.internal;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import dev.canopy.provisioning.internal.Views.DeploymentView;
import dev.canopy.provisioning.internal.Views.RunView;
import tools.jackson.databind.JsonNode;

/** Deployments: requesting, listing, their GitHub source, tags, TTL extension, previews and destroying. */
@RestController
@RequestMapping("/api/v1/deployments")
class DeploymentsController {

    private final DeploymentDirectory directory;
    private final Runs runs;
    private final TenantTransactions scopes;

    DeploymentsController(DeploymentDirectory directory, Runs runs, TenantTransactions scopes) {
        this.directory = directory;
        this.runs = runs;
        this.scopes = scopes;
    }

    record Tags(@Nullable Map<String, String> add, @Nullable List<String> remove, @Nullable Long version) {
    }

    record Extend(@Nullable String ttl) {
    }

    /** {@code PATCH}: a field left out stays as it is, {@code null} clears it. */
    record Changes(@Nullable JsonNode repository, @Nullable JsonNode branch, @Nullable Long version) {
    }

    record EnvironmentStats(UUID environmentId, Map<String, Long> byStatus, long total) {
    }

    @Audited(action = "deployment.requested", resource = "deployment", recordRequest = false)
    @PostMapping
    ResponseEntity<DeploymentView> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            @RequestBody DeploymentDirectory.Request body) {
        DeploymentDirectory.Requested requested = directory.request(principal, body, idempotencyKey);
        DeploymentView view = DeploymentView.of(requested.deployment(), RunView.of(requested.run()));
        if (requested.replayed()) {
            return ResponseEntity.ok().header("Idempotent-Replayed", "true").body(view);
        }
        return ResponseEntity.created(URI.create("/api/v1/deployments/" + view.id())).body(view);
    }

    @GetMapping
    Page<DeploymentView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String search,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(name = "environment_id", required = false) @Nullable UUID environmentId,
            @RequestParam(name = "template_id", required = false) @Nullable UUID templateId,
            @RequestParam(name = "tag", required = false) @Nullable List<String> tags,
            @RequestParam(name = "owner_id", required = false) @Nullable UUID ownerId,
            @RequestParam(name = "business_unit_id", required = false) @Nullable UUID businessUnitId,
            @RequestParam(required = false) @Nullable String drift,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        if (status != null && !List.of(Deployment.PENDING, Deployment.ACTIVE, Deployment.FAILED,
                Deployment.DESTROYING, Deployment.DESTROYED).contains(status)) {
            throw ApiException.invalidField("status", "must be pending, active, failed, destroying or destroyed");
        }
        if (drift != null && !List.of(DriftChecks.IN_SYNC, DriftChecks.DRIFTED, DriftChecks.CHECK_FAILED)
                .contains(drift)) {
            throw ApiException.invalidField("drift", "must be in_sync, drifted or check_failed");
        }
        if (search != null && search.length() > 200) {
            throw ApiException.invalidField("search", "must be at most 200 characters");
        }
        Map<String, String> tagFilter = new LinkedHashMap<>();
        for (String tag : tags == null ? List.<String>of() : tags) {
            int eq = tag.indexOf('=');
            if (eq < 1 || eq == tag.length() - 1) {
                throw ApiException.invalidField("tag", "must be key=value");
            }
            tagFilter.put(tag.substring(0, eq), tag.substring(eq + 1));
        }
        Page<Deployment> page = directory.list(principal, new Deployments.Filter(blankToNull(search), status,
                environmentId, templateId, tagFilter, ownerId, businessUnitId, drift), PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(d -> DeploymentView.of(d, null)).toList(), page.nextCursor());
    }

    @GetMapping("/stats/by-environment")
    Page<EnvironmentStats> stats(@AuthenticationPrincipal CanopyPrincipal principal) {
        Map<UUID, Map<String, Long>> byEnvironment = new LinkedHashMap<>();
        directory.statsByEnvironment(principal).forEach(c -> byEnvironment
                .computeIfAbsent(c.environmentId(), id -> new LinkedHashMap<>()).put(c.status(), c.count()));
        return new Page<>(byEnvironment.entrySet().stream().map(e -> new EnvironmentStats(e.getKey(), e.getValue(),
                e.getValue().values().stream().mapToLong(Long::longValue).sum())).toList(), null);
    }

    @GetMapping("/{id}")
    DeploymentView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        Deployment d = directory.visible(principal, id);
        return DeploymentView.of(d, scopes.inTenant(d.tenantId(), () -> runs.latest(d.tenantId(), d.id()))
                .map(RunView::of).orElse(null));
    }

    @GetMapping("/{id}/runs")
    Page<RunView> runs(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        Deployment d = directory.visible(principal, id);
        PageRequest page = PageRequest.of(limit, cursor);
        Page<Run> found = page.page(scopes.inTenant(d.tenantId(), () -> runs.ofDeployment(d.tenantId(), d.id(),
                page.after(), page.fetchSize())), Run::id);
        return new Page<>(found.items().stream().map(RunView::of).toList(), found.nextCursor());
    }

    @Audited(action = "deployment.tags_changed", resource = "deployment")
    @PostMapping("/{id}/tags")
    DeploymentView tags(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody Tags body) {
        if (body.version() == null) {
            throw ApiException.invalidField("version", "is required (the version you read)");
        }
        return DeploymentView.of(directory.changeTags(principal, id, body.add() == null ? Map.of() : body.add(),
                body.remove() == null ? List.of() : body.remove(), body.version()), null);
    }

    @Audited(action = "deployment.updated", resource = "deployment")
    @PatchMapping("/{id}")
    DeploymentView update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody Changes body) {
        if (body.version() == null) {
            throw ApiException.invalidField("version", "is required (the version you read)");
        }
        var change = new DeploymentDirectory.CiSourceChange(body.repository() != null,
                text("repository", body.repository()), body.branch() != null, text("branch", body.branch()));
        return DeploymentView.of(directory.changeSource(change, principal, id, body.version()), null);
    }

    @Audited(action = "deployment.extended", resource = "deployment")
    @PostMapping("/{id}/extend")
    DeploymentView extend(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody Extend body) {
        return DeploymentView.of(directory.extend(principal, id, body.ttl()), null);
    }

    @Audited(action = "deployment.plan_requested", resource = "deployment")
    @PostMapping("/{id}/plan")
    ResponseEntity<RunView> plan(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(RunView.of(directory.plan(principal, id)));
    }

    @Audited(action = "deployment.destroy_requested", resource = "deployment")
    @DeleteMapping("/{id}")
    ResponseEntity<RunView> destroy(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(RunView.of(directory.destroy(principal, id)));
    }

    private static @Nullable String text(String field, @Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            throw ApiException.invalidField(field, "must be a text or null");
        }
        return node.asString();
    }

    private static @Nullable String blankToNull(@Nullable String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
