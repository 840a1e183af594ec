package dev.canopy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.SQLException;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import dev.canopy.platform.db.DatabaseEndpoint;

/** Assertions over what PostgreSQL refuses, and where rows are. */
public final class DatabaseAssertions {

    private DatabaseAssertions() {
    }

    /** The statement fails with SQLSTATE 42501 (insufficient privilege: a row-level security or grant refusal). */
    public static Throwable assertRefusedByRowSecurity(Runnable statement) {
        Throwable refused = catchThrowable(statement::run);
        assertThat(sqlState(refused)).as(String.valueOf(refused)).isEqualTo("42501");
        return refused;
    }

    /**
     * The tenant's rows in a table ({@code schema.table}) counted as the schema owner in the tenant's row-level
     * security scope, which binds the owner too (FORCE): where a tenant's rows physically are.
     */
    public static int countAsOwner(DatabaseEndpoint endpoint, String table, UUID tenantId) {
        var connection = new SingleConnectionDataSource(endpoint.url(), endpoint.ownerUser(), endpoint.ownerPassword(),
                true);
        try {
            JdbcClient scoped = JdbcClient.create(connection);
            scoped.sql("select set_config('canopy.tenant_id', ?, false)").param(tenantId.toString())
                    .query(String.class).single();
            return scoped.sql("select count(*) from " + table + " where tenant_id = ?").param(tenantId)
                    .query(Integer.class).single();
        }
        finally {
            connection.destroy();
        }
    }

    /** The SQLSTATE of the first {@link SQLException} in the cause chain. */
    public static @Nullable String sqlState(@Nullable Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
