package dev.canopy.audit.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
    private final DataSource dataSource;

    public AuditLog(JdbcClient jdbc, TenantTransactions scopes, DataSource dataSource) {
        this.jdbc = jdbc;
        this.scopes = scopes;
        this.dataSource = dataSource;
    }

    /** A tenant's whole chain in order. */
    public List<ChainedEvent> chain(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> jdbc.sql("select " + COLUMNS
                + " from audit_events where tenant_id = ? order by seq")
                .param(tenantId)
                .query(AuditLog::event)
                .list());
    }

    /** The events of one request in a tenant's chain. */
    public List<ChainedEvent> ofRequest(UUID tenantId, String requestId) {
        return scopes.inTenant(tenantId, () -> jdbc.sql("select " + COLUMNS
                + " from audit_events where tenant_id = ? and request_id = ? order by seq")
                .params(tenantId, requestId)
                .query(AuditLog::event)
                .list());
    }

    /** How many events of the request there are in the whole table, every chain together. */
    public int countOfRequest(String requestId) {
        return Integer.parseInt(
                acrossChains("select count(*) from tenant.audit_events where request_id = ?", requestId).getFirst());
    }

    /** The tenants whose chains hold an event of the request. */
    public List<UUID> chainsWithRequest(String requestId) {
        return acrossChains("select distinct tenant_id from tenant.audit_events where request_id = ?", requestId)
                .stream().map(UUID::fromString).toList();
    }

    /** How many events in the whole table contain the text anywhere in any column. */
    public int countContaining(String text) {
        return Integer.parseInt(acrossChains(
                "select count(*) from tenant.audit_events e where strpos(e::text, ?) > 0", text).getFirst());
    }

    /**
     * A query over every chain at once, which row-level security forbids even the owner: the owner lifts it in
     * a transaction that is rolled back, so no other session ever sees the table unforced.
     */
    private List<String> acrossChains(String sql, String param) {
        try (Connection owner = owner(dataSource)) {
            owner.setAutoCommit(false);
            try (Statement statement = owner.createStatement()) {
                statement.execute("alter table tenant.audit_events no force row level security");
            }
            var values = new ArrayList<String>();
            try (PreparedStatement query = owner.prepareStatement(sql)) {
                query.setString(1, param);
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        values.add(rs.getString(1));
                    }
                }
            }
            owner.rollback();
            return values;
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
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
