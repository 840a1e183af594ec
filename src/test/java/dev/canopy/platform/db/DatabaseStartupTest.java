package dev.canopy.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.canopy.CanopyApplication;

/** Canopy refuses a database it cannot use, quickly and in plain words, and its own database keeps data. */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
@ExtendWith(OutputCaptureExtension.class)
class DatabaseStartupTest {

    @Test
    void anUnreachableDatabaseStopsTheStartFastWithOneClearReport(CapturedOutput output, @TempDir Path dataDir) {
        String url = "jdbc:postgresql://127.0.0.1:1/canopy";
        long started = System.nanoTime();

        Throwable failure = start(dataDir, "canopy.database.url=" + url, "canopy.database.user=canopy_owner",
                "canopy.database.password=secret", "canopy.database.app-user=canopy_app",
                "canopy.database.app-password=secret");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        DatabaseUnavailableException cause = databaseUnavailable(failure);
        assertThat(cause).as("root cause chain of %s", failure).isNotNull();
        assertThat(cause.getMessage()).contains(url).contains("canopy_owner");
        assertThat(cause.action()).contains("CANOPY_DATABASE_URL");
        assertThat(output.getAll()).contains("APPLICATION FAILED TO START").contains("Cannot connect to " + url)
                .contains("CANOPY_DATABASE_URL")
                .doesNotContain("\tat org.postgresql").doesNotContain("\\tat org.postgresql")
                .doesNotContain("at org.postgresql.").doesNotContain("at org.springframework.");
    }

    @Test
    void theEmbeddedServerKeepsItsDataAcrossRestarts(@TempDir Path dataDir) throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, "canopy_app", false);
                Connection connection = ownerConnection(server);
                Statement statement = connection.createStatement()) {
            statement.execute("create table kept (value text not null)");
            statement.execute("insert into kept values ('still here')");
        }

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, "canopy_app", false);
                Connection connection = ownerConnection(server);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("select value from kept")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("still here");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void aRuntimeRoleThatCanBypassRowLevelSecurityIsRefused(CapturedOutput output, @TempDir Path dataDir)
            throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, "canopy_app", false)) {
            DatabaseEndpoint endpoint = server.endpoint();

            Throwable failure = start(dataDir.resolve("unused"), "canopy.database.url=" + endpoint.url(),
                    "canopy.database.user=" + endpoint.ownerUser(),
                    "canopy.database.password=" + endpoint.ownerPassword(), "canopy.database.app-user=postgres",
                    "canopy.database.app-password=");

            DatabaseUnavailableException cause = databaseUnavailable(failure);
            assertThat(cause).as("root cause chain of %s", failure).isNotNull();
            assertThat(cause.getMessage()).contains("'postgres'").contains("row-level security");
            assertThat(output.getAll()).contains("APPLICATION FAILED TO START").contains("row-level security");
        }
    }

    private static Throwable start(Path dataDir, String... properties) {
        Throwable failure = catchThrowable(() -> {
            // as arguments: they must win over application.yml, as CANOPY_* variables would
            List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--canopy.data-dir=" + dataDir,
                    "--canopy.bootstrap.admin-password=not-used-by-this-test-1"));
            Stream.of(properties).map(property -> "--" + property).forEach(arguments::add);
            ConfigurableApplicationContext context = new SpringApplicationBuilder(CanopyApplication.class)
                    .web(WebApplicationType.SERVLET)
                    .run(arguments.toArray(String[]::new));
            context.close();
        });
        assertThat(failure).as("the application must not start").isNotNull();
        return failure;
    }

    private static @Nullable DatabaseUnavailableException databaseUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DatabaseUnavailableException e) {
                return e;
            }
        }
        return null;
    }

    private static Connection ownerConnection(EmbeddedPostgresServer server) throws SQLException {
        DatabaseEndpoint endpoint = server.endpoint();
        return DriverManager.getConnection(endpoint.url(), endpoint.ownerUser(), endpoint.ownerPassword());
    }
}
