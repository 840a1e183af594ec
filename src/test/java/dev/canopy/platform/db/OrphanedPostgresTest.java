package dev.canopy.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * {@code kill -9} of Canopy leaves its embedded PostgreSQL running on the data directory; the next start finds
 * that orphan by its {@code postmaster.pid}, stops it and starts cleanly, keeping the data.
 */
class OrphanedPostgresTest {

    @Test
    void aServerLeftByAKilledJvmIsStoppedAndTheNextStartSucceeds(@TempDir Path dataDir) throws Exception {
        Path directory = dataDir.resolve("postgres").toAbsolutePath();
        Files.createDirectories(directory);
        // another JVM starts PostgreSQL on the data directory and is killed as kill -9 would
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), StartsPostgresAndWaits.class.getName(), directory.toString())
                .redirectErrorStream(true).start();
        try (var out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("READY"));
            assertThat(line).as("the other JVM started PostgreSQL").isNotNull();
            jvm.destroyForcibly();
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        long orphanPid = Long.parseLong(Files.readAllLines(directory.resolve("postmaster.pid")).getFirst().strip());
        ProcessHandle orphan = ProcessHandle.of(orphanPid).orElseThrow();
        assertThat(orphan.isAlive()).as("PostgreSQL outlived its JVM").isTrue();

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, "canopy_app", false)) {
            assertThat(orphan.isAlive()).as("the orphan was stopped").isFalse();
            DatabaseEndpoint endpoint = server.endpoint();
            try (Connection connection = DriverManager.getConnection(endpoint.url(), endpoint.ownerUser(),
                    endpoint.ownerPassword()); Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("select value from left_behind")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("the orphan's data is kept").isEqualTo("written before the kill");
            }
        }
        finally {
            if (orphan.isAlive()) {
                orphan.destroy();
            }
        }
    }

    /** The other JVM: PostgreSQL on the given directory, a row written, then it waits to be killed. */
    static final class StartsPostgresAndWaits {

        public static void main(String[] args) throws Exception {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(Path.of(args[0]))
                    .setCleanDataDirectory(false).setServerConfig("listen_addresses", "localhost").start();
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                for (String sql : List.of("create role canopy_owner login", "create database canopy owner canopy_owner")) {
                    statement.execute(sql);
                }
            }
            try (Connection connection = postgres.getDatabase("canopy_owner", "canopy").getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("create table left_behind (value text not null)");
                statement.execute("insert into left_behind values ('written before the kill')");
            }
            System.out.println("READY " + postgres.getPort());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
