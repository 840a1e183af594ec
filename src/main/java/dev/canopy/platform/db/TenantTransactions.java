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
        return transactions.execute(status -> {
            jdbc.sql("select set_config('canopy.tenant_id', :tenant, true), set_config('canopy.user_id', :user, true)")
                    .param("tenant", tenantId == null ? "" : tenantId.toString())
                    .param("user", userId == null ? "" : userId.toString())
                    .query((rs, n) -> 1)
                    .single();
            return work.get();
        });
    }
}
