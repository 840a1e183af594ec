package dev.canopy.tenancy.internal;

import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.db.TenantSchemaUpgrades;
import dev.canopy.platform.db.TenantSchemaUpgrades.SchemaState;
import dev.canopy.platform.db.TenantSchemaUpgrades.SchemaVersion;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/** The platform administrator's view of the migrations ({@code /api/v1/admin/migrations}) and the jobs applying them. */
@RestController
class MigrationsController {

    private static final String MIGRATIONS = "/api/v1/admin/migrations";
    private static final Set<String> STATES = Set.of("behind", "failed", "current");

    private final TenantSchemaUpgrades upgrades;
    private final ApplyingMigrations applying;
    private final MigrationJobs jobs;
    private final TenantRecords tenants;
    private final DatabaseServers servers;
    private final AuditTrail audit;

    MigrationsController(TenantSchemaUpgrades upgrades, ApplyingMigrations applying, MigrationJobs jobs,
            TenantRecords tenants, DatabaseServers servers, AuditTrail audit) {
        this.upgrades = upgrades;
        this.applying = applying;
        this.jobs = jobs;
        this.tenants = tenants;
        this.servers = servers;
        this.audit = audit;
    }

    /** One server's tenant schemas: how many, how many behind the latest version, how many failed last time. */
    record ServerView(UUID id, String name, int tenantSchemas, int behind, int failed) {
    }

    /** One tenant schema: its version, how many migrations it lacks, and the error of its last failed migration. */
    record SchemaView(UUID tenantId, String schema, String version, int pending, @Nullable String failed) {
    }

    record StatusView(String latestVersion, SchemaVersion platform, SchemaVersion pool, List<ServerView> servers,
            List<SchemaView> items, @Nullable String nextCursor) {
    }

    record ApplyBody(@Nullable String scope, @Nullable List<UUID> ids, @Nullable Boolean dryRun,
            @Nullable Integer batchSize, @Nullable Integer maxParallel) {
    }

    /** One schema of a job; {@code would_apply} only in a dry run, where nothing is applied. */
    record ItemView(UUID tenantId, String schema, String fromVersion, @Nullable String toVersion,
            List<String> applied, @Nullable List<String> wouldApply, String status, @Nullable String error) {

        static ItemView of(MigrationJobs.Item item, boolean dryRun) {
            return new ItemView(item.tenantId(), item.schema(), item.fromVersion(), item.toVersion(),
                    dryRun ? List.of() : item.versions(), dryRun ? item.versions() : null, item.status(),
                    item.error());
        }
    }

    /** A job; {@code done} counts the schemas finished, failed ones included. */
    record JobView(UUID id, String status, boolean dryRun, String scope, List<UUID> ids, int batchSize,
            int maxParallel, int total, int done, int failed, Instant startedAt, @Nullable Instant finishedAt,
            @Nullable List<ItemView> items) {

        static JobView of(MigrationJobs.Job job, @Nullable List<ItemView> items) {
            return new JobView(job.id(), job.status(), job.dryRun(), job.scope(), job.ids(), job.batchSize(),
                    job.maxParallel(), job.total(), job.done(), job.failed(), job.startedAt(), job.finishedAt(),
                    items);
        }
    }

    @GetMapping(MIGRATIONS + "/status")
    StatusView status(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable String state) {
        principal.require(Permissions.PLATFORM_DATABASES_MANAGE);
        PageRequest page = PageRequest.of(limit, cursor);
        if (state != null && !STATES.contains(state)) {
            throw ApiException.invalidField("state", "must be behind, failed or current");
        }
        String latest = upgrades.latestVersion();
        Page<SchemaView> schemas = page.page(upgrades.states(state, page.after(), page.fetchSize()).stream()
                .map(s -> view(s, latest)).toList(), SchemaView::tenantId);
        return new StatusView(latest, upgrades.platform(), upgrades.pool(), serverViews(latest), schemas.items(),
                schemas.nextCursor());
    }

    @Audited(action = "migrations.apply_requested", resource = "migration_job")
    @PostMapping(MIGRATIONS + "/apply")
    ResponseEntity<JobView> apply(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            @RequestBody ApplyBody body) {
        principal.require(Permissions.PLATFORM_DATABASES_MANAGE);
        MigrationJobs.Job job = applying.start(new ApplyingMigrations.Command(body.scope(), body.ids(),
                body.dryRun(), body.batchSize(), body.maxParallel()), principal.userId(), idempotencyKey);
        audit.resource("migration_job", job.id().toString());
        audit.detail("scope", job.scope());
        audit.detail("dry_run", job.dryRun());
        audit.detail("total", job.total());
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create(MIGRATIONS + "/jobs/" + job.id()))
                .body(JobView.of(job, null));
    }

    @GetMapping(MIGRATIONS + "/jobs/{id}")
    JobView job(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.PLATFORM_DATABASES_MANAGE);
        MigrationJobs.Job job = jobs.find(id).orElseThrow(() -> ApiException.notFound("MIGRATION_JOB_NOT_FOUND",
                "No migration job " + id + "."));
        return JobView.of(job, jobs.items(id).stream().map(item -> ItemView.of(item, job.dryRun())).toList());
    }

    private SchemaView view(SchemaState s, String latest) {
        int pending = s.version().equals(latest) ? 0 : upgrades.pendingAfter(s.version()).size();
        return new SchemaView(s.tenantId(), s.schema(), s.version(), pending, s.failure());
    }

    private List<ServerView> serverViews(String latest) {
        Map<UUID, UUID> placed = tenants.schemaTierServers();
        UUID local = servers.findByName(DatabaseServer.LOCAL).map(DatabaseServer::id).orElse(null);
        Map<UUID, int[]> counts = new HashMap<>();
        for (SchemaState s : upgrades.all()) {
            UUID server = placed.getOrDefault(s.tenantId(), local);
            int[] c = counts.computeIfAbsent(server == null ? new UUID(0, 0) : server, k -> new int[3]);
            c[0]++;
            c[1] += s.version().equals(latest) ? 0 : 1;
            c[2] += s.failure() == null ? 0 : 1;
        }
        return servers.all().stream().map(server -> {
            int[] c = counts.getOrDefault(server.id(), new int[3]);
            return new ServerView(server.id(), server.name(), c[0], c[1], c[2]);
        }).toList();
    }
}
