package dev.canopy.platform.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.canopy.platform.web.ApiException;
import jakarta.annotation.PreDestroy;

/**
 * Where a tenant's rows live on this server: the pooled schema {@code tenant}, or a schema {@code t_<id>} of its own
 * (the schema tier). Tenant transactions ask for the search path here; tenancy creates a tenant's schema here.
 */
@Component
public class TenantSchemas {

    /** The pooled schema, under row-level security like every tenant schema. */
    public static final String POOL = "tenant";

    /** How long a client waits before asking again for a tenant whose schema is being migrated. */
    static final Duration MIGRATING_RETRY = Duration.ofSeconds(5);

    private final JdbcClient jdbc;
    private final DatabaseEndpoint endpoint;
    private final int ownerPoolSize;
    private final Map<UUID, Location> locations = new ConcurrentHashMap<>();
    private volatile @Nullable HikariDataSource owner;
    private volatile @Nullable TenantSchemaMigrator migrator;
    private volatile boolean metOwnSchema;

    /** A tenant's schema and the last tenant migration it has. */
    record Location(String schema, String version) {
    }

    private static final Location IN_POOL = new Location(POOL, "");

    TenantSchemas(JdbcClient jdbc, DatabaseEndpoint endpoint, DatabaseSettings settings) {
        this.jdbc = jdbc;
        this.endpoint = endpoint;
        this.ownerPoolSize = Math.max(4, settings.ownerPoolSize());
    }

    /** The schema name a tenant of the schema tier gets: {@code t_} and its id without dashes. */
    public static String schemaOf(UUID tenantId) {
        return "t_" + tenantId.toString().replace("-", "");
    }

    /**
     * The search path for a transaction of the tenant; a tenant whose schema is behind the current tenant migrations
     * (being migrated after an upgrade) is answered 503 with a Retry-After rather than reaching half-migrated tables.
     */
    String searchPath(UUID tenantId) {
        Location location = locations.computeIfAbsent(tenantId, this::read);
        if (location != IN_POOL && !location.version().equals(migrator().latestVersion())) {
            location = read(tenantId);
            locations.put(tenantId, location);
            if (!location.version().equals(migrator().latestVersion())) {
                var unavailable = new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "TENANT_MIGRATING",
                        "This tenant's data is being migrated to the current version; try again shortly.");
                throw unavailable.retryAfter(MIGRATING_RETRY);
            }
        }
        return location.schema();
    }

    /** The schemas besides the pool that hold the user's memberships. */
    List<String> memberSchemas(UUID userId) {
        return jdbc.sql("select distinct schema_name from platform.member_locations where user_id = ?")
                .param(userId)
                .query(String.class)
                .list();
    }

    /**
     * Creates the tenant's own schema with every tenant migration, committed at once on the owner's connection. Call
     * it inside the transaction that creates the tenant and before that writes the tenant's row (the schema's
     * foreign keys to {@code platform.tenants} wait for transactions writing it); the schema is dropped again if that
     * transaction rolls back. {@link #route} then sends the tenant's transactions there.
     */
    public String build(UUID tenantId) {
        String schema = schemaOf(tenantId);
        TenantSchemaMigrator migrations = migrator();
        inOwnerTransaction(connection -> migrations.create(connection, schema));
        dropOnRollback(tenantId, schema);
        return schema;
    }

    /** Routes the tenant, whose row the current transaction has written, to the schema {@link #build} made. */
    public void route(UUID tenantId) {
        String version = migrator().latestVersion();
        jdbc.sql("insert into platform.tenant_schemas (tenant_id, schema_name, version) values (?, ?, ?)")
                .params(tenantId, schemaOf(tenantId), version)
                .update();
        locations.put(tenantId, new Location(schemaOf(tenantId), version));
        metOwnSchema = true;
    }

    /**
     * Forgets what this instance knows of the tenant's schema, so its next transaction reads it again: for a schema
     * whose recorded version was changed by other means than a migration here (an operator's repair, a test).
     */
    public void reload(UUID tenantId) {
        locations.remove(tenantId);
    }

    /** Whether the tenant has a schema of its own. */
    public boolean hasOwnSchema(UUID tenantId) {
        return locations.computeIfAbsent(tenantId, this::read) != IN_POOL;
    }

    /** Whether this instance has routed a tenant to a schema of its own (until then, every transaction is pooled). */
    boolean metOwnSchema() {
        return metOwnSchema;
    }

    private Location read(UUID tenantId) {
        Location location = jdbc.sql("select schema_name, version from platform.tenant_schemas where tenant_id = ?")
                .param(tenantId)
                .query((rs, n) -> new Location(rs.getString(1), rs.getString(2)))
                .optional()
                .orElse(IN_POOL);
        metOwnSchema |= location != IN_POOL;
        return location;
    }

    private void dropOnRollback(UUID tenantId, String schema) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
                    locations.remove(tenantId);
                    inOwnerTransaction(connection -> {
                        try (var statement = connection.createStatement()) {
                            statement.execute("drop schema if exists " + TenantSchemaMigrator.quote(schema)
                                    + " cascade");
                        }
                    });
                }
            }
        });
    }

    /** Work on an owner connection, committed when it returns. */
    interface OwnerWork {
        void run(Connection owner) throws SQLException;
    }

    void inOwnerTransaction(OwnerWork work) {
        try (Connection connection = ownerPool().getConnection()) {
            connection.setAutoCommit(false);
            try {
                work.run(connection);
                connection.commit();
            }
            catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Tenant schema work failed: " + e.getMessage(), e);
        }
    }

    TenantSchemaMigrator migrator() {
        TenantSchemaMigrator current = migrator;
        if (current == null) {
            synchronized (this) {
                if (migrator == null) {
                    try (Connection connection = ownerPool().getConnection()) {
                        migrator = TenantSchemaMigrator.of(connection, endpoint.appUser());
                    }
                    catch (SQLException e) {
                        throw new IllegalStateException("Cannot read the tenant migrations: " + e.getMessage(), e);
                    }
                }
                current = migrator;
            }
        }
        return current;
    }

    /** How many owner connections there may be: the bound on schemas migrating at once. */
    int ownerPoolSize() {
        return ownerPoolSize;
    }

    /** The schema owner's connections, opened when first needed and few: migrations and schema creation only. */
    private HikariDataSource ownerPool() {
        HikariDataSource current = owner;
        if (current == null) {
            synchronized (this) {
                if (owner == null) {
                    var config = new HikariConfig();
                    config.setPoolName("canopy-owner");
                    config.setJdbcUrl(endpoint.url());
                    config.setUsername(endpoint.ownerUser());
                    config.setPassword(endpoint.ownerPassword());
                    config.setMaximumPoolSize(ownerPoolSize);
                    config.setMinimumIdle(0);
                    config.setIdleTimeout(60_000);
                    config.setConnectionTimeout(10_000);
                    config.addDataSourceProperty("ApplicationName", "canopy-migrations");
                    owner = new HikariDataSource(config);
                }
                current = owner;
            }
        }
        return current;
    }

    @PreDestroy
    void close() {
        HikariDataSource current = owner;
        if (current != null) {
            current.close();
        }
    }
}
