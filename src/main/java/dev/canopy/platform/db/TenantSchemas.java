package dev.canopy.platform.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import jakarta.annotation.PreDestroy;

/**
 * Where a tenant's rows live on this server: the pooled schema {@code tenant}, or a schema {@code t_<id>} of its own
 * (the schema tier, listed in {@code platform.tenant_schemas}, which tenant transactions read as they start).
 * Tenancy builds a tenant's schema here.
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
    private volatile @Nullable HikariDataSource owner;
    private volatile @Nullable TenantSchemaMigrator migrator;

    TenantSchemas(JdbcClient jdbc, DatabaseEndpoint endpoint, DatabaseSettings settings) {
        this.jdbc = jdbc;
        this.endpoint = endpoint;
        this.ownerPoolSize = Math.max(4, settings.ownerPoolSize());
    }

    /** The schema name a tenant of the schema tier gets: {@code t_} and its id without dashes. */
    public static String schemaOf(UUID tenantId) {
        return "t_" + tenantId.toString().replace("-", "");
    }

    /** The last tenant migration: a tenant schema with another version is being migrated. */
    String latestVersion() {
        return migrator().latestVersion();
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
    }

    /** Whether the tenant has a schema of its own. */
    public boolean hasOwnSchema(UUID tenantId) {
        return jdbc.sql("select count(*) from platform.tenant_schemas where tenant_id = ?").param(tenantId)
                .query(Integer.class).single() > 0;
    }

    private void dropOnRollback(UUID tenantId, String schema) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
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
