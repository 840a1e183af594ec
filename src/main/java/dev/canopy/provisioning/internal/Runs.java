package dev.canopy.provisioning.internal;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** SQL for {@code runs}, their steps and their approvals. */
@Repository
class Runs {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String COLUMNS = """
            tenant_id, id, deployment_id, kind, state, requested_by, requested_by_email, replay_of, required_approvals,
            approver_roles, allow_self_approval, extract(epoch from approval_timeout)::bigint as approval_timeout_s,
            approval_deadline, plan, plan_digest, attempts, error, created_at, started_at, finished_at, updated_at
            """;

    private static final RowMapper<Run> ROW = (rs, n) -> new Run(rs.getObject("tenant_id", UUID.class),
            rs.getObject("id", UUID.class), rs.getObject("deployment_id", UUID.class), rs.getString("kind"),
            RunState.of(rs.getString("state")), rs.getObject("requested_by", UUID.class),
            rs.getString("requested_by_email"), rs.getObject("replay_of", UUID.class),
            rs.getInt("required_approvals"), Environments.strings(rs.getArray("approver_roles")),
            rs.getBoolean("allow_self_approval"), Duration.ofSeconds(rs.getLong("approval_timeout_s")),
            Deployments.instant(rs.getTimestamp("approval_deadline")),
            rs.getString("plan") == null ? null : JSON.readTree(rs.getString("plan")), rs.getString("plan_digest"),
            rs.getInt("attempts"), rs.getString("error"), rs.getTimestamp("created_at").toInstant(),
            Deployments.instant(rs.getTimestamp("started_at")), Deployments.instant(rs.getTimestamp("finished_at")),
            rs.getTimestamp("updated_at").toInstant());

    /** A decision of one approver on one plan. */
    record Approval(UUID approverId, String approverEmail, String decision, String comment, String planDigest,
            Instant decidedAt) {
    }

    /** A step's checkpoint. */
    record Step(String name, String state, int attempts, @Nullable JsonNode result, Instant startedAt,
            @Nullable Instant finishedAt) {
    }

    private final JdbcClient jdbc;

    Runs(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Run r) {
        jdbc.sql("""
                insert into runs (tenant_id, id, deployment_id, kind, state, requested_by, requested_by_email,
                       replay_of, required_approvals, approver_roles, allow_self_approval, approval_timeout)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as interval))
                """).params(r.tenantId(), r.id(), r.deploymentId(), r.kind(), r.state().key(), r.requestedBy(),
                r.requestedByEmail(), r.replayOf(), r.requiredApprovals(), r.approverRoles().toArray(String[]::new),
                r.allowSelfApproval(), r.approvalTimeout().toString()).update();
    }

    Optional<Run> find(UUID tenantId, UUID id) {
        return jdbc.sql("select " + COLUMNS + " from runs where tenant_id = ? and id = ?").params(tenantId, id)
                .query(ROW).optional();
    }

    Optional<Run> lock(UUID tenantId, UUID id) {
        return jdbc.sql("select " + COLUMNS + " from runs where tenant_id = ? and id = ? for update")
                .params(tenantId, id).query(ROW).optional();
    }

    List<Run> ofDeployment(UUID tenantId, UUID deploymentId, @Nullable UUID after, int limit) {
        return jdbc.sql("select " + COLUMNS + """
                  from runs where tenant_id = :tenant and deployment_id = :deployment
                   and (cast(:after as uuid) is null or id > :after)
                 order by id limit :limit
                """).param("tenant", tenantId).param("deployment", deploymentId).param("after", after)
                .param("limit", limit).query(ROW).list();
    }

    Optional<Run> latest(UUID tenantId, UUID deploymentId) {
        return jdbc.sql("select " + COLUMNS + """
                  from runs where tenant_id = ? and deployment_id = ? order by id desc limit 1
                """).params(tenantId, deploymentId).query(ROW).optional();
    }

    /** The deployment's runs of any kind that have not finished. */
    List<Run> unfinished(UUID tenantId, UUID deploymentId) {
        return jdbc.sql("select " + COLUMNS + """
                  from runs where tenant_id = ? and deployment_id = ?
                   and state not in ('succeeded', 'failed', 'dead_letter', 'rejected', 'expired', 'canceled')
                """).params(tenantId, deploymentId).query(ROW).list();
    }

    Optional<Run> lastMutating(UUID tenantId, UUID deploymentId) {
        return jdbc.sql("select " + COLUMNS + """
                  from runs where tenant_id = ? and deployment_id = ? and kind <> 'plan' order by id desc limit 1
                """).params(tenantId, deploymentId).query(ROW).optional();
    }

    /** The deployment's mutating runs that have not finished, oldest first (the first one is the active one). */
    List<Run> unfinishedMutating(UUID tenantId, UUID deploymentId) {
        return jdbc.sql("select " + COLUMNS + """
                  from runs where tenant_id = ? and deployment_id = ? and kind <> 'plan'
                   and state not in ('succeeded', 'failed', 'dead_letter', 'rejected', 'expired', 'canceled')
                 order by id
                """).params(tenantId, deploymentId).query(ROW).list();
    }

    /** Runs waiting for approval in the tenant, oldest first, after a cursor. */
    List<Run> awaitingApproval(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("select " + COLUMNS + """
                  from runs where tenant_id = :tenant and state = 'awaiting_approval'
                   and (cast(:after as uuid) is null or id > :after)
                 order by id limit :limit
                """).param("tenant", tenantId).param("after", after).param("limit", limit).query(ROW).list();
    }

    /** Moves the run to a state; {@code from} guards against a racing change (false when it did not hold). */
    boolean transition(UUID tenantId, UUID id, Collection<RunState> from, RunState to, @Nullable String error) {
        return jdbc.sql("""
                update runs
                   set state = :to, error = coalesce(:error, error), updated_at = now(),
                       started_at = case when :to in ('planning', 'applying') then coalesce(started_at, now())
                                         else started_at end,
                       finished_at = case when :to in ('succeeded', 'failed', 'dead_letter', 'rejected', 'expired',
                                                       'canceled') then now() else finished_at end
                 where tenant_id = :tenant and id = :id and state in (:from)
                """).param("to", to.key()).param("error", error).param("tenant", tenantId).param("id", id)
                .param("from", from.stream().map(RunState::key).toList())
                .update() == 1;
    }

    void noteError(UUID tenantId, UUID id, String error) {
        jdbc.sql("update runs set error = ?, updated_at = now() where tenant_id = ? and id = ?")
                .params(error, tenantId, id).update();
    }

    void attempted(UUID tenantId, UUID id, int attempts) {
        jdbc.sql("update runs set attempts = ? where tenant_id = ? and id = ?").params(attempts, tenantId, id)
                .update();
    }

    /** Records the plan and opens the approval window; earlier approvals, bound to other plans, stop counting. */
    void planned(UUID tenantId, UUID id, JsonNode plan, String digest, @Nullable Instant deadline) {
        jdbc.sql("""
                update runs set plan = cast(? as jsonb), plan_digest = ?, approval_deadline = ?, updated_at = now()
                 where tenant_id = ? and id = ?
                """).params(JSON.writeValueAsString(plan), digest, deadline == null ? null : Timestamp.from(deadline),
                tenantId, id).update();
    }

    void insertApproval(UUID tenantId, UUID runId, Approval a) {
        jdbc.sql("""
                insert into run_approvals (tenant_id, run_id, approver_id, approver_email, decision, comment,
                       plan_digest)
                values (?, ?, ?, ?, ?, ?, ?)
                """).params(tenantId, runId, a.approverId(), a.approverEmail(), a.decision(), a.comment(),
                a.planDigest()).update();
    }

    List<Approval> approvals(UUID tenantId, UUID runId) {
        return jdbc.sql("""
                select approver_id, approver_email, decision, comment, plan_digest, decided_at from run_approvals
                 where tenant_id = ? and run_id = ? order by decided_at, approver_id
                """).params(tenantId, runId).query((rs, n) -> new Approval(rs.getObject(1, UUID.class),
                        rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getTimestamp(6).toInstant())).list();
    }

    List<Step> steps(UUID tenantId, UUID runId) {
        return jdbc.sql("""
                select name, state, attempts, result, started_at, finished_at from run_steps
                 where tenant_id = ? and run_id = ? order by started_at, name
                """).params(tenantId, runId).query((rs, n) -> new Step(rs.getString(1), rs.getString(2),
                        rs.getInt(3), rs.getString(4) == null ? null : JSON.readTree(rs.getString(4)),
                        rs.getTimestamp(5).toInstant(), Deployments.instant(rs.getTimestamp(6)))).list();
    }

    /** Starts a step, or starts it again after a failed attempt. */
    void stepStarted(UUID tenantId, UUID runId, String name) {
        jdbc.sql("""
                insert into run_steps (tenant_id, run_id, name, state) values (?, ?, ?, 'running')
                on conflict (tenant_id, run_id, name) do update
                   set state = 'running', attempts = run_steps.attempts + 1, started_at = now(), finished_at = null
                """).params(tenantId, runId, name).update();
    }

    void stepFinished(UUID tenantId, UUID runId, String name, boolean succeeded, @Nullable JsonNode result) {
        jdbc.sql("""
                update run_steps set state = ?, result = cast(? as jsonb), finished_at = now()
                 where tenant_id = ? and run_id = ? and name = ?
                """).params(succeeded ? "succeeded" : "failed", result == null ? null : JSON.writeValueAsString(result),
                tenantId, runId, name).update();
    }
}
