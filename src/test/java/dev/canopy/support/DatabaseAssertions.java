package dev.canopy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.SQLException;

import org.jspecify.annotations.Nullable;

/** Assertions over what PostgreSQL refuses. */
public final class DatabaseAssertions {

    private DatabaseAssertions() {
    }

    /** The statement fails with SQLSTATE 42501 (insufficient privilege: a row-level security or grant refusal). */
    public static Throwable assertRefusedByRowSecurity(Runnable statement) {
        Throwable refused = catchThrowable(statement::run);
        assertThat(sqlState(refused)).as(String.valueOf(refused)).isEqualTo("42501");
        return refused;
    }

    /** The SQLSTATE of the first {@link SQLException} in the cause chain. */
    public static @Nullable String sqlState(@Nullable Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
