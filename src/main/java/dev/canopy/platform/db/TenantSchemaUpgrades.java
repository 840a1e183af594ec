package dev.canopy.platform.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Brings tenant schemas of the schema tier up to the current tenant migrations, one schema per owner transaction:
 * the migration and the schema's recorded {@code version} in {@code platform.tenant_schemas} commit together, so they
 * cannot disagree. A schema that fails keeps its version and gets its error recorded; no other schema is affected.
 */
@Component
public class TenantSchemaUpgrades {

    /** The longest error text kept for a schema whose migration failed. */
    private static final int MAX_FAILURE = 2000;

    private static final String STATES = """
            select tenant_id, schema_name as "schema", version, failure from platform.tenant_schemas
            """;

    private final TenantSchemas schemas;
    private final JdbcClient jdbc;
    private final DatabaseEndpoint endpoint;
    /** One permit per owner connection: migrations wait here rather than time out waiting for the pool. */
    private final Semaphore connections;

    TenantSchemaUpgrades(TenantSchemas schemas, JdbcClient jdbc, DatabaseEndpoint endpoint) {
        this.schemas = schemas;
        this.jdbc = jdbc;
        this.endpoint = endpoint;
        // one connection is left for creating tenants' schemas while migrations run
        this.connections = new Semaphore(Math.max(1, schemas.ownerPoolSize() - 1), true);
    }

    /** A tenant schema as recorded: its last tenant migration and, if its last migration failed, why. */
    public record SchemaState(UUID tenantId, String schema, String version, @Nullable String failure) {
    }

    /** The versions of one Flyway-migrated schema ({@code platform} or the pool): the last applied, and how many wait. */
    public record SchemaVersion(String version, int pending) {
    }

    /** What migrating one schema did: the version it had, the version it has, and the migrations applied between. */
    public record Upgrade(String fromVersion, String toVersion, List<String> applied) {
    }

    /** A schema whose migration failed and was rolled back; its error is recorded on the schema too. */
    public static final class UpgradeFailed extends RuntimeException {

        UpgradeFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The version every tenant schema should reach: the last tenant migration of the pool. */
    public String latestVersion() {
        return schemas.migrator().latestVersion();
    }

    /** The tenant migrations a schema recorded at {@code version} still lacks (by the recorded version alone). */
    public List<String> pendingAfter(String version) {
        return schemas.migrator().after(version);
    }

    /** The control plane's schema as Flyway sees it. */
    public SchemaVersion platform() {
        return flywayVersion("platform");
    }

    /** The pooled tenant schema as Flyway sees it. */
    public SchemaVersion pool() {
        return flywayVersion(TenantSchemas.POOL);
    }

    /**
     * One page of tenant schemas in tenant id order. {@code state}: {@code behind} (recorded version is not the
     * latest, failed ones included), {@code failed} (the last migration failed), {@code current}, or null for all.
     */
    public List<SchemaState> states(@Nullable String state, @Nullable UUID after, int limit) {
        return jdbc.sql(STATES + """
                 where (cast(:state as text) is null
                        or (:state = 'behind' and version <> :latest)
                        or (:state = 'failed' and failure is not null)
                        or (:state = 'current' and version = :latest))
                   and (cast(:after as uuid) is null or tenant_id > :after)
                 order by tenant_id
                 limit :limit
                """)
                .param("state", state)
                .param("latest", latestVersion())
                .param("after", after)
                .param("limit", limit)
                .query(SchemaState.class)
                .list();
    }

    /** Every tenant schema, in tenant id order. */
    public List<SchemaState> all() {
        return jdbc.sql(STATES + " order by tenant_id").query(SchemaState.class).list();
    }

    /** The schemas of these tenants (tenants in the pool have none), in tenant id order. */
    public List<SchemaState> of(Collection<UUID> tenantIds) {
        if (tenantIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(STATES + " where tenant_id in (:ids) order by tenant_id").param("ids", tenantIds)
                .query(SchemaState.class).list();
    }

    /** The schemas whose recorded version is not the latest, in tenant id order. */
    public List<SchemaState> behind() {
        return jdbc.sql(STATES + " where version <> ? order by tenant_id").param(latestVersion())
                .query(SchemaState.class).list();
    }

    /** The migrations the schema's own history lacks, in the order a migration would apply them; applies nothing. */
    public List<String> pending(String schema) {
        var pending = new AtomicReference<List<String>>(List.of());
        withPermit(() -> schemas.inOwnerTransaction(connection -> pending.set(schemas.migrator()
                .pending(TenantSchemaMigrator.applied(connection, schema)).stream()
                .map(TenantSchemaMigrator.Script::version).toList())));
        return pending.get();
    }

    /**
     * Applies what the tenant's schema lacks under its advisory lock and records its new version and no failure, in
     * one owner transaction. On failure nothing of it stays, the error is recorded on the schema and thrown.
     */
    public Upgrade upgrade(UUID tenantId, String schema) {
        var upgrade = new AtomicReference<Upgrade>();
        try {
            withPermit(() -> schemas.inOwnerTransaction(connection -> {
                TenantSchemaMigrator.Migrated migrated = schemas.migrator().migrate(connection, schema);
                String to = migrated.applied().isEmpty() ? migrated.fromVersion() : migrated.applied().getLast();
                to = TenantSchemaMigrator.compareVersions(to, migrated.fromVersion()) >= 0 ? to
                        : migrated.fromVersion();
                record(connection, tenantId, to);
                upgrade.set(new Upgrade(migrated.fromVersion(), to, migrated.applied()));
            }));
        }
        catch (IllegalStateException e) {
            String failure = failureText(e);
            schemas.inOwnerTransaction(connection -> recordFailure(connection, tenantId, failure));
            throw new UpgradeFailed(failure, e);
        }
        return upgrade.get();
    }

    private static void record(Connection owner, UUID tenantId, String version) throws SQLException {
        try (PreparedStatement update = owner.prepareStatement("""
                update platform.tenant_schemas set version = ?, failure = null, updated_at = now()
                 where tenant_id = ?
                """)) {
            update.setString(1, version);
            update.setObject(2, tenantId);
            update.executeUpdate();
        }
    }

    private static void recordFailure(Connection owner, UUID tenantId, String failure) throws SQLException {
        try (PreparedStatement update = owner.prepareStatement("""
                update platform.tenant_schemas set failure = ?, updated_at = now() where tenant_id = ?
                """)) {
            update.setString(1, failure);
            update.setObject(2, tenantId);
            update.executeUpdate();
        }
    }

    /** The database's own words, without our wrapper's prefix: they name the script and the statement that failed. */
    private static String failureText(IllegalStateException e) {
        String text = e.getCause() instanceof SQLException sql && sql.getMessage() != null ? sql.getMessage()
                : String.valueOf(e.getMessage());
        return text.length() <= MAX_FAILURE ? text : text.substring(0, MAX_FAILURE);
    }

    private void withPermit(Runnable work) {
        try {
            connections.acquire();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for an owner connection", e);
        }
        try {
            work.run();
        }
        finally {
            connections.release();
        }
    }

    private SchemaVersion flywayVersion(String schema) {
        MigrationInfoService info = Flyway.configure()
                .dataSource(endpoint.url(), endpoint.ownerUser(), endpoint.ownerPassword())
                .schemas(schema)
                .locations("classpath:db/migration/" + schema)
                .placeholders(Map.of("app_role", endpoint.appUser()))
                .outOfOrder(true)
                .load()
                .info();
        String version = Optional.ofNullable(info.current()).map(MigrationInfo::getVersion)
                .map(Object::toString).orElse("0");
        return new SchemaVersion(version, info.pending().length);
    }
}
