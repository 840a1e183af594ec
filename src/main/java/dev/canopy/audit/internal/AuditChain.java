package dev.canopy.audit.internal;

import java.sql.Timestamp;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.canopy.audit.AuditRecord;
import dev.canopy.platform.Ids;
import dev.canopy.platform.Redaction;
import dev.canopy.platform.db.TenantTransactions;

/**
 * Appends events to their tenant's chain inside the caller's transaction. The chain head row is locked
 * for the rest of that transaction, so appends to one tenant are serialised and appends to different
 * tenants never wait for each other.
 */
@Component
public class AuditChain {

    private final JdbcClient jdbc;

    AuditChain(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @SuppressWarnings("unchecked")
    public ChainedEvent append(AuditRecord record) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("Audit events are appended inside the transaction of their change");
        }
        UUID tenantId = record.tenantId();
        // what does not depend on the chain is prepared before its head is locked, to hold the lock briefly
        String details = ChainedEvent.canonicalDetails((Map<String, Object>) Redaction.redact(record.details()));
        UUID id = Ids.newId();
        Head head = lockHead(tenantId);
        var event = new ChainedEvent(tenantId, head.seq() + 1, id, ChainedEvent.precision(record.occurredAt()),
                record.actor().type(), record.actor().id(), record.actor().email(), record.actor().viaTenantId(),
                record.action(), record.resourceType(), record.resourceId(), record.success() ? "success" : "failure",
                record.httpStatus(), record.ip(), record.userAgent(), record.requestId(), details, head.hash(),
                new byte[0]);
        var chained = withHash(event);
        insertAndAdvance(chained);
        return chained;
    }

    /**
     * Locks the tenant's chain head until the transaction ends, reads it and enters the tenant's scope for
     * the insert, as {@link TenantTransactions#inTenant} does (transaction-local settings); a tenant's first
     * event creates the head. The usual case is one statement.
     */
    private Head lockHead(UUID tenantId) {
        Optional<Head> head = selectHeadForUpdate(tenantId);
        if (head.isPresent()) {
            return head.get();
        }
        ensureHead(tenantId);
        return selectHeadForUpdate(tenantId).orElseThrow();
    }

    /** Creates the tenant's chain head (empty chain, default settings) unless it exists. */
    public void ensureHead(UUID tenantId) {
        jdbc.sql("insert into platform.audit_chain_heads (tenant_id, hash) values (?, ?) on conflict do nothing")
                .params(tenantId, ChainedEvent.GENESIS)
                .update();
    }

    private Optional<Head> selectHeadForUpdate(UUID tenantId) {
        return jdbc.sql("""
                select seq, hash,
                    set_config('canopy.tenant_id', :tenant, true), set_config('canopy.user_id', '', true)
                from platform.audit_chain_heads where tenant_id = cast(:tenant as uuid) for update
                """)
                .param("tenant", tenantId.toString())
                .query((rs, n) -> new Head(rs.getLong("seq"), rs.getBytes("hash")))
                .optional();
    }

    /** Inserts the event and moves the head to it, in one statement. */
    private void insertAndAdvance(ChainedEvent e) {
        int moved = jdbc.sql("""
                with appended as (
                    insert into tenant.audit_events (tenant_id, seq, id, occurred_at, actor_type, actor_id,
                        actor_email, actor_via_tenant_id, action, resource_type, resource_id, status, http_status, ip,
                        user_agent, request_id, details, prev_hash, hash)
                    values (:tenant, :seq, :id, :occurredAt, :actorType, :actorId, :actorEmail, :via, :action,
                        :resourceType, :resourceId, :status, :httpStatus, :ip, :userAgent, :requestId,
                        cast(:details as jsonb), :prevHash, :hash)
                    returning tenant_id, seq, hash)
                update platform.audit_chain_heads h set seq = appended.seq, hash = appended.hash
                from appended where h.tenant_id = appended.tenant_id
                """)
                .param("tenant", e.tenantId())
                .param("seq", e.seq())
                .param("id", e.id())
                .param("occurredAt", Timestamp.from(e.occurredAt()))
                .param("actorType", e.actorType())
                .param("actorId", e.actorId())
                .param("actorEmail", e.actorEmail())
                .param("via", e.actorViaTenantId())
                .param("action", e.action())
                .param("resourceType", e.resourceType())
                .param("resourceId", e.resourceId())
                .param("status", e.status())
                .param("httpStatus", e.httpStatus())
                .param("ip", e.ip())
                .param("userAgent", e.userAgent())
                .param("requestId", e.requestId())
                .param("details", e.details())
                .param("prevHash", e.prevHash())
                .param("hash", e.hash())
                .update();
        if (moved != 1) {
            throw new IllegalStateException("The chain head of tenant " + e.tenantId() + " did not move");
        }
    }

    private static ChainedEvent withHash(ChainedEvent e) {
        return new ChainedEvent(e.tenantId(), e.seq(), e.id(), e.occurredAt(), e.actorType(), e.actorId(),
                e.actorEmail(), e.actorViaTenantId(), e.action(), e.resourceType(), e.resourceId(), e.status(),
                e.httpStatus(), e.ip(), e.userAgent(), e.requestId(), e.details(), e.prevHash(), e.expectedHash());
    }

    record Head(long seq, byte[] hash) {
    }
}
