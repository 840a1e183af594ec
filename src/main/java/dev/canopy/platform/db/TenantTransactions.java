package dev.canopy.platform.db;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.platform.web.ApiException;

/**
 * The one way into tenant tables: runs work in a transaction whose row-level security settings
 * ({@code canopy.tenant_id}, {@code canopy.user_id}) and {@code search_path} (the pooled schema or the tenant's own,
 * see {@link TenantSchemas}) are set transaction-locally, so they can never leak to the next user of a pooled
 * connection. Module SQL names tenant tables unqualified and so reaches whichever schema the tenant lives in.
 */
@Component
public class TenantTransactions {

    private final TransactionTemplate transactions;
    private final JdbcClient jdbc;
    private final TenantSchemas schemas;

    TenantTransactions(TransactionTemplate transactions, JdbcClient jdbc, TenantSchemas schemas) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.schemas = schemas;
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

    /**
     * Runs a read of the user's own rows in every schema that holds memberships of theirs (the pool and the tenant
     * schemas of their tenants) and joins the answers; call it inside {@link #asUser} or {@link #inTenantAsUser}.
     * A write passed here changes the user's rows everywhere (moving their primary flag).
     */
    public <T> List<T> inEachSchemaOf(UUID userId, Supplier<List<T>> read) {
        return transactions.execute(status -> {
            List<String> own = schemas.memberSchemas(userId);
            if (own.isEmpty()) {
                return read.get();
            }
            String outer = searchPath(TenantSchemas.POOL);
            var places = new LinkedHashSet<String>(List.of(TenantSchemas.POOL, outer));
            places.addAll(own);
            var answers = new ArrayList<T>();
            for (String schema : places) {
                searchPath(schema);
                answers.addAll(read.get());
            }
            searchPath(outer);
            return answers;
        });
    }

    /**
     * Points the current transaction's tenant tables at the tenant's schema, for the statement that sets its row-level
     * security scope itself (the audit chain's one-statement append), and holds the tenant's data as any tenant
     * transaction does.
     */
    public void useSchemaOf(UUID tenantId) {
        jdbc.sql(PLACED + "select set_config('search_path', path, true), version from placed")
                .param("tenant", tenantId.toString())
                .param("path", null)
                .query((rs, n) -> {
                    requireCurrent(tenantId, rs.getString(2));
                    return n;
                })
                .single();
    }

    /** Sets the transaction's search path and answers the one it replaces. */
    private String searchPath(String schema) {
        return jdbc.sql("select current_setting('search_path'), set_config('search_path', :path, true)")
                .param("path", schema)
                .query((rs, n) -> rs.getString(1))
                .single();
    }

    private <T> T run(@Nullable UUID tenantId, @Nullable UUID userId, Supplier<T> work) {
        var scope = new Scope(tenantId == null ? "" : tenantId.toString(), userId == null ? "" : userId.toString(),
                null);
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

    /**
     * The row-level security settings of a transaction ("" for none) and the schema its tables are in (null: the
     * tenant's, looked up as the scope is entered).
     */
    private record Scope(String tenant, String user, @Nullable String path) {
    }

    /**
     * Where the tenant's rows are, read in the statement that enters its scope, after taking the tenant's data lock
     * (shared; a live move holds it exclusively for its short switch): so no transaction routes by a placement that
     * a move has just changed. {@code :path} given (restoring an outer scope) skips the look-up.
     */
    private static final String PLACED = """
            with placed as materialized (
                select coalesce(cast(:path as text), p.schema_name, 'tenant') as path, p.version
                  from platform.tenant_placement(case when cast(:path as text) is null
                                                      then cast(nullif(:tenant, '') as uuid) end) p
            )
            """;

    /** Sets the scope for the rest of the transaction and answers the one it replaces. */
    private Scope enter(Scope scope) {
        return jdbc.sql(PLACED + """
                , replaced as materialized (
                    select coalesce(current_setting('canopy.tenant_id', true), '') as tenant,
                           coalesce(current_setting('canopy.user_id', true), '') as usr,
                           current_setting('search_path') as path
                )
                select r.tenant, r.usr, r.path, p.version, set_config('canopy.tenant_id', :tenant, true),
                       set_config('canopy.user_id', :user, true), set_config('search_path', p.path, true)
                  from replaced r, placed p
                """)
                .param("tenant", scope.tenant())
                .param("user", scope.user())
                .param("path", scope.path())
                .query((rs, n) -> {
                    if (!scope.tenant().isEmpty()) {
                        requireCurrent(UUID.fromString(scope.tenant()), rs.getString(4));
                    }
                    return new Scope(rs.getString(1), rs.getString(2), rs.getString(3));
                })
                .single();
    }

    /** A tenant schema behind the tenant migrations is being migrated: its tenant waits rather than see old tables. */
    private void requireCurrent(UUID tenantId, @Nullable String version) {
        if (version != null && !version.equals(schemas.latestVersion())) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "TENANT_MIGRATING", "The data of tenant "
                    + tenantId + " is being migrated to the current version; try again shortly.")
                    .retryAfter(TenantSchemas.MIGRATING_RETRY);
        }
    }
}
