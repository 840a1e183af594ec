package dev.canopy.support;

import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;

/** Reads the audit records one request left in a tenant's chain (the nil uuid is the platform's own). */
public final class AuditLog {

    public static final UUID PLATFORM = new UUID(0, 0);

    private AuditLog() {
    }

    /** One audit record as tests look at it. */
    public record Event(String action, String status, String actorType, String actorEmail, String resourceType,
            String resourceId, String details) {
    }

    public static List<Event> ofRequest(TenantTransactions scopes, JdbcClient jdbc, UUID tenantId, String requestId) {
        return scopes.inTenant(tenantId, () -> jdbc.sql("""
                select action, status, actor_type, actor_email, resource_type, resource_id, details::text as details
                  from audit_events where tenant_id = ? and request_id = ? order by seq
                """).params(tenantId, requestId).query(Event.class).list());
    }
}
