package dev.canopy.identity;

import static dev.canopy.support.DatabaseAssertions.assertRefusedByRowSecurity;
import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.TenantRef;

/** {@code api_keys} under row-level security: one tenant can neither read nor change another's keys. */
class ApiKeyRowLevelSecurityTest extends ApiTest {

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    private TenantRef a;
    private TenantRef b;
    private UUID inA;
    private UUID inB;

    @BeforeEach
    void keysInTwoTenants() {
        a = fixtures.tenant();
        b = fixtures.tenant();
        inA = key(a);
        inB = key(b);
    }

    @Test
    void aTenantSeesOnlyItsOwnKeysAndNoScopeSeesNone() {
        assertThat(ids(a.id())).contains(inA).doesNotContain(inB);
        assertThat(ids(b.id())).contains(inB).doesNotContain(inA);
        assertThat(jdbc.sql("select count(*) from api_keys").query(Integer.class).single()).isZero();
    }

    @Test
    void anotherTenantsKeysCannotBeChangedDeletedOrAdded() {
        scopes.inTenant(a.id(), () -> {
            assertThat(jdbc.sql("update api_keys set roles = array['tenant_admin'], revoked_at = null,"
                    + " expires_at = null where id = ?").param(inB).update()).isZero();
            assertThat(jdbc.sql("update api_keys set tenant_id = ? where id = ?").params(a.id(), inB)
                    .update()).isZero();
            assertThat(jdbc.sql("delete from api_keys where id = ?").param(inB).update()).isZero();
        });
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(), () -> jdbc.sql("""
                insert into api_keys (tenant_id, id, name, prefix, roles)
                values (?, ?, 'planted', 'abcdefgh', array['tenant_admin'])
                """).params(b.id(), UUID.randomUUID()).update()));
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(), () -> jdbc.sql(
                "update api_keys set tenant_id = ? where id = ?").params(b.id(), inA).update()));

        List<String> roles = scopes.inTenant(b.id(), () -> jdbc.sql(
                "select array_to_string(roles, ',') from api_keys where id = ?").param(inB)
                .query(String.class).list());
        assertThat(roles).containsExactly("viewer");
        assertThat(ids(b.id())).containsExactly(inB);
    }

    private UUID key(TenantRef tenant) {
        var admin = fixtures.userIn(tenant, "tenant_admin");
        var created = api.post("/api/v1/api-keys", admin.accessToken(), obj("name", "rls", "roles",
                List.of("viewer")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return UUID.fromString(created.json().path("id").asString());
    }

    private List<UUID> ids(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> jdbc.sql("select id from api_keys").query(UUID.class).list());
    }
}
