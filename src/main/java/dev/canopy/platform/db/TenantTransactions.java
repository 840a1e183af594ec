package dev.canopy.platform.db;

import java.util.UUID;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one way into tenant tables: runs work in a transaction whose row-level security settings
 * ({@code canopy.tenant_id}, {@code canopy.user_id}) are set transaction-locally, so they can
 * never leak to the next user of a pooled connection.
 */
@Component
public class TenantTransactions {

    private final TransactionTemplate transactions;
    private final JdbcClient jdbc;

    TenantTransactions(TransactionTemplate transactions, JdbcClient jdbc) {
        this.transactions = transactions;
        this.jdbc = jdbc;
    }

    /** Runs work seeing only the given tenant's rows. */
    public <T> T inTenant(UUID tenantId, Supplier<T> work) {
        return run(tenantId, null, work);
    }

    public void inTenant(UUID tenantId, Runnable work) {
        run(tenantId, null, () -> {
            work.run();
            return null;
        });
    }

    /** Runs work seeing a user's own rows across tenants (their memberships), for login and profile. */
    public <T> T asUser(UUID userId, Supplier<T> work) {
        return run(null, userId, work);
    }

    /** Runs work seeing one tenant's rows and, besides, the given user's own rows in other tenants. */
    public <T> T inTenantAsUser(UUID tenantId, UUID userId, Supplier<T> work) {
        return run(tenantId, userId, work);
    }

    private <T> T run(@Nullable UUID tenantId, @Nullable UUID userId, Supplier<T> work) {
        var scope = new Scope(tenantId == null ? "" : tenantId.toString(), userId == null ? "" : userId.toString());
        return transactions.execute(status -> {
            Scope outer = enter(scope);
            T result = work.get();
            if (!status.isNewTransaction()) {
                // inside another scope's transaction: its settings come back, so its next statements still
                // see what they were meant to
                enter(outer);
            }
            return result;
        });
    }

    /** The row-level security settings of a transaction ("" for none). */
    private record Scope(String tenant, String user) {
    }

    /** Sets the scope for the rest of the transaction and answers the one it replaces. */
    private Scope enter(Scope scope) {
        return jdbc.sql("""
                with replaced as materialized (
                    select coalesce(current_setting('canopy.tenant_id', true), '') as tenant,
                           coalesce(current_setting('canopy.user_id', true), '') as usr
                )
                select tenant, usr, set_config('canopy.tenant_id', :tenant, true), set_config('canopy.user_id', :user, true)
                  from replaced
                """)
                .param("tenant", scope.tenant())
                .param("user", scope.user())
                .query((rs, n) -> new Scope(rs.getString(1), rs.getString(2)))
                .single();
    }
}
