package dev.canopy.platform.db;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * PostgreSQL 17 started from the embedded binaries, data kept under {@code <data-dir>/postgres}.
 * It listens on loopback only and creates the owner and runtime roles on first start.
 */
class EmbeddedPostgresServer implements Closeable {

    static final String DATABASE = "canopy";
    static final String OWNER = "canopy_owner";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;
    private final String appUser;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, String appUser) {
        this.postgres = postgres;
        this.appUser = appUser;
    }

    static EmbeddedPostgresServer start(Path dataDir, String appUser, boolean clean) {
        if (!appUser.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new DatabaseUnavailableException("The runtime role name '" + appUser + "' is not a plain identifier.",
                    "Set CANOPY_DATABASE_APP_USER to lower-case letters, digits and underscores.");
        }
        Path directory = dataDir.resolve("postgres").toAbsolutePath();
        try {
            Files.createDirectories(directory);
            // also before a clean start: the orphan would otherwise run on, on a directory deleted under it
            LeftoverPostmaster.stopIfAny(directory);
            long started = System.nanoTime();
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(clean)
                    .setServerConfig("listen_addresses", "localhost")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            log.info("Embedded PostgreSQL started on port {} with data in {} ({} ms)", postgres.getPort(), directory,
                    (System.nanoTime() - started) / 1_000_000);
            var server = new EmbeddedPostgresServer(postgres, appUser);
            server.createRolesAndDatabase();
            return server;
        }
        catch (DatabaseUnavailableException e) {
            throw e;
        }
        catch (IOException | SQLException | RuntimeException e) {
            throw new DatabaseUnavailableException("The embedded PostgreSQL in " + directory + " could not start: "
                    + rootMessage(e), "Check that the directory is writable and not used by another Canopy process, "
                            + "or set CANOPY_DATA_DIR to another directory.");
        }
    }

    DatabaseEndpoint endpoint() {
        return new DatabaseEndpoint("jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE, OWNER, "",
                appUser, "");
    }

    private void createRolesAndDatabase() throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            if (!exists(statement, "select 1 from pg_roles where rolname = '" + OWNER + "'")) {
                statement.execute("create role " + OWNER + " login nosuperuser nocreaterole");
            }
            if (!exists(statement, "select 1 from pg_roles where rolname = '" + appUser + "'")) {
                statement.execute("create role " + appUser + " login nosuperuser nobypassrls nocreatedb nocreaterole");
            }
            if (!exists(statement, "select 1 from pg_database where datname = '" + DATABASE + "'")) {
                statement.execute("create database " + DATABASE + " owner " + OWNER);
                statement.execute("revoke all on database " + DATABASE + " from public");
                statement.execute("grant connect on database " + DATABASE + " to " + appUser);
            }
        }
    }

    private static boolean exists(Statement statement, String sql) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            return rs.next();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
