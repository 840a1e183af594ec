package dev.canopy.tenancy.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantSchemaUpgrades;
import dev.canopy.platform.db.TenantSchemaUpgrades.SchemaState;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;
import dev.canopy.tenancy.Tenant;
import jakarta.annotation.PreDestroy;

/**
 * A platform administrator applying the tenant migrations to a set of tenant schemas: the whole platform, the schemas
 * on some servers, or some tenants. The job is stored with one item per schema, then runs in the background in
 * batches of {@code batch_size} schemas, at most {@code max_parallel} at once; a schema that fails stops only itself.
 * A dry run reads each schema's history and records what would run.
 */
@Service
class ApplyingMigrations {

    private static final Logger log = LoggerFactory.getLogger(ApplyingMigrations.class);

    static final Set<String> SCOPES = Set.of("all", "server", "tenant");
    static final int MAX_IDS = 1000;
    static final int MAX_BATCH = 1000;
    static final int MAX_PARALLEL = 8;
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

    private final TenantSchemaUpgrades upgrades;
    private final TenantMoves moves;
    private final MigrationJobs jobs;
    private final TenantRecords tenants;
    private final DatabaseServers servers;
    private final ExecutorService runners = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("canopy-migration-job-", 0).factory());

    ApplyingMigrations(TenantSchemaUpgrades upgrades, MigrationJobs jobs, TenantRecords tenants,
            DatabaseServers servers, TenantMoves moves) {
        this.moves = moves;
        this.upgrades = upgrades;
        this.jobs = jobs;
        this.tenants = tenants;
        this.servers = servers;
    }

    /** What was asked for, as sent; absent options take their defaults. */
    record Command(@Nullable String scope, @Nullable List<UUID> ids, @Nullable Boolean dryRun,
            @Nullable Integer batchSize, @Nullable Integer maxParallel) {
    }

    /**
     * Validates the command, stores the job and starts it once the calling transaction commits. A repeated
     * Idempotency-Key answers the job it started (422 if the request was another).
     */
    MigrationJobs.Job start(Command command, @Nullable UUID requestedBy, @Nullable String idempotencyKey) {
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw ApiException.badRequest("IDEMPOTENCY_KEY_INVALID", "Idempotency-Key must be 1 to 200 visible "
                    + "ASCII characters.");
        }
        List<FieldError> errors = new ArrayList<>();
        String scope = command.scope();
        if (scope == null) {
            errors.add(new FieldError("scope", "is required: all, server or tenant"));
        }
        else if (!SCOPES.contains(scope)) {
            errors.add(new FieldError("scope", "must be all, server or tenant"));
        }
        List<UUID> ids = command.ids() == null ? List.of() : List.copyOf(new LinkedHashSet<>(command.ids()));
        if (scope != null && SCOPES.contains(scope) && !scope.equals("all") && ids.isEmpty()) {
            errors.add(new FieldError("ids", "are required for scope " + scope));
        }
        if ("all".equals(scope) && !ids.isEmpty()) {
            errors.add(new FieldError("ids", "are not taken for scope all"));
        }
        if (ids.size() > MAX_IDS) {
            errors.add(new FieldError("ids", "must be at most " + MAX_IDS));
        }
        int batchSize = command.batchSize() == null ? 50 : command.batchSize();
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            errors.add(new FieldError("batch_size", "must be 1 to " + MAX_BATCH));
        }
        int maxParallel = command.maxParallel() == null ? 2 : command.maxParallel();
        if (maxParallel < 1 || maxParallel > MAX_PARALLEL) {
            errors.add(new FieldError("max_parallel", "must be 1 to " + MAX_PARALLEL));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "Some fields are invalid.", errors);
        }
        boolean dryRun = Boolean.TRUE.equals(command.dryRun());
        String request = String.join("|", scope, ids.stream().map(UUID::toString).sorted().toList().toString(),
                String.valueOf(dryRun), String.valueOf(batchSize), String.valueOf(maxParallel));
        if (idempotencyKey != null) {
            var earlier = jobs.findByIdempotencyKey(requestedBy, idempotencyKey);
            if (earlier.isPresent()) {
                if (!earlier.get().getValue().equals(request)) {
                    throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "IDEMPOTENCY_KEY_REUSED",
                            "This Idempotency-Key was used for a different request.");
                }
                return earlier.get().getKey();
            }
        }
        List<SchemaState> schemas = switch (scope) {
            case "server" -> onServers(ids);
            case "tenant" -> ofTenants(ids);
            default -> upgrades.all();
        };
        var running = moves.runningTenants();
        List<UUID> moving = schemas.stream().map(SchemaState::tenantId).filter(running::contains).toList();
        if (!dryRun && !moving.isEmpty()) {
            // a move copies between the schema and the pool: their tables must not change shape meanwhile
            throw ApiException.conflict("MOVE_IN_PROGRESS", "Tenants " + moving + " are being moved; migrate them "
                    + "once their moves are done.");
        }
        var job = new MigrationJobs.Job(Ids.newId(), "running", dryRun, scope, ids, batchSize, maxParallel,
                schemas.size(), 0, 0, Instant.now().truncatedTo(ChronoUnit.MICROS), null);
        jobs.insert(job, new MigrationJobs.Requested(requestedBy, idempotencyKey, request), schemas);
        AfterCommit.run(() -> runners.submit(() -> run(job)));
        return job;
    }

    private List<SchemaState> onServers(List<UUID> serverIds) {
        List<UUID> unknown = serverIds.stream().filter(id -> servers.find(id).isEmpty()).toList();
        if (!unknown.isEmpty()) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "DATABASE_SERVER_UNKNOWN",
                    "No database server " + unknown + ".", List.of(new FieldError("ids", "name unknown servers")));
        }
        Map<UUID, UUID> placed = tenants.schemaTierServers();
        return upgrades.of(placed.entrySet().stream().filter(e -> serverIds.contains(e.getValue()))
                .map(Map.Entry::getKey).toList());
    }

    private List<SchemaState> ofTenants(List<UUID> tenantIds) {
        Map<UUID, Tenant> found = new java.util.HashMap<>();
        tenants.findAll(tenantIds).forEach(t -> found.put(t.id(), t));
        List<UUID> unknown = tenantIds.stream().filter(id -> !found.containsKey(id)).toList();
        if (!unknown.isEmpty()) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "TENANT_UNKNOWN", "No tenant " + unknown + ".",
                    List.of(new FieldError("ids", "name unknown tenants")));
        }
        List<SchemaState> schemas = upgrades.of(tenantIds);
        Set<UUID> withSchema = new java.util.HashSet<>();
        schemas.forEach(s -> withSchema.add(s.tenantId()));
        List<UUID> pooled = tenantIds.stream().filter(id -> !withSchema.contains(id)).toList();
        if (!pooled.isEmpty()) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "TENANT_NOT_SCHEMA_TIER", "The tenants "
                    + pooled + " have no schema of their own; the pool is migrated by Flyway at start-up.",
                    List.of(new FieldError("ids", "name tenants outside the schema tier")));
        }
        return schemas;
    }

    /** Runs the job's schemas batch by batch; a batch ends when all its schemas have. */
    private void run(MigrationJobs.Job job) {
        try {
            List<MigrationJobs.Item> items = jobs.items(job.id());
            for (int from = 0; from < items.size(); from += job.batchSize()) {
                List<MigrationJobs.Item> batch = items.subList(from, Math.min(items.size(), from + job.batchSize()));
                try (ExecutorService parallel = Executors.newFixedThreadPool(job.maxParallel(),
                        Thread.ofVirtual().name("canopy-migration-" + job.id() + "-", 0).factory())) {
                    batch.forEach(item -> parallel.submit(() -> migrate(job, item)));
                }
            }
        }
        catch (RuntimeException e) {
            log.warn("Migration job {} stopped: {}", job.id(), e.getMessage(), e);
        }
        finally {
            jobs.close(job.id());
        }
    }

    private void migrate(MigrationJobs.Job job, MigrationJobs.Item item) {
        try {
            jobs.running(job.id(), item.position());
            if (job.dryRun()) {
                List<String> wouldRun = upgrades.pending(item.schema());
                jobs.finished(job.id(), item.position(), "planned",
                        wouldRun.isEmpty() ? item.fromVersion() : wouldRun.getLast(), wouldRun, null);
            }
            else {
                TenantSchemaUpgrades.Upgrade upgrade = upgrades.upgrade(item.tenantId(), item.schema());
                jobs.finished(job.id(), item.position(), "succeeded", upgrade.toVersion(), upgrade.applied(), null);
            }
        }
        catch (RuntimeException e) {
            log.warn("Migrating tenant schema {} in job {} failed: {}", item.schema(), job.id(), e.getMessage());
            jobs.finished(job.id(), item.position(), "failed", null, List.of(), String.valueOf(e.getMessage()));
        }
    }

    @PreDestroy
    void stop() {
        runners.shutdownNow();
    }
}
