package dev.canopy.platform.db;

import static dev.canopy.support.DatabaseAssertions.assertRefusedByRowSecurity;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;

/**
 * Row-level security holds on its own, whatever the SQL: queried as the runtime role, tenant tables
 * show and accept only the rows of the scope {@link TenantTransactions} set, and nothing without one.
 */
class RowLevelSecurityTest extends ApiTest {

    private static final String INSERT = """
            insert into memberships (tenant_id, user_id, roles) values (:tenant, :user, array['member'])
            """;

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private TransactionTemplate transactions;

    private Fixtures.TenantRef a;
    private Fixtures.TenantRef b;
    private UUID onlyInA;
    private UUID onlyInB;
    /** A member of both A and B. */
    private UUID shared;

    @BeforeEach
    void twoTenants() {
        a = fixtures.tenant();
        b = fixtures.tenant();
        onlyInA = fixtures.userIn(a, "member").userId();
        onlyInB = fixtures.userIn(b, "viewer").userId();
        String email = Fixtures.unique("shared") + "@example.com";
        fixtures.addUser(a, email, "member");
        shared = UUID.fromString(fixtures.addUser(b, email, "viewer").path("id").asString());
    }

    @Test
    void anUnfilteredSelectInATenantSeesOnlyThatTenant() {
        List<Row> rows = scopes.inTenant(a.id(), () -> all());

        assertThat(rows).isNotEmpty().allSatisfy(row -> assertThat(row.tenantId()).isEqualTo(a.id()));
        assertThat(rows).extracting(Row::userId).contains(onlyInA, shared).doesNotContain(onlyInB);
        assertThat(scopes.inTenant(b.id(), () -> all())).isNotEmpty()
                .allSatisfy(row -> assertThat(row.tenantId()).isEqualTo(b.id()));
    }

    @Test
    void withoutAScopeNothingIsReadAndNothingWritten() {
        assertThat(all()).as("autocommit, no scope").isEmpty();
        List<Row> inPlainTransaction = transactions.execute(status -> all());
        assertThat(inPlainTransaction).as("transaction, no scope").isEmpty();
        assertThat(count(a.id())).isZero();

        assertRefusedByRowSecurity(() -> jdbc.sql(INSERT).param("tenant", a.id()).param("user", onlyInB).update());
        assertRefusedByRowSecurity(() -> transactions.execute(
                status -> jdbc.sql(INSERT).param("tenant", a.id()).param("user", onlyInB).update()));
        assertThat(scopes.inTenant(a.id(), () -> all())).extracting(Row::userId).doesNotContain(onlyInB);
    }

    @Test
    void theScopeEndsWithItsTransactionEvenOnAReusedConnection() {
        Set<Integer> scopedBackends = new HashSet<>();
        int reused = 0;
        for (int i = 0; i < 60; i++) {
            scopedBackends.add(scopes.inTenant(a.id(), () -> {
                assertThat(count(a.id())).isPositive();
                return backend();
            }));
            Map<String, Object> after = jdbc.sql("""
                    select pg_backend_pid() as backend, current_setting('canopy.tenant_id', true) as tenant,
                           current_setting('canopy.user_id', true) as user_id,
                           (select count(*) from memberships) as visible
                    """).query().singleRow();
            assertThat(after.get("visible")).as("rows visible after the scope ended").isEqualTo(0L);
            assertThat((String) after.get("tenant")).isNullOrEmpty();
            assertThat((String) after.get("user_id")).isNullOrEmpty();
            if (scopedBackends.contains((Integer) after.get("backend"))) {
                reused++;
            }
            Integer withinPlainTransaction = transactions.execute(status -> count(a.id()));
            assertThat(withinPlainTransaction).isZero();
        }
        assertThat(reused).as("queries on connections that had served a tenant scope").isGreaterThan(10);
    }

    @Test
    void anotherTenantsRowsCannotBeChangedDeletedOrAdded() {
        List<Row> before = scopes.inTenant(b.id(), () -> all());
        assertThat(before).extracting(Row::userId).contains(onlyInB, shared);

        scopes.inTenant(a.id(), () -> {
            for (UUID user : List.of(onlyInB, shared)) {
                assertThat(jdbc.sql("update memberships set roles = array['tenant_admin'], is_primary = false "
                        + "where tenant_id = ? and user_id = ?").params(b.id(), user).update())
                        .as("update of B's row from A").isZero();
                assertThat(jdbc.sql("update memberships set tenant_id = ? where tenant_id = ? and user_id = ?")
                        .params(a.id(), b.id(), user).update()).as("moving B's row into A").isZero();
                assertThat(jdbc.sql("delete from memberships where tenant_id = ? and user_id = ?")
                        .params(b.id(), user).update()).as("delete of B's row from A").isZero();
            }
            assertThat(jdbc.sql("delete from memberships where user_id = ?").param(onlyInB).update()).isZero();
            // the same statements do reach A's own rows
            assertThat(jdbc.sql("update memberships set roles = roles where tenant_id = ? and user_id = ?")
                    .params(a.id(), onlyInA).update()).isEqualTo(1);
        });

        assertThat(scopes.inTenant(b.id(), () -> all())).containsExactlyInAnyOrderElementsOf(before);
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(),
                () -> jdbc.sql(INSERT).param("tenant", b.id()).param("user", onlyInA).update()));
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(), () -> jdbc.sql(
                "update memberships set tenant_id = ? where tenant_id = ? and user_id = ?")
                .params(b.id(), a.id(), onlyInA).update()));
        assertThat(scopes.inTenant(b.id(), () -> all())).containsExactlyInAnyOrderElementsOf(before);
        assertThat(scopes.inTenant(a.id(), () -> all())).extracting(Row::userId).contains(onlyInA);
    }

    @Test
    void aUserScopeSeesOnlyTheUsersOwnMembershipsAndAddsNone() {
        List<Row> own = scopes.asUser(shared, () -> all());
        assertThat(own).extracting(Row::tenantId).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(own).allSatisfy(row -> assertThat(row.userId()).isEqualTo(shared));
        assertThat(scopes.asUser(onlyInA, () -> all())).extracting(Row::tenantId).containsExactly(a.id());

        assertRefusedByRowSecurity(() -> scopes.asUser(shared,
                () -> jdbc.sql(INSERT).param("tenant", a.id()).param("user", onlyInB).update()));
        assertRefusedByRowSecurity(() -> scopes.asUser(onlyInA,
                () -> jdbc.sql(INSERT).param("tenant", b.id()).param("user", onlyInA).update()));
        assertThat(scopes.asUser(onlyInA, () -> all())).extracting(Row::tenantId).containsExactly(a.id());
        assertThat(scopes.asUser(shared, () -> jdbc.sql("delete from memberships where user_id = ?")
                .param(shared).update())).as("a user scope deletes nothing").isZero();
        assertThat(scopes.asUser(shared, () -> all())).hasSize(2);
    }

    @Test
    void aUserScopeMovesThePrimaryFlagButChangesNothingElse() {
        List<Row> before = scopes.asUser(shared, () -> all());
        UUID primary = before.stream().filter(Row::primary).map(Row::tenantId).findFirst().orElseThrow();
        UUID other = primary.equals(a.id()) ? b.id() : a.id();

        Throwable refused = assertRefusedByRowSecurity(() -> scopes.asUser(shared, () -> jdbc.sql(
                "update memberships set roles = array['tenant_admin'] where tenant_id = ? and user_id = ?")
                .params(other, shared).update()));
        assertThat(refused).rootCause()
                .hasMessageContaining("outside its tenant scope only a membership's primary flag may change");
        assertRefusedByRowSecurity(() -> scopes.asUser(shared, () -> jdbc.sql(
                "update memberships set user_id = ? where tenant_id = ? and user_id = ?")
                .params(onlyInA, other, shared).update()));
        assertThat(scopes.asUser(shared, () -> all())).containsExactlyInAnyOrderElementsOf(before);

        scopes.asUser(shared, () -> {
            assertThat(jdbc.sql("update memberships set is_primary = false where user_id = ? and tenant_id = ?")
                    .params(shared, primary).update()).isEqualTo(1);
            return jdbc.sql("update memberships set is_primary = true where user_id = ? and tenant_id = ?")
                    .params(shared, other).update();
        });

        List<Row> after = scopes.asUser(shared, () -> all());
        assertThat(after).filteredOn(Row::primary).extracting(Row::tenantId).containsExactly(other);
        assertThat(after).extracting(Row::roles).containsExactlyInAnyOrderElementsOf(
                before.stream().map(Row::roles).toList());
    }

    @Test
    void theRuntimeRoleCannotBypassRowLevelSecurity() {
        Map<String, Object> role = jdbc.sql("""
                select current_user as name, rolsuper, rolbypassrls from pg_roles where rolname = current_user
                """).query().singleRow();
        assertThat(role).containsEntry("name", "canopy_app").containsEntry("rolsuper", false)
                .containsEntry("rolbypassrls", false);

        List<String> owned = jdbc.sql("""
                select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname in ('platform', 'tenant') and c.relowner = (select oid from pg_roles
                                                                             where rolname = current_user)
                """).query(String.class).list();
        assertThat(owned).isEmpty();
        List<String> schemas = jdbc.sql("""
                select nspname from pg_namespace where nspname in ('platform', 'tenant')
                   and nspowner = (select oid from pg_roles where rolname = current_user)
                """).query(String.class).list();
        assertThat(schemas).isEmpty();
        assertThat(jdbc.sql("select count(*) from pg_tables where schemaname in ('platform', 'tenant')")
                .query(Integer.class).single()).as("the tables checked exist").isGreaterThan(3);
    }

    /**
     * Any table created in schema {@code tenant} must be under forced row-level security; the only
     * exception is Flyway's migration history, which the runtime role cannot touch at all.
     */
    @Test
    void everyTenantTableIsUnderForcedRowLevelSecurity() {
        List<Map<String, Object>> tables = jdbc.sql("""
                select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
                       has_table_privilege(c.oid, 'select, insert, update, delete, truncate, references, trigger')
                           as accessible
                  from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = 'tenant' and c.relkind in ('r', 'p')
                 order by c.relname
                """).query().listOfRows();
        assertThat(tables).extracting(row -> row.get("name")).contains("memberships");

        for (Map<String, Object> table : tables) {
            if (table.get("name").equals("flyway_schema_history")) {
                assertThat(table.get("accessible")).as("runtime role's access to the migration history")
                        .isEqualTo(false);
                continue;
            }
            assertThat(table).as("tenant." + table.get("name")).containsEntry("enabled", true)
                    .containsEntry("forced", true);
        }
        assertThat(jdbc.sql("select count(*) from pg_policies where schemaname = 'tenant' and tablename = 'memberships'"
                + " and policyname = 'tenant_isolation'").query(Integer.class).single()).isEqualTo(1);
    }

    record Row(UUID tenantId, UUID userId, List<String> roles, boolean primary) {
    }

    /** Deliberately unfiltered: whatever it returns is what row-level security lets through. */
    private List<Row> all() {
        return jdbc.sql("select * from memberships").query((rs, n) -> new Row(
                rs.getObject("tenant_id", UUID.class), rs.getObject("user_id", UUID.class),
                List.of((String[]) rs.getArray("roles").getArray()), rs.getBoolean("is_primary"))).list();
    }

    private int count(UUID tenantId) {
        return jdbc.sql("select count(*) from memberships where tenant_id = ?").param(tenantId)
                .query(Integer.class).single();
    }

    private int backend() {
        return jdbc.sql("select pg_backend_pid()").query(Integer.class).single();
    }
}
