package dev.canopy.access;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.DatabaseAssertions.assertRefusedByRowSecurity;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;

/** The access tables under row-level security: one tenant can neither read nor change another's. */
class AccessRowLevelSecurityTest extends ApiTest {

    private static final List<String> TABLES = List.of("roles", "groups", "group_members", "group_roles",
            "user_permissions", "business_units", "business_unit_members", "session_business_units");

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void aTenantSeesAndChangesOnlyItsOwnRolesGroupsAndGrants() {
        TenantRef a = fixtures.tenant();
        TenantRef b = fixtures.tenant();
        Session adminA = populate(a);
        Session adminB = populate(b);

        for (String table : TABLES) {
            String sql = "select count(*) from " + table;
            String others = sql + " where tenant_id <> ?";
            assertThat(scopes.inTenant(a.id(), () -> jdbc.sql(sql).query(Integer.class).single())).as(table)
                    .isPositive();
            assertThat(scopes.inTenant(a.id(), () -> jdbc.sql(others).param(a.id()).query(Integer.class).single()))
                    .as(table).isZero();
            assertThat(jdbc.sql(sql).query(Integer.class).single()).as(table + " without a scope").isZero();
            scopes.inTenant(a.id(), () -> {
                assertThat(jdbc.sql("delete from " + table + " where tenant_id = ?").param(b.id()).update())
                        .as(table).isZero();
            });
        }
        scopes.inTenant(a.id(), () -> {
            assertThat(jdbc.sql("update roles set permissions = array['users:delete'] where tenant_id = ?")
                    .param(b.id()).update()).isZero();
            assertThat(jdbc.sql("update user_permissions set effect = 'allow' where tenant_id = ?")
                    .param(b.id()).update()).isZero();
        });
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(), () -> jdbc.sql("""
                insert into user_permissions (tenant_id, user_id, permission, effect)
                values (?, ?, 'users:delete', 'allow')
                """).params(b.id(), adminB.userId()).update()));
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(), () -> jdbc.sql("""
                insert into roles (tenant_id, id, name, permissions) values (?, ?, 'planted', array['users:delete'])
                """).params(b.id(), UUID.randomUUID()).update()));
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(), () -> jdbc.sql(
                "update groups set tenant_id = ? where tenant_id = ?").params(b.id(), a.id()).update()));

        // B's data is intact and still decides B's permissions
        assertThat(api.get("/api/v1/groups", adminB.accessToken()).json().path("items").size()).isEqualTo(1);
        assertThat(api.get("/api/v1/users/" + adminB.userId() + "/permissions", adminB.accessToken()).json()
                .path("items").get(0).path("effect").asString()).isEqualTo("deny");
        assertThat(adminA).isNotNull();
    }

    /** A custom role, a group with a member and a role, and a direct deny in the tenant. */
    private Session populate(TenantRef tenant) {
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String role = api.post("/api/v1/roles", admin.accessToken(), obj("name", "R", "permissions",
                List.of("users:list"))).json().path("id").asString();
        String group = api.post("/api/v1/groups", admin.accessToken(), obj("name", "G")).json().path("id").asString();
        assertThat(api.post("/api/v1/groups/" + group + "/roles/" + role, admin.accessToken(), null).status())
                .isEqualTo(204);
        assertThat(api.post("/api/v1/groups/" + group + "/members/" + admin.userId(), admin.accessToken(), null)
                .status()).isEqualTo(204);
        Api.Response denied = api.post("/api/v1/users/" + admin.userId() + "/permissions", admin.accessToken(),
                obj("permission", "deployments:delete", "effect", "deny"));
        assertThat(denied.status()).as(denied.toString()).isEqualTo(201);
        String unit = api.post("/api/v1/business-units", admin.accessToken(), obj("code", "U", "name", "Unit"))
                .json().path("id").asString();
        assertThat(api.send("PUT", "/api/v1/business-units/" + unit + "/members/" + admin.userId(),
                admin.accessToken(), Api.json(obj("role", "viewer")), java.util.Map.of()).status()).isEqualTo(204);
        assertThat(api.post("/api/v1/auth/switch-business-unit", admin.accessToken(), obj("business_unit_id", unit))
                .status()).isEqualTo(200);
        return admin;
    }
}
