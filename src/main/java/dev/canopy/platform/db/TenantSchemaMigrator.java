package dev.canopy.platform.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies the tenant migrations to a tenant schema of the schema tier: the scripts and checksums Flyway recorded for
 * the pooled schema, run in version order in one transaction per schema, recorded in the schema's own
 * {@code flyway_schema_history} in Flyway's format (so Flyway itself validates the result). One transaction per
 * schema rather than Flyway's one per script and its start-up per schema is what makes thousands of schemas quick; a
 * script that fails leaves its schema where it was.
 */
final class TenantSchemaMigrator {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_:]+)}");

    /**
     * V1's grants on the pool schema, named {@code tenant} outright (written before the schema tier): for another
     * schema they re-grant what the pool has, and run by several schema migrations at once they update the same
     * catalog row, which fails with "tuple concurrently updated". They are left out for schemas other than the pool.
     */
    private static final Pattern POOL_GRANT = Pattern.compile(
            "(?im)^\\s*(grant|alter\\s+default\\s+privileges)\\b[^;]*\\bschema\\s+tenant\\b[^;]*;");

    /** A tenant migration as Flyway resolved it for the pool, with its SQL text. */
    record Script(String version, String description, String script, int checksum, String sql) {
    }

    private final List<Script> scripts;
    private final String appRole;

    private TenantSchemaMigrator(List<Script> scripts, String appRole) {
        this.scripts = scripts;
        this.appRole = appRole;
    }

    /** Reads the tenant migrations the pool has applied (Flyway migrated it at start-up, as the owner). */
    static TenantSchemaMigrator of(Connection owner, String appRole) throws SQLException {
        var scripts = new ArrayList<Script>();
        try (Statement statement = owner.createStatement();
                var rs = statement.executeQuery("""
                        select version, description, script, checksum from tenant.flyway_schema_history
                         where success and type = 'SQL' and version is not null
                        """)) {
            while (rs.next()) {
                String script = rs.getString("script");
                scripts.add(new Script(rs.getString("version"), rs.getString("description"), script,
                        rs.getInt("checksum"), text("db/migration/tenant/" + script)));
            }
        }
        scripts.sort(Comparator.comparing(Script::version, TenantSchemaMigrator::compareVersions));
        return new TenantSchemaMigrator(List.copyOf(scripts), appRole);
    }

    /** The last tenant migration: the version every tenant schema should reach. */
    String latestVersion() {
        return scripts.isEmpty() ? "0" : scripts.getLast().version();
    }

    /** The migrations a schema that has the given versions still lacks, in the order they would run. */
    List<Script> pending(Set<String> applied) {
        return scripts.stream().filter(s -> !applied.contains(s.version())).toList();
    }

    /** Creates the schema with every tenant migration; the caller commits or rolls back. */
    void create(Connection owner, String schema) throws SQLException {
        createEmpty(owner, schema);
        apply(owner, schema, scripts);
        emptied(owner, schema);
    }

    /** Creates the schema with its grants and an empty history: a schema before its first tenant migration. */
    void createEmpty(Connection owner, String schema) throws SQLException {
        String quoted = quote(schema);
        try (Statement statement = owner.createStatement()) {
            statement.execute("create schema " + quoted);
            statement.execute("grant usage on schema " + quoted + " to " + quote(appRole));
            statement.execute("alter default privileges in schema " + quoted
                    + " grant select, insert, update, delete on tables to " + quote(appRole));
            statement.execute("""
                    create table %1$s.flyway_schema_history (
                        installed_rank integer not null constraint flyway_schema_history_pk primary key,
                        version varchar(50),
                        description varchar(200) not null,
                        type varchar(20) not null,
                        script varchar(1000) not null,
                        checksum integer,
                        installed_by varchar(100) not null,
                        installed_on timestamp not null default now(),
                        execution_time integer not null,
                        success boolean not null
                    );
                    create index flyway_schema_history_s_idx on %1$s.flyway_schema_history (success);
                    insert into %1$s.flyway_schema_history
                        (installed_rank, version, description, type, script, checksum, installed_by, execution_time,
                         success)
                    values (0, null, '<< Flyway Schema Creation >>', 'SCHEMA', '"%2$s"', null, current_user, 0, true)
                    """.formatted(quoted, schema));
        }
    }

    /**
     * Some migrations fill in rows for the tenants that existed then (the pool's three environments each): a new
     * schema belongs to one tenant and starts empty, so those rows, of every tenant, go again.
     */
    private static void emptied(Connection owner, String schema) throws SQLException {
        var tables = new ArrayList<String>();
        try (PreparedStatement query = owner.prepareStatement("""
                select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables
                 where table_schema = ? and table_type = 'BASE TABLE' and table_name <> 'flyway_schema_history'
                """)) {
            query.setString(1, schema);
            try (var rs = query.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        if (!tables.isEmpty()) {
            try (Statement statement = owner.createStatement()) {
                statement.execute("truncate " + String.join(", ", tables));
            }
        }
    }

    /** What a migration of one schema found and did: its last version before, and the versions it applied. */
    record Migrated(String fromVersion, List<String> applied) {
    }

    /**
     * Applies what the schema lacks, holding its advisory lock until the caller's transaction ends; the applied
     * versions are read inside the lock, so a second migration waiting on it finds nothing left to do.
     */
    Migrated migrate(Connection owner, String schema) throws SQLException {
        try (PreparedStatement lock = owner.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 18))")) {
            lock.setString(1, "tenant-schema:" + schema);
            lock.execute();
        }
        Set<String> applied = applied(owner, schema);
        List<Script> pending = pending(applied);
        apply(owner, schema, pending);
        String from = applied.stream().max(TenantSchemaMigrator::compareVersions).orElse("0");
        return new Migrated(from, pending.stream().map(Script::version).toList());
    }

    /** The versions after {@code version}, in order: what a schema recorded at that version still lacks. */
    List<String> after(String version) {
        return scripts.stream().map(Script::version).filter(v -> compareVersions(v, version) > 0).toList();
    }

    /** The versions the schema's history records as applied. */
    static Set<String> applied(Connection connection, String schema) throws SQLException {
        var versions = new HashSet<String>();
        try (Statement statement = connection.createStatement();
                var rs = statement.executeQuery("select version from " + quote(schema)
                        + ".flyway_schema_history where success and version is not null")) {
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
        }
        return versions;
    }

    private void apply(Connection owner, String schema, List<Script> pending) throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        String quoted = quote(schema);
        try (Statement statement = owner.createStatement()) {
            statement.execute("set local search_path = " + quoted);
        }
        int rank = nextRank(owner, quoted);
        try (PreparedStatement record = owner.prepareStatement("insert into " + quoted + ".flyway_schema_history "
                + "(installed_rank, version, description, type, script, checksum, installed_by, execution_time, "
                + "success) values (?, ?, ?, 'SQL', ?, ?, current_user, ?, true)")) {
            for (Script script : pending) {
                long started = System.nanoTime();
                try (Statement statement = owner.createStatement()) {
                    statement.execute(withPlaceholders(withoutPoolGrants(script.sql()), schema));
                }
                catch (SQLException e) {
                    throw new SQLException("V" + script.version() + " (" + script.script() + "): " + e.getMessage(),
                            e.getSQLState(), e);
                }
                record.setInt(1, rank++);
                record.setString(2, script.version());
                record.setString(3, script.description());
                record.setString(4, script.script());
                record.setInt(5, script.checksum());
                record.setInt(6, (int) ((System.nanoTime() - started) / 1_000_000));
                record.addBatch();
            }
            record.executeBatch();
        }
    }

    private static int nextRank(Connection owner, String quoted) throws SQLException {
        try (Statement statement = owner.createStatement();
                var rs = statement.executeQuery("select coalesce(max(installed_rank), 0) + 1 from " + quoted
                        + ".flyway_schema_history")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String withoutPoolGrants(String sql) {
        return POOL_GRANT.matcher(sql).replaceAll("-- (a grant on the pool schema, left out)");
    }

    private String withPlaceholders(String sql, String schema) {
        Matcher matcher = PLACEHOLDER.matcher(sql);
        var replaced = new StringBuilder();
        while (matcher.find()) {
            String value = switch (matcher.group(1)) {
                case "app_role" -> appRole;
                case "flyway:defaultSchema" -> schema;
                default -> throw new IllegalStateException("Unknown placeholder in a tenant migration: "
                        + matcher.group());
            };
            matcher.appendReplacement(replaced, Matcher.quoteReplacement(value));
        }
        return matcher.appendTail(replaced).toString();
    }

    /** Flyway's version order: dot-separated numbers compared as numbers. */
    static int compareVersions(String a, String b) {
        String[] left = a.split("\\.");
        String[] right = b.split("\\.");
        for (int i = 0; i < Math.max(left.length, right.length); i++) {
            long l = i < left.length ? Long.parseLong(left[i]) : 0;
            long r = i < right.length ? Long.parseLong(right[i]) : 0;
            if (l != r) {
                return Long.compare(l, r);
            }
        }
        return 0;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String text(String resource) {
        try (InputStream in = TenantSchemaMigrator.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The tenant migration " + resource + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new IllegalStateException("Cannot read " + resource, e);
        }
    }
}
