package dev.canopy.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import dev.canopy.support.ApiTest;

/**
 * Platform V13 drops the clear-text secret columns only when every row is sealed. Its SQL runs here, as written,
 * against temporary tables shaped as V8_1 left the real ones (a temporary table comes first in the search path),
 * inside transactions that are rolled back, as the schema owner that runs migrations.
 */
class ClearSecretColumnsMigrationTest extends ApiTest {

    private static final String MIGRATION = "db/migration/platform/V13__drop_clear_secret_columns.sql";

    @Autowired
    private EmbeddedPostgresServer server;

    private JdbcTemplate jdbc;

    @Test
    void theMigrationRefusesWhileARowIsInClearAndChangesNothing() throws IOException {
        String migration = new ClassPathResource(MIGRATION).getContentAsString(StandardCharsets.UTF_8);
        for (String clearRow : List.of(
                "insert into signing_keys (kid, jwk) values ('old', '{\"kty\":\"EC\"}')",
                "insert into totp_credentials (user_id, totp_secret) values (gen_random_uuid(), 'JBSWY3DPEHPK3PXP')")) {
            assertThatThrownBy(() -> inRolledBack(() -> {
                scratchTables();
                jdbc.execute(clearRow);
                jdbc.execute(migration);
            })).as(clearRow).hasMessageContaining("V13 refuses to drop the clear-text secret columns")
                    .hasMessageContaining("not sealed yet");
        }
    }

    @Test
    void everyRowSealedTheClearColumnsGoAndTheSealedOnesAreRequired() throws IOException {
        String migration = new ClassPathResource(MIGRATION).getContentAsString(StandardCharsets.UTF_8);
        inRolledBack(() -> {
            scratchTables();
            jdbc.execute("insert into signing_keys (kid, sealed_jwk) values ('new', '\\x01')");
            jdbc.execute("insert into totp_credentials (user_id, sealed_secret) values (gen_random_uuid(), '\\x02')");
            jdbc.execute(migration);
            assertThat(columns("signing_keys")).containsExactly("kid", "sealed_jwk");
            assertThat(columns("totp_credentials")).containsExactly("user_id", "sealed_secret");
            assertThat(jdbc.queryForObject("""
                    select count(*) from pg_attribute where attrelid = 'signing_keys'::regclass
                       and attname = 'sealed_jwk' and attnotnull
                    """, Long.class)).isEqualTo(1);
        });
        // and against the real tables it has run: the clear columns are gone
        inRolledBack(() -> assertThat(jdbc.queryForObject("""
                select count(*) from information_schema.columns
                 where table_schema = 'platform' and (table_name, column_name) in
                       (('signing_keys', 'jwk'), ('totp_credentials', 'totp_secret'))
                """, Long.class)).isZero());
    }

    /** The two tables as platform V8_1 left them, in this transaction only. */
    private void scratchTables() {
        jdbc.execute("""
                create temporary table signing_keys (
                    kid text primary key, jwk text, sealed_jwk bytea,
                    constraint signing_keys_jwk_one_form check ((jwk is null) <> (sealed_jwk is null))
                ) on commit drop
                """);
        jdbc.execute("""
                create temporary table totp_credentials (
                    user_id uuid primary key, totp_secret text, sealed_secret bytea,
                    constraint totp_credentials_secret_one_form check ((totp_secret is null) <> (sealed_secret is null))
                ) on commit drop
                """);
    }

    private List<String> columns(String table) {
        return jdbc.queryForList("""
                select attname from pg_attribute where attrelid = ?::regclass and attnum > 0 and not attisdropped
                 order by attnum
                """, String.class, table);
    }

    private void inRolledBack(Runnable work) {
        DatabaseEndpoint endpoint = server.endpoint();
        try (Connection owner = DriverManager.getConnection(endpoint.url(), endpoint.ownerUser(),
                endpoint.ownerPassword())) {
            owner.setAutoCommit(false);
            jdbc = new JdbcTemplate(new SingleConnectionDataSource(owner, true));
            try {
                work.run();
            }
            finally {
                owner.rollback();
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
