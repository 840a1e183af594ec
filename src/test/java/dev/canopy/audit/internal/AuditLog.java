package dev.canopy.audit.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.zaxxer.hikari.HikariDataSource;

import dev.canopy.platform.db.TenantTransactions;
import tools.jackson.databind.JsonNode;

/**
 * Test access to the stored audit log, read straight from the tables as the runtime role inside the
 * tenant's scope (the read API is another issue's), and to the chain's own hash definition.
 */
public final class AuditLog {

    private static final String COLUMNS = """
            tenant_id, seq, id, occurred_at, actor_type, actor_id, actor_email, actor_via_tenant_id, action,
            resource_type, resource_id, status, http_status, ip, user_agent, request_id, details::text as details,
            prev_hash, hash
            """;

    private final JdbcClient jdbc;
    private final TenantTransactions scopes;

    public AuditLog(JdbcClient jdbc, TenantTransactions scopes) {
        this.jdbc = jdbc;
        this.scopes = scopes;
    }

    /** A tenant's whole chain in order. */
    public List<ChainedEvent> chain(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> jdbc.sql("select " + COLUMNS
                + " from tenant.audit_events where tenant_id = ? order by seq")
                .param(tenantId)
                .query(AuditLog::event)
                .list());
    }

    /** The events of one request in a tenant's chain. */
    public List<ChainedEvent> ofRequest(UUID tenantId, String requestId) {
        return scopes.inTenant(tenantId, () -> jdbc.sql("select " + COLUMNS
                + " from tenant.audit_events where tenant_id = ? and request_id = ? order by seq")
                .params(tenantId, requestId)
                .query(AuditLog::event)
                .list());
    }

    /** The tenants that have a chain, the platform's included. */
    public List<UUID> chains() {
        return jdbc.sql("select tenant_id from platform.audit_chain_heads").query(UUID.class).list();
    }

    /** How many events of the request there are in every chain together. */
    public int countOfRequest(String requestId) {
        return chains().stream().mapToInt(tenant -> scopes.inTenant(tenant,
                () -> jdbc.sql("select count(*) from tenant.audit_events where tenant_id = ? and request_id = ?")
                        .params(tenant, requestId).query(Integer.class).single()))
                .sum();
    }

    /** The tenants whose chains hold an event of the request. */
    public List<UUID> chainsWithRequest(String requestId) {
        return chains().stream().filter(tenant -> !ofRequest(tenant, requestId).isEmpty()).toList();
    }

    /** How many events, in every chain together, contain the text anywhere in any column. */
    public int countContaining(String text) {
        return chains().stream().mapToInt(tenant -> scopes.inTenant(tenant, () -> jdbc.sql("""
                select count(*) from tenant.audit_events e
                where e.tenant_id = ? and strpos(e::text, ?) > 0
                """).params(tenant, text).query(Integer.class).single())).sum();
    }

    /** The head row of a tenant's chain: its last sequence number and hash. */
    public @Nullable Map<String, Object> head(UUID tenantId) {
        return jdbc.sql("select seq, hash from platform.audit_chain_heads where tenant_id = ?").param(tenantId)
                .query().listOfRows().stream().findFirst().orElse(null);
    }

    /** A connection as the schema owner (embedded trust authentication), to do what the runtime role cannot. */
    public static Connection owner(DataSource dataSource) throws SQLException {
        return DriverManager.getConnection(((HikariDataSource) dataSource).getJdbcUrl(), "canopy_owner", "");
    }

    public static JsonNode details(ChainedEvent event) {
        return ChainedEvent.CANONICAL.readTree(event.details());
    }

    public static boolean intact(ChainedEvent event) {
        return event.intact();
    }

    public static byte[] expectedHash(ChainedEvent event) {
        return event.expectedHash();
    }

    public static byte[] genesis() {
        return ChainedEvent.GENESIS.clone();
    }

    private static ChainedEvent event(ResultSet rs, int row) throws SQLException {
        return new ChainedEvent(rs.getObject("tenant_id", UUID.class), rs.getLong("seq"),
                rs.getObject("id", UUID.class), rs.getTimestamp("occurred_at").toInstant(), rs.getString("actor_type"),
                rs.getObject("actor_id", UUID.class), rs.getString("actor_email"),
                rs.getObject("actor_via_tenant_id", UUID.class), rs.getString("action"), rs.getString("resource_type"),
                rs.getString("resource_id"), rs.getString("status"), rs.getObject("http_status", Integer.class),
                rs.getString("ip"), rs.getString("user_agent"), rs.getString("request_id"), rs.getString("details"),
                rs.getBytes("prev_hash"), rs.getBytes("hash"));
    }
}
