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
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.TenantRef;

/** {@code invitations} under row-level security: one tenant can neither read nor change another's. */
class InvitationRowLevelSecurityTest extends ApiTest {

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    private TenantRef a;
    private TenantRef b;
    private UUID inA;
    private UUID inB;

    @BeforeEach
    void invitationsInTwoTenants() {
        a = fixtures.tenant();
        b = fixtures.tenant();
        inA = invite(a);
        inB = invite(b);
    }

    @Test
    void aTenantSeesOnlyItsOwnInvitationsAndNoScopeSeesNone() {
        assertThat(ids(a.id())).contains(inA).doesNotContain(inB);
        assertThat(ids(b.id())).contains(inB).doesNotContain(inA);
        assertThat(jdbc.sql("select count(*) from invitations").query(Integer.class).single()).isZero();
        assertThat(scopes.inTenant(a.id(), () -> jdbc.sql("select count(*) from invitations where id = ?")
                .param(inB).query(Integer.class).single())).isZero();
    }

    @Test
    void anotherTenantsInvitationsCannotBeChangedDeletedOrAdded() {
        scopes.inTenant(a.id(), () -> {
            assertThat(jdbc.sql("update invitations set roles = array['tenant_admin'], expires_at = now() "
                    + "+ interval '1 year' where id = ?").param(inB).update()).isZero();
            assertThat(jdbc.sql("update invitations set tenant_id = ? where id = ?").params(a.id(), inB)
                    .update()).isZero();
            assertThat(jdbc.sql("delete from invitations where id = ?").param(inB).update()).isZero();
        });
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(), () -> jdbc.sql("""
                insert into invitations (tenant_id, id, email, roles, expires_at)
                values (?, ?, 'x@example.com', array['tenant_admin'], now() + interval '1 day')
                """).params(b.id(), UUID.randomUUID()).update()));
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(), () -> jdbc.sql(
                "update invitations set tenant_id = ? where id = ?").params(b.id(), inA).update()));

        List<String> roles = scopes.inTenant(b.id(), () -> jdbc.sql(
                "select array_to_string(roles, ',') from invitations where id = ?").param(inB)
                .query(String.class).list());
        assertThat(roles).containsExactly("member");
        assertThat(ids(a.id())).contains(inA).doesNotContain(inB);
    }

    private UUID invite(TenantRef tenant) {
        var admin = fixtures.userIn(tenant, "tenant_admin");
        var created = api.post("/api/v1/invitations", admin.accessToken(), obj("email",
                Fixtures.unique("rls") + "@example.com", "roles", List.of("member")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return UUID.fromString(created.json().path("id").asString());
    }

    private List<UUID> ids(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> jdbc.sql("select id from invitations").query(UUID.class).list());
    }
}
