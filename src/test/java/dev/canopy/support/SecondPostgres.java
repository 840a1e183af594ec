package dev.canopy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A second PostgreSQL server, another embedded instance, for the data placement tests: TCP connections need a
 * password (scram-sha-256), so wrong credentials are refused as on a real server. Started once per JVM, stopped with
 * it. {@link #SUPERUSER} is its superuser with password {@link #SUPERUSER_PASSWORD}.
 */
public final class SecondPostgres {

    public static final String SUPERUSER = "postgres";
    public static final String SUPERUSER_PASSWORD = "second-superuser-pw";

    private static EmbeddedPostgres server;

    private SecondPostgres() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                Path directory = Path.of("target/test-data/second-postgres-" + ProcessHandle.current().pid())
                        .toAbsolutePath();
                Files.createDirectories(directory);
                server = EmbeddedPostgres.builder().setDataDirectory(directory).setCleanDataDirectory(true)
                        .setServerConfig("listen_addresses", "localhost")
                        .setPGStartupWait(Duration.ofSeconds(60)).start();
                Files.writeString(directory.resolve("pg_hba.conf"), """
                        local all all trust
                        host all all 127.0.0.1/32 scram-sha-256
                        host all all ::1/128 scram-sha-256
                        """);
                execute("alter role postgres password '" + SUPERUSER_PASSWORD + "'", "select pg_reload_conf()");
                Runtime.getRuntime().addShutdownHook(new Thread(SecondPostgres::stop));
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    public static String url() {
        return "jdbc:postgresql://localhost:" + server().getPort() + "/postgres";
    }

    /** Runs statements as the superuser. */
    public static void execute(String... statements) {
        try (Connection connection = DriverManager.getConnection(url(), SUPERUSER, SUPERUSER_PASSWORD);
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void stop() {
        try {
            server.close();
        }
        catch (IOException e) {
            // the JVM is ending anyway
        }
    }
}
