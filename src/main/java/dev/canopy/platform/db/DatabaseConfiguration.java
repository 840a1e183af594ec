package dev.canopy.platform.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Provides the runtime {@link DataSource}: starts the embedded PostgreSQL when no URL is configured,
 * migrates the schema as the owner role, then connects as the runtime role after checking that it
 * cannot bypass row-level security.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

    @Bean(destroyMethod = "close")
    @Nullable
    EmbeddedPostgresServer embeddedPostgres(DatabaseSettings settings, @Value("${canopy.data-dir}") Path dataDir) {
        if (settings.external()) {
            return null;
        }
        return EmbeddedPostgresServer.start(dataDir, settings.appUser(), settings.embeddedClean());
    }

    @Bean
    DatabaseEndpoint databaseEndpoint(DatabaseSettings settings, @Nullable EmbeddedPostgresServer embedded) {
        return embedded != null ? embedded.endpoint()
                : new DatabaseEndpoint(settings.url(), settings.user(), settings.password(), settings.appUser(),
                        settings.appPassword());
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(DatabaseSettings settings, DatabaseEndpoint endpoint) {
        checkReachable(endpoint.url(), endpoint.ownerUser(), endpoint.ownerPassword(), "CANOPY_DATABASE_USER");
        migrate(endpoint);
        checkRuntimeRole(endpoint);
        return pool(endpoint, settings.poolSize());
    }

    private static void migrate(DatabaseEndpoint endpoint) {
        try {
            for (String schema : new String[] { "platform", "tenant" }) {
                Flyway.configure()
                        .dataSource(endpoint.url(), endpoint.ownerUser(), endpoint.ownerPassword())
                        .schemas(schema)
                        .locations("classpath:db/migration/" + schema)
                        .placeholders(java.util.Map.of("app_role", endpoint.appUser()))
                        // changes developed side by side reserve their versions up front, so one merged later may
                        // carry a lower version than one a database already has: apply it rather than refuse
                        .outOfOrder(true)
                        .load()
                        .migrate();
            }
        }
        catch (FlywayException e) {
            throw new DatabaseUnavailableException("Migrating the database failed: " + e.getMessage(),
                    "Fix the database state or the migration named above; migrations run as the schema owner.");
        }
    }

    private static void checkRuntimeRole(DatabaseEndpoint endpoint) {
        try (Connection connection = connect(endpoint.url(), endpoint.appUser(), endpoint.appPassword());
                ResultSet rs = connection.createStatement()
                        .executeQuery("select rolsuper or rolbypassrls from pg_roles where rolname = current_user")) {
            rs.next();
            if (rs.getBoolean(1) || endpoint.appUser().equals(endpoint.ownerUser())) {
                throw new DatabaseUnavailableException("The runtime role '" + endpoint.appUser()
                        + "' can bypass row-level security (it is a superuser, has BYPASSRLS or owns the tables).",
                        "Create a separate role for CANOPY_DATABASE_APP_USER: "
                                + "CREATE ROLE canopy_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '...'; "
                                + "migrations grant it what it needs.");
            }
        }
        catch (SQLException e) {
            throw unreachable(endpoint.url(), endpoint.appUser(), "CANOPY_DATABASE_APP_USER", e);
        }
    }

    private static void checkReachable(String url, String user, String password, String variable) {
        try (Connection ignored = connect(url, user, password)) {
            log.debug("Database {} reachable as {}", url, user);
        }
        catch (SQLException e) {
            throw unreachable(url, user, variable, e);
        }
    }

    private static Connection connect(String url, String user, String password) throws SQLException {
        var properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("loginTimeout", "10");
        return DriverManager.getConnection(url, properties);
    }

    private static DatabaseUnavailableException unreachable(String url, String user, String variable,
            SQLException e) {
        return new DatabaseUnavailableException(
                "Cannot connect to " + url + " as '" + user + "': " + e.getMessage(),
                "Check CANOPY_DATABASE_URL, " + variable + " and the matching password, or unset "
                        + "CANOPY_DATABASE_URL to use the embedded PostgreSQL.");
    }

    private static HikariDataSource pool(DatabaseEndpoint endpoint, int size) {
        var config = new HikariConfig();
        config.setPoolName("canopy");
        config.setJdbcUrl(endpoint.url());
        config.setUsername(endpoint.appUser());
        config.setPassword(endpoint.appPassword());
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(10_000);
        config.addDataSourceProperty("ApplicationName", "canopy");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        // tenant tables are named unqualified: outside a tenant transaction (which sets its own) they are the pool's
        config.addDataSourceProperty("currentSchema", TenantSchemas.POOL);
        return new HikariDataSource(config);
    }
}
