package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.secrets.SealedSecret;
import dev.canopy.secrets.SecretBinding;

/** SQL for {@code opentofu_states} (a deployment's sealed state and its lock) and {@code opentofu_plans}. */
@Repository
class OpenTofuStates {

    /** A deployment's state row: the sealed document (null before the first write) and who holds its lock. */
    record Stored(byte @Nullable [] sealedState, @Nullable String lineage, @Nullable Long serial,
            @Nullable String lockId, @Nullable String lockInfo, @Nullable UUID lockRunId) {
    }

    private final JdbcClient jdbc;

    OpenTofuStates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    static SecretBinding stateBinding(UUID tenantId, UUID deploymentId) {
        return SecretBinding.tenant(tenantId, "opentofu_states", deploymentId.toString());
    }

    static SecretBinding planBinding(UUID tenantId, UUID runId) {
        return SecretBinding.tenant(tenantId, "opentofu_plans", runId.toString());
    }

    Optional<Stored> find(UUID tenantId, UUID deploymentId) {
        return jdbc.sql("""
                select sealed_state, lineage, serial, lock_id, lock_info, lock_run_id from opentofu_states
                 where tenant_id = ? and deployment_id = ?
                """).params(tenantId, deploymentId).query((rs, n) -> new Stored(rs.getBytes(1), rs.getString(2),
                        rs.getObject(3, Long.class), rs.getString(4), rs.getString(5), rs.getObject(6, UUID.class)))
                .optional();
    }

    /** Locks the row for this transaction (made first if the deployment has none yet) and answers it. */
    Stored lockRow(UUID tenantId, UUID deploymentId) {
        jdbc.sql("""
                insert into opentofu_states (tenant_id, deployment_id) values (?, ?) on conflict do nothing
                """).params(tenantId, deploymentId).update();
        return jdbc.sql("""
                select sealed_state, lineage, serial, lock_id, lock_info, lock_run_id from opentofu_states
                 where tenant_id = ? and deployment_id = ? for update
                """).params(tenantId, deploymentId).query((rs, n) -> new Stored(rs.getBytes(1), rs.getString(2),
                        rs.getObject(3, Long.class), rs.getString(4), rs.getString(5), rs.getObject(6, UUID.class)))
                .single();
    }

    void saveState(UUID tenantId, UUID deploymentId, byte[] sealed, @Nullable String lineage, @Nullable Long serial) {
        jdbc.sql("""
                update opentofu_states set sealed_state = ?, lineage = ?, serial = ?, updated_at = now()
                 where tenant_id = ? and deployment_id = ?
                """).params(sealed, lineage, serial, tenantId, deploymentId).update();
    }

    void lock(UUID tenantId, UUID deploymentId, String lockId, String lockInfo, UUID runId) {
        jdbc.sql("""
                update opentofu_states set lock_id = ?, lock_info = cast(? as jsonb), lock_run_id = ?,
                       locked_at = now()
                 where tenant_id = ? and deployment_id = ?
                """).params(lockId, lockInfo, runId, tenantId, deploymentId).update();
    }

    void unlock(UUID tenantId, UUID deploymentId) {
        jdbc.sql("""
                update opentofu_states set lock_id = null, lock_info = null, lock_run_id = null, locked_at = null
                 where tenant_id = ? and deployment_id = ?
                """).params(tenantId, deploymentId).update();
    }

    /**
     * Releases a lock an engine could not release itself because it died with its server: one taken by an earlier
     * attempt of this run, or by a run that has ended. Answers whether there was one.
     */
    boolean releaseAbandonedLock(UUID tenantId, UUID deploymentId, UUID runId) {
        return jdbc.sql("""
                update opentofu_states s
                   set lock_id = null, lock_info = null, lock_run_id = null, locked_at = null
                 where s.tenant_id = :tenant and s.deployment_id = :deployment and s.lock_id is not null
                   and (s.lock_run_id = :run or not exists (
                        select 1 from runs r where r.tenant_id = s.tenant_id and r.id = s.lock_run_id
                           and r.state not in ('succeeded', 'failed', 'dead_letter', 'rejected', 'expired',
                                               'canceled')))
                """).param("tenant", tenantId).param("deployment", deploymentId).param("run", runId).update() > 0;
    }

    /** Releases the lock this run holds: called when its engine process has ended, so nobody holds it any more. */
    boolean releaseLockOf(UUID tenantId, UUID deploymentId, UUID runId) {
        return jdbc.sql("""
                update opentofu_states set lock_id = null, lock_info = null, lock_run_id = null, locked_at = null
                 where tenant_id = ? and deployment_id = ? and lock_run_id = ?
                """).params(tenantId, deploymentId, runId).update() > 0;
    }

    void savePlan(UUID tenantId, UUID runId, UUID deploymentId, byte[] sealed) {
        jdbc.sql("""
                insert into opentofu_plans (tenant_id, run_id, deployment_id, sealed_plan) values (?, ?, ?, ?)
                on conflict (tenant_id, run_id) do update set sealed_plan = excluded.sealed_plan, created_at = now()
                """).params(tenantId, runId, deploymentId, sealed).update();
    }

    Optional<byte[]> plan(UUID tenantId, UUID runId) {
        return jdbc.sql("select sealed_plan from opentofu_plans where tenant_id = ? and run_id = ?")
                .params(tenantId, runId).query((rs, n) -> rs.getBytes(1)).optional();
    }

    void deletePlan(UUID tenantId, UUID runId) {
        jdbc.sql("delete from opentofu_plans where tenant_id = ? and run_id = ?").params(tenantId, runId)
                .update();
    }

    /** Plans of the deployment's runs that ended without applying them (rejected, expired, canceled, failed). */
    int deleteUnusedPlans(UUID tenantId, UUID deploymentId) {
        return jdbc.sql("""
                delete from opentofu_plans p using runs r
                 where p.tenant_id = ? and p.deployment_id = ? and r.tenant_id = p.tenant_id and r.id = p.run_id
                   and r.state in ('succeeded', 'failed', 'dead_letter', 'rejected', 'expired', 'canceled')
                """).params(tenantId, deploymentId).update();
    }

    List<SealedSecret> sealedStatesAfter(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select deployment_id, sealed_state from opentofu_states
                 where tenant_id = :tenant and sealed_state is not null
                   and (cast(:after as uuid) is null or deployment_id > :after)
                 order by deployment_id limit :limit
                """).param("tenant", tenantId).param("after", after).param("limit", limit)
                .query((rs, n) -> new SealedSecret(stateBinding(tenantId, rs.getObject(1, UUID.class)),
                        rs.getBytes(2))).list();
    }

    boolean replaceSealedState(UUID tenantId, UUID deploymentId, byte[] current, byte[] resealed) {
        return jdbc.sql("""
                update opentofu_states set sealed_state = ?
                 where tenant_id = ? and deployment_id = ? and sealed_state = ?
                """).params(resealed, tenantId, deploymentId, current).update() == 1;
    }
}
