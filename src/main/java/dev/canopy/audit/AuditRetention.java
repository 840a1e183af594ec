package dev.canopy.audit;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.canopy.audit.internal.AuditChain;

/**
 * How long a tenant's audit events stay in the database ({@code settings.audit_retention_days}). Older
 * events are archived to files by a daily job and then removed; the chain stays verifiable across the cut.
 */
@Service
public class AuditRetention {

    public static final int DEFAULT_DAYS = 365;
    public static final int MIN_DAYS = 1;
    public static final int MAX_DAYS = 36500;

    private final JdbcClient jdbc;
    private final AuditChain chain;

    AuditRetention(JdbcClient jdbc, AuditChain chain) {
        this.jdbc = jdbc;
        this.chain = chain;
    }

    public int retentionDays(UUID tenantId) {
        return retentionDays(java.util.List.of(tenantId)).get(tenantId);
    }

    /** The retention of each tenant; tenants that never set one have the default. */
    public Map<UUID, Integer> retentionDays(Collection<UUID> tenantIds) {
        var days = new HashMap<UUID, Integer>();
        tenantIds.forEach(id -> days.put(id, DEFAULT_DAYS));
        if (!tenantIds.isEmpty()) {
            jdbc.sql("select tenant_id, retention_days from platform.audit_chain_heads where tenant_id = any (?)")
                    .param(tenantIds.toArray(UUID[]::new))
                    .query(rs -> {
                        days.put(rs.getObject("tenant_id", UUID.class), rs.getInt("retention_days"));
                    });
        }
        return days;
    }

    /** Sets the retention in the caller's transaction; {@code days} must be within 1 to 36,500. */
    public void setRetentionDays(UUID tenantId, int days) {
        if (days < MIN_DAYS || days > MAX_DAYS) {
            throw new IllegalArgumentException("Audit retention must be between " + MIN_DAYS + " and " + MAX_DAYS
                    + " days, not " + days);
        }
        chain.ensureHead(tenantId);
        jdbc.sql("update platform.audit_chain_heads set retention_days = ? where tenant_id = ?")
                .params(days, tenantId)
                .update();
    }
}
