package dev.canopy.tenancy.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Checks a database server as Canopy would use it: both roles can sign in, and the runtime role can neither bypass
 * row-level security nor is the owner of the tables. Bounded: 5 s to connect, 10 s to sign in.
 */
@Component
class ServerProbe {

    /** What a check found; {@code version} is the server's when it could be read. */
    record Health(String status, @Nullable String detail, @Nullable String version) {

        static final String HEALTHY = "healthy";
        static final String UNREACHABLE = "unreachable";
        static final String CREDENTIALS_INVALID = "credentials_invalid";
        static final String RLS_BYPASS = "rls_bypass";

        boolean healthy() {
            return status.equals(HEALTHY);
        }
    }

    Health check(String jdbcUrl, String ownerUser, String ownerPassword, String runtimeUser, String runtimePassword) {
        try (Connection ignored = connect(jdbcUrl, ownerUser, ownerPassword)) {
            // the owner signs in: migrations and schema or database creation can run
        }
        catch (SQLException e) {
            return failure("owner", ownerUser, e);
        }
        try (Connection connection = connect(jdbcUrl, runtimeUser, runtimePassword);
                Statement statement = connection.createStatement()) {
            String version;
            try (ResultSet rs = statement.executeQuery("show server_version")) {
                rs.next();
                version = rs.getString(1);
            }
            try (ResultSet rs = statement.executeQuery(
                    "select rolsuper or rolbypassrls from pg_roles where rolname = current_user")) {
                rs.next();
                if (rs.getBoolean(1) || runtimeUser.equals(ownerUser)) {
                    return new Health(Health.RLS_BYPASS, "The runtime role '" + runtimeUser + "' can bypass "
                            + "row-level security (a superuser, BYPASSRLS, or the owner role itself).", version);
                }
            }
            return new Health(Health.HEALTHY, null, version);
        }
        catch (SQLException e) {
            return failure("runtime", runtimeUser, e);
        }
    }

    private static Health failure(String which, String user, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("28")) { // invalid_authorization_specification, invalid_password
            return new Health(Health.CREDENTIALS_INVALID, "The " + which + " role '" + user + "' cannot sign in: "
                    + firstLine(e.getMessage()), null);
        }
        return new Health(Health.UNREACHABLE, "Cannot connect as the " + which + " role: " + firstLine(e.getMessage()),
                null);
    }

    private static Connection connect(String url, String user, String password) throws SQLException {
        var properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("loginTimeout", "10");
        properties.setProperty("socketTimeout", "10");
        properties.setProperty("ApplicationName", "canopy-probe");
        return DriverManager.getConnection(url, properties);
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "no detail";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
