package dev.canopy.provisioning.internal;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.platform.Ids;
import dev.canopy.platform.db.ChangeBroadcast;

/**
 * SQL for {@code platform.provisioning_jobs}. Every write that makes a job due announces it (LISTEN/NOTIFY, on
 * commit), so idle workers wake at once instead of polling.
 */
@Repository
class JobQueue {

    static final String TOPIC = "provisioning_jobs";

    private static final RowMapper<Job> ROW = (rs, n) -> new Job(rs.getObject("id", UUID.class),
            rs.getObject("tenant_id", UUID.class), rs.getString("kind"), rs.getObject("subject_id", UUID.class),
            rs.getInt("attempts"), rs.getInt("max_attempts"));

    private final JdbcClient jdbc;
    private final ChangeBroadcast changes;

    JobQueue(JdbcClient jdbc, ChangeBroadcast changes) {
        this.jdbc = jdbc;
        this.changes = changes;
    }

    /**
     * Makes the subject's job due at {@code at} (in the caller's transaction): a new job, or the waiting one moved.
     * A job a worker holds now is marked to wake: if that worker lets it go to wait, it is due at once.
     */
    void schedule(UUID tenantId, String kind, UUID subjectId, Instant at, int maxAttempts) {
        jdbc.sql("""
                insert into platform.provisioning_jobs (id, tenant_id, kind, subject_id, max_attempts, run_at)
                values (?, ?, ?, ?, ?, ?)
                on conflict (tenant_id, kind, subject_id) do update
                   set run_at = case when provisioning_jobs.state = 'queued' then excluded.run_at
                                     else provisioning_jobs.run_at end,
                       wake = provisioning_jobs.state = 'running'
                """).params(Ids.newId(), tenantId, kind, subjectId, maxAttempts, Timestamp.from(at)).update();
        if (!at.isAfter(Instant.now())) {
            changes.publish(TOPIC, "due");
        }
    }

    /** Drops the subject's waiting job (a cancelled run, a deployment destroyed before its TTL). */
    void unschedule(UUID tenantId, String kind, UUID subjectId) {
        jdbc.sql("delete from platform.provisioning_jobs where tenant_id = ? and kind = ? and subject_id = ? and state = 'queued'")
                .params(tenantId, kind, subjectId).update();
    }

    /**
     * Claims up to {@code limit} due jobs for {@code owner}: queued ones whose time has come, and running ones whose
     * lease ran out (their worker died). Each claim counts as an attempt.
     */
    List<Job> claim(String owner, int limit, Duration lease) {
        // two index scans (the partial indexes of each kind) rather than one scan for an "or"
        return jdbc.sql("""
                with queued as (
                         select id from platform.provisioning_jobs
                          where state = 'queued' and run_at <= now() order by run_at
                          limit :limit for update skip locked),
                     expired as (
                         select id from platform.provisioning_jobs
                          where state = 'running' and lease_until < now() order by lease_until
                          limit :limit for update skip locked),
                     due as (select id from queued union all select id from expired limit :limit)
                update platform.provisioning_jobs j
                   set state = 'running', lease_owner = :owner, lease_until = now() + cast(:lease as interval),
                       attempts = j.attempts + 1, wake = false
                  from due
                 where j.id = due.id
                returning j.id, j.tenant_id, j.kind, j.subject_id, j.attempts, j.max_attempts
                """).param("owner", owner).param("lease", lease.toString()).param("limit", limit).query(ROW).list();
    }

    /** Extends the leases the owner still holds, and answers the ids it lost (taken over after an expiry). */
    List<UUID> heartbeat(String owner, List<UUID> ids, Duration lease) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<UUID> kept = jdbc.sql("""
                update platform.provisioning_jobs set lease_until = now() + cast(:lease as interval)
                 where id in (:ids) and lease_owner = :owner and state = 'running'
                returning id
                """).param("lease", lease.toString()).param("ids", ids).param("owner", owner)
                .query(UUID.class).list();
        return ids.stream().filter(id -> !kept.contains(id)).toList();
    }

    /** Whether the owner still holds the job, locking it so the answer holds until the caller commits. */
    boolean holds(UUID id, String owner) {
        return jdbc.sql("select 1 from platform.provisioning_jobs where id = ? and lease_owner = ? and state = 'running' for update")
                .params(id, owner).query(Integer.class).optional().isPresent();
    }

    /** The job is done: gone from the queue. */
    boolean complete(UUID id, String owner) {
        return jdbc.sql("delete from platform.provisioning_jobs where id = ? and lease_owner = ?").params(id, owner)
                .update() == 1;
    }

    /**
     * The job waits again until {@code at}: a retry keeps the attempt it had, a wait (for approvals, a deadline)
     * gives it back.
     */
    boolean release(UUID id, String owner, Instant at, boolean retry, @Nullable String error) {
        return jdbc.sql("""
                update platform.provisioning_jobs
                   set state = 'queued', lease_owner = null, lease_until = null, last_error = ?,
                       run_at = case when wake then now() else ? end, wake = false,
                       attempts = case when ? then attempts else attempts - 1 end
                 where id = ? and lease_owner = ?
                """).params(error, Timestamp.from(at), retry, id, owner).update() == 1;
    }

    /** When the next job falls due (a waiting job's time, a lease running out), if any. */
    Optional<Instant> nextDue() {
        return jdbc.sql("""
                select min(t) from (select min(run_at) as t from platform.provisioning_jobs where state = 'queued'
                                    union all
                                    select min(lease_until) from platform.provisioning_jobs where state = 'running') x
                """).query((rs, n) -> Optional.ofNullable(Deployments.instant(rs.getTimestamp(1)))).single();
    }
}
