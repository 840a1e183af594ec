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
    private final TenantTransactions scopes;

    AuditChain(JdbcClient jdbc, TenantTransactions scopes) {
        this.jdbc = jdbc;
        this.scopes = scopes;
    }

    @SuppressWarnings("unchecked")
    public ChainedEvent append(AuditRecord record) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("Audit events are appended inside the transaction of their change");
        }
        UUID tenantId = record.tenantId();
        // the event as far as it is known before it has a place in the chain
        var unplaced = new ChainedEvent(tenantId, 0, Ids.newId(), ChainedEvent.precision(record.occurredAt()),
                record.actor().type(), record.actor().id(), record.actor().email(), record.actor().viaTenantId(),
                record.action(), record.resourceType(), record.resourceId(), record.success() ? "success" : "failure",
                record.httpStatus(), record.ip(), record.userAgent(), record.requestId(),
                ChainedEvent.canonicalDetails((Map<String, Object>) Redaction.redact(record.details())), new byte[0],
                new byte[0]);
        String[] aroundSeq = unplaced.aroundSeq();
        // the one statement below names audit_events before it sets the scope: the schema has to be chosen first
        scopes.useSchemaOf(tenantId);
        Place place = appendAfterHead(unplaced, aroundSeq).orElseGet(() -> {
            ensureHead(tenantId);
            return appendAfterHead(unplaced, aroundSeq).orElseThrow();
        });
        var chained = new ChainedEvent(tenantId, place.seq(), unplaced.id(), unplaced.occurredAt(),
                unplaced.actorType(), unplaced.actorId(), unplaced.actorEmail(), unplaced.actorViaTenantId(),
                unplaced.action(), unplaced.resourceType(), unplaced.resourceId(), unplaced.status(),
                unplaced.httpStatus(), unplaced.ip(), unplaced.userAgent(), unplaced.requestId(), unplaced.details(),
                place.prevHash(), place.hash());
        if (!chained.intact()) {
            // rolls the caller's transaction back rather than commit an event its own chain would reject
            throw new IllegalStateException("Audit event " + chained.id() + " was hashed differently in the database");
        }
        return chained;
    }

    /** Creates the tenant's chain head (empty chain, default settings) unless it exists. */
    public void ensureHead(UUID tenantId) {
        jdbc.sql("insert into platform.audit_chain_heads (tenant_id, hash) values (?, ?) on conflict do nothing")
                .params(tenantId, ChainedEvent.GENESIS)
                .update();
    }

    /**
     * One statement, so that the chain head is locked only from here to the commit: lock and read the tenant's
     * head, enter the tenant's scope for the insert as {@link TenantTransactions#inTenant} does (transaction-local
     * settings), insert the event after the head with {@code hash = SHA-256(prev_hash || canonical JSON)} (the
     * JSON around the sequence number made by {@link ChainedEvent#aroundSeq()}) and its words for searching,
     * and move the head to it.
     * Empty when the tenant has no head yet.
     */
    private Optional<Place> appendAfterHead(ChainedEvent e, String[] aroundSeq) {
        return jdbc.sql("""
                with head as (
                    select tenant_id, seq + 1 as seq, hash,
                        set_config('canopy.tenant_id', :tenantText, true), set_config('canopy.user_id', '', true)
                    from platform.audit_chain_heads where tenant_id = :tenant for update),
                appended as (
                    insert into audit_events (tenant_id, seq, id, occurred_at, actor_type, actor_id,
                        actor_email, actor_via_tenant_id, action, resource_type, resource_id, status, http_status, ip,
                        user_agent, request_id, details, prev_hash, hash)
                    select head.tenant_id, head.seq, :id, :occurredAt, :actorType, :actorId, :actorEmail, :via,
                        :action, :resourceType, :resourceId, :status, :httpStatus, :ip, :userAgent, :requestId,
                        cast(:details as jsonb), head.hash,
                        sha256(head.hash || convert_to(:before || head.seq || :after, 'UTF8'))
                    from head
                    returning tenant_id, seq, prev_hash, hash),
                terms as (
                    insert into audit_terms (tenant_id, term, seq)
                    select head.tenant_id, t.term, head.seq
                    from head, unnest(tsvector_to_array(
                        to_tsvector('simple', :action || ' ' || cast(:details as jsonb)::text))) as t(term))
                update platform.audit_chain_heads h set seq = appended.seq, hash = appended.hash
                from appended where h.tenant_id = appended.tenant_id
                returning appended.seq, appended.prev_hash, appended.hash
                """)
                .param("tenant", e.tenantId())
                .param("tenantText", e.tenantId().toString())
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
                .param("before", aroundSeq[0])
                .param("after", aroundSeq[1])
                .query((rs, n) -> new Place(rs.getLong("seq"), rs.getBytes("prev_hash"), rs.getBytes("hash")))
                .optional();
    }

    record Place(long seq, byte[] prevHash, byte[] hash) {
    }
}
