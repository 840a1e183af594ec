package dev.canopy.tenancy.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.platform.db.TenantSchemaUpgrades.SchemaState;

/** SQL for {@code platform.migration_jobs} and their schemas, {@code platform.migration_job_items}. */
@Repository
class MigrationJobs {

    private static final String JOB_COLUMNS = """
            id, status, dry_run, scope, ids, batch_size, max_parallel, total, done, failed, started_at, finished_at
            """;

    private final JdbcClient jdbc;

    MigrationJobs(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A job as stored. */
    record Job(UUID id, String status, boolean dryRun, String scope, List<UUID> ids, int batchSize, int maxParallel,
            int total, int done, int failed, Instant startedAt, @Nullable Instant finishedAt) {
    }

    /** One schema of a job; {@code versions} are those applied, or in a dry run those that would be. */
    record Item(int position, UUID tenantId, String schema, String status, String fromVersion,
            @Nullable String toVersion, List<String> versions, @Nullable String error) {
    }

    /** How a job was asked for, compared when its Idempotency-Key comes again. */
    record Requested(@Nullable UUID by, @Nullable String idempotencyKey, String request) {
    }

    void insert(Job job, Requested requested, List<SchemaState> schemas) {
        jdbc.sql("insert into platform.migration_jobs (" + JOB_COLUMNS + ", requested_by, idempotency_key, request) "
                + "values (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, null, ?, ?, ?)")
                .params(job.id(), job.status(), job.dryRun(), job.scope(), job.ids().toArray(UUID[]::new),
                        job.batchSize(), job.maxParallel(), job.total(),
                        OffsetDateTime.ofInstant(job.startedAt(), java.time.ZoneOffset.UTC), requested.by(),
                        requested.idempotencyKey(), requested.request())
                .update();
        // one statement for all the job's schemas (thousands for scope all), in the order they will run
        jdbc.sql("""
                insert into platform.migration_job_items
                    (job_id, position, tenant_id, schema_name, status, from_version)
                select ?, position - 1, tenant_id, schema_name, 'pending', version
                  from unnest(?::uuid[], ?::text[], ?::text[]) with ordinality
                       as s (tenant_id, schema_name, version, position)
                """)
                .params(job.id(), schemas.stream().map(SchemaState::tenantId).toArray(UUID[]::new),
                        schemas.stream().map(SchemaState::schema).toArray(String[]::new),
                        schemas.stream().map(SchemaState::version).toArray(String[]::new))
                .update();
    }

    /** The job the caller started with this key, and what was asked for then. */
    Optional<Map.Entry<Job, String>> findByIdempotencyKey(@Nullable UUID by, String key) {
        return jdbc.sql("select " + JOB_COLUMNS + ", request from platform.migration_jobs "
                + "where requested_by is not distinct from ? and idempotency_key = ?")
                .params(by, key)
                .query((rs, n) -> Map.entry(job(rs, n), rs.getString("request")))
                .optional();
    }

    Optional<Job> find(UUID id) {
        return jdbc.sql("select " + JOB_COLUMNS + " from platform.migration_jobs where id = ?").param(id)
                .query(MigrationJobs::job).optional();
    }

    List<Item> items(UUID jobId) {
        return jdbc.sql("""
                select position, tenant_id, schema_name, status, from_version, to_version, versions, error
                  from platform.migration_job_items where job_id = ? order by position
                """)
                .param(jobId)
                .query((rs, n) -> new Item(rs.getInt("position"), rs.getObject("tenant_id", UUID.class),
                        rs.getString("schema_name"), rs.getString("status"), rs.getString("from_version"),
                        rs.getString("to_version"), strings(rs.getArray("versions")), rs.getString("error")))
                .list();
    }

    void running(UUID jobId, int position) {
        jdbc.sql("update platform.migration_job_items set status = 'running' where job_id = ? and position = ?")
                .params(jobId, position).update();
    }

    /** Records how one schema ended and counts it on its job, in one statement so the counts match the items. */
    void finished(UUID jobId, int position, String status, @Nullable String toVersion, List<String> versions,
            @Nullable String error) {
        jdbc.sql("""
                with item as (
                    update platform.migration_job_items
                       set status = :status, to_version = :to, versions = :versions, error = :error,
                           finished_at = now()
                     where job_id = :job and position = :position
                )
                update platform.migration_jobs
                   set done = done + 1, failed = failed + case when :status = 'failed' then 1 else 0 end
                 where id = :job
                """)
                .param("status", status)
                .param("to", toVersion)
                .param("versions", versions.toArray(String[]::new))
                .param("error", error)
                .param("job", jobId)
                .param("position", position)
                .update();
    }

    /** Ends the job: succeeded, failed (every schema failed) or partially failed. */
    void close(UUID jobId) {
        jdbc.sql("""
                update platform.migration_jobs
                   set status = case when failed = 0 then 'succeeded'
                                     when failed = total then 'failed'
                                     else 'partially_failed' end,
                       finished_at = now()
                 where id = ?
                """)
                .param(jobId)
                .update();
    }

    private static Job job(ResultSet rs, int row) throws SQLException {
        var ids = rs.getArray("ids");
        return new Job(rs.getObject("id", UUID.class), rs.getString("status"), rs.getBoolean("dry_run"),
                rs.getString("scope"), ids == null ? List.of() : Arrays.asList((UUID[]) ids.getArray()),
                rs.getInt("batch_size"), rs.getInt("max_parallel"), rs.getInt("total"), rs.getInt("done"),
                rs.getInt("failed"), instant(rs, "started_at"), nullableInstant(rs, "finished_at"));
    }

    private static List<String> strings(@Nullable Array array) throws SQLException {
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static @Nullable Instant nullableInstant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
