package dev.canopy.platform.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongConsumer;

import org.springframework.stereotype.Component;

/**
 * Moves a tenant's rows between the pool and a schema of its own on this server while the tenant keeps working: the
 * append-only audit tables are copied first up to a watermark without blocking anyone; then, holding the tenant's
 * data lock exclusively (tenant transactions take it shared as they start, so they wait, and none is lost), the rest
 * and what was appended meanwhile are copied, counts and the audit chain's hashes compared, and the routing switched
 * in the same transaction. The source stays until {@link #dropSource}.
 */
@Component
public class TenantRelocation {

    /** Tables copied in bulk before the window, by sequence number: they only grow, and they are the big ones. */
    private static final List<String> APPENDED = List.of("audit_events", "audit_terms");

    private final TenantSchemas schemas;

    TenantRelocation(TenantSchemas schemas) {
        this.schemas = schemas;
    }

    /** What a move copied: rows per table, and how long the tenant's transactions were held. */
    public record Moved(String sourceSchema, String targetSchema, Map<String, Long> rows, long blockedMillis) {

        public long total() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** A move that could not complete; the source is untouched and the routing unchanged. */
    public static class MoveFailed extends RuntimeException {
        MoveFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Moves the tenant into a schema of its own ({@code intoOwnSchema}) or back into the pool; {@code progress} hears
     * the rows copied so far.
     */
    public Moved relocate(UUID tenantId, boolean intoOwnSchema, LongConsumer progress) {
        String own = TenantSchemas.schemaOf(tenantId);
        String source = intoOwnSchema ? TenantSchemas.POOL : own;
        String target = intoOwnSchema ? own : TenantSchemas.POOL;
        // what an earlier move out of the target left there goes first: nothing is routed to it
        if (intoOwnSchema) {
            schemas.inOwnerTransaction(owner -> execute(owner, "drop schema if exists " + quote(own) + " cascade"));
            schemas.inOwnerTransaction(owner -> schemas.migrator().create(owner, own));
        }
        else {
            schemas.inOwnerTransaction(owner -> deleteRows(owner, tenantId, TenantSchemas.POOL));
        }
        try {
            return copyAndSwitch(tenantId, source, target, intoOwnSchema, progress);
        }
        catch (RuntimeException e) {
            if (intoOwnSchema) {
                schemas.inOwnerTransaction(owner -> execute(owner, "drop schema if exists " + quote(own) + " cascade"));
            }
            else {
                schemas.inOwnerTransaction(owner -> deleteRows(owner, tenantId, TenantSchemas.POOL));
            }
            throw e instanceof MoveFailed failed ? failed : new MoveFailed(e.getMessage(), e);
        }
    }

    private Moved copyAndSwitch(UUID tenantId, String source, String target, boolean intoOwnSchema,
            LongConsumer progress) {
        var rows = new LinkedHashMap<String, Long>();
        long[] copied = new long[1];
        var tables = new ArrayList<Table>();
        var watermarks = new LinkedHashMap<String, Long>();
        var appendedBelow = new LinkedHashMap<String, Long>();
        schemas.inOwnerTransaction(owner -> {
            tables.addAll(tablesInOrder(owner, source));
            scope(owner, tenantId);
            for (String appended : APPENDED) {
                long mark = single(owner, "select coalesce(max(seq), 0) from " + quote(source) + "." + appended
                        + " where tenant_id = ?", tenantId);
                watermarks.put(appended, mark);
                copied[0] += copy(owner, table(tables, appended), source, target, tenantId, "seq <= " + mark);
                appendedBelow.put(appended, requireSameCount(owner, source, target, appended, tenantId,
                        "seq <= " + mark));
                progress.accept(copied[0]);
            }
            compareChain(owner, source, target, tenantId, "seq <= " + watermarks.get("audit_events"));
        });
        long[] blocked = new long[1];
        schemas.inOwnerTransaction(owner -> {
            execute(owner, "set local lock_timeout = '30s'");
            scope(owner, tenantId);
            long started = System.nanoTime();
            try (PreparedStatement lock = owner.prepareStatement(
                    "select pg_advisory_xact_lock(hashtextextended('tenant-data:' || ?, 0))")) {
                lock.setString(1, tenantId.toString());
                lock.execute();
            }
            for (Table table : tables) {
                Long mark = watermarks.get(table.name());
                copied[0] += copy(owner, table, source, target, tenantId, mark == null ? "true" : "seq > " + mark);
            }
            progress.accept(copied[0]);
            for (Table table : tables) {
                Long mark = watermarks.get(table.name());
                long above = requireSameCount(owner, source, target, table.name(), tenantId,
                        mark == null ? "true" : "seq > " + mark);
                rows.put(table.name(), above + (mark == null ? 0 : appendedBelow.get(table.name())));
            }
            compareChain(owner, source, target, tenantId, "seq > " + watermarks.get("audit_events"));
            route(owner, tenantId, intoOwnSchema, target);
            blocked[0] = (System.nanoTime() - started) / 1_000_000;
        });
        return new Moved(source, target, rows, blocked[0]);
    }

    /** Switches the tenant's transactions to the target, inside the window. */
    private void route(Connection owner, UUID tenantId, boolean intoOwnSchema, String target) throws SQLException {
        if (intoOwnSchema) {
            update(owner, "insert into platform.tenant_schemas (tenant_id, schema_name, version) values (?, ?, ?)",
                    tenantId, target, schemas.latestVersion());
            // the pool's memberships of the tenant would be found by members' sign-in besides the schema's
            update(owner, "delete from tenant.memberships where tenant_id = ?", tenantId);
        }
        else {
            update(owner, "delete from platform.tenant_schemas where tenant_id = ?", tenantId);
            update(owner, "delete from platform.member_locations where tenant_id = ?", tenantId);
        }
    }

    /** Drops what a finished move left behind (the tenant's old schema, or its rows in the pool) unless routed there. */
    public void dropSource(UUID tenantId, String sourceSchema) {
        boolean ownSchema = schemas.hasOwnSchema(tenantId);
        if (sourceSchema.equals(TenantSchemas.POOL) && ownSchema) {
            schemas.inOwnerTransaction(owner -> deleteRows(owner, tenantId, TenantSchemas.POOL));
        }
        else if (!sourceSchema.equals(TenantSchemas.POOL) && !ownSchema) {
            schemas.inOwnerTransaction(owner -> execute(owner, "drop schema if exists " + quote(sourceSchema)
                    + " cascade"));
        }
    }

    private void deleteRows(Connection owner, UUID tenantId, String schema) throws SQLException {
        scope(owner, tenantId);
        List<Table> tables = tablesInOrder(owner, schema);
        for (int i = tables.size() - 1; i >= 0; i--) {
            update(owner, "delete from " + quote(schema) + "." + tables.get(i).name() + " where tenant_id = ?",
                    tenantId);
        }
    }

    /** A tenant table and the columns a copy writes (generated ones are computed again). */
    private record Table(String name, List<String> columns) {
    }

    private static Table table(List<Table> tables, String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("No tenant table " + name));
    }

    /** The schema's tenant tables, referenced ones before those referencing them. */
    private static List<Table> tablesInOrder(Connection owner, String schema) throws SQLException {
        var columns = new LinkedHashMap<String, List<String>>();
        try (PreparedStatement query = owner.prepareStatement("""
                select c.table_name, c.column_name from information_schema.columns c
                  join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
                 where c.table_schema = ? and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER'
                   and exists (select from information_schema.columns k where k.table_schema = c.table_schema
                                and k.table_name = c.table_name and k.column_name = 'tenant_id')
                 order by c.table_name, c.ordinal_position
                """)) {
            query.setString(1, schema);
            try (var rs = query.executeQuery()) {
                while (rs.next()) {
                    columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        var references = new LinkedHashMap<String, List<String>>();
        try (PreparedStatement query = owner.prepareStatement("""
                select c.conrelid::regclass::text, c.confrelid::regclass::text from pg_constraint c
                 where c.contype = 'f' and c.connamespace = to_regnamespace(?) and c.conrelid <> c.confrelid
                """)) {
            query.setString(1, schema);
            try (var rs = query.executeQuery()) {
                while (rs.next()) {
                    references.computeIfAbsent(bare(rs.getString(1)), k -> new ArrayList<>()).add(bare(rs.getString(2)));
                }
            }
        }
        var ordered = new ArrayList<Table>();
        var placed = new java.util.HashSet<String>();
        while (placed.size() < columns.size()) {
            int before = placed.size();
            for (var entry : columns.entrySet()) {
                if (!placed.contains(entry.getKey()) && references.getOrDefault(entry.getKey(), List.of()).stream()
                        .allMatch(r -> placed.contains(r) || !columns.containsKey(r))) {
                    ordered.add(new Table(entry.getKey(), entry.getValue()));
                    placed.add(entry.getKey());
                }
            }
            if (placed.size() == before) {
                throw new IllegalStateException("Tenant tables reference each other in a cycle: " + columns.keySet());
            }
        }
        return ordered;
    }

    private static String bare(String regclass) {
        return regclass.substring(regclass.lastIndexOf('.') + 1).replace("\"", "");
    }

    private static long copy(Connection owner, Table table, String source, String target, UUID tenantId,
            String condition) throws SQLException {
        String columns = String.join(", ", table.columns());
        return update(owner, "insert into " + quote(target) + "." + table.name() + " (" + columns + ") select "
                + columns + " from " + quote(source) + "." + table.name() + " where tenant_id = ? and " + condition,
                tenantId);
    }

    /** The audit chain arrived unchanged: the same hashes in the same order (its own verification is the audit's). */
    private static void compareChain(Connection owner, String source, String target, UUID tenantId, String condition)
            throws SQLException {
        String digest = "select coalesce(md5(string_agg(encode(hash, 'hex'), '' order by seq)), '') from %s."
                + "audit_events where tenant_id = ? and " + condition;
        String from = text(owner, digest.formatted(quote(source)), tenantId);
        String to = text(owner, digest.formatted(quote(target)), tenantId);
        if (!from.equals(to)) {
            throw new MoveFailed("The audit chain differs after the copy (" + condition + ")", null);
        }
    }

    /** Compares the tenant's rows matching the condition in source and target; answers their number. */
    private static long requireSameCount(Connection owner, String source, String target, String table, UUID tenantId,
            String condition) throws SQLException {
        String sql = "select count(*) from %s." + table + " where tenant_id = ? and " + condition;
        long inSource = single(owner, sql.formatted(quote(source)), tenantId);
        long inTarget = single(owner, sql.formatted(quote(target)), tenantId);
        if (inSource != inTarget) {
            throw new MoveFailed(table + ": " + inSource + " rows in " + source + " but " + inTarget + " in " + target
                    + " (" + condition + ")", null);
        }
        return inTarget;
    }

    /** Row-level security binds the owner too (FORCE): the tenant's scope for the rest of the transaction. */
    private static void scope(Connection owner, UUID tenantId) throws SQLException {
        try (PreparedStatement statement = owner.prepareStatement(
                "select set_config('canopy.tenant_id', ?, true), set_config('canopy.user_id', '', true)")) {
            statement.setString(1, tenantId.toString());
            statement.execute();
        }
    }

    private static long single(Connection owner, String sql, UUID tenantId) throws SQLException {
        return Long.parseLong(text(owner, sql, tenantId));
    }

    /** The one value a query of the tenant's rows answers, as text. */
    private static String text(Connection owner, String sql, UUID tenantId) throws SQLException {
        try (PreparedStatement query = owner.prepareStatement(sql)) {
            query.setObject(1, tenantId);
            try (var rs = query.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static int update(Connection owner, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = owner.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            return statement.executeUpdate();
        }
    }

    private static void execute(Connection owner, String sql) throws SQLException {
        try (Statement statement = owner.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String quote(String identifier) {
        return TenantSchemaMigrator.quote(identifier);
    }
}
