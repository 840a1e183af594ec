package dev.canopy.identity.sso;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.DatabaseAssertions.assertRefusedByRowSecurity;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;

/**
 * {@code sso_configs} and {@code sso_identities} under row-level security: one tenant can neither
 * read nor change another's configuration or identity links.
 */
class SsoRowLevelSecurityTest extends ApiTest {

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    private TenantRef a;
    private TenantRef b;
    private Session userOfB;

    @BeforeEach
    void configurationsAndLinksInTwoTenants() {
        a = fixtures.tenant();
        b = fixtures.tenant();
        configure(a);
        configure(b);
        userOfB = fixtures.userIn(b, "member");
        scopes.inTenant(b.id(), () -> jdbc.sql("""
                insert into sso_identities (tenant_id, issuer, subject, user_id, email)
                values (?, 'https://idp.b.example', 'sub-b', ?, ?)
                """).params(b.id(), userOfB.userId(), userOfB.email()).update());
    }

    @Test
    void aTenantSeesOnlyItsOwnRowsAndNoScopeSeesNone() {
        assertThat(tenantsOf("sso_configs", a.id())).containsExactly(a.id());
        assertThat(tenantsOf("sso_identities", a.id())).isEmpty();
        assertThat(tenantsOf("sso_identities", b.id())).containsExactly(b.id());
        assertThat(jdbc.sql("select count(*) from sso_configs").query(Integer.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from sso_identities").query(Integer.class).single()).isZero();
    }

    @Test
    void anotherTenantsRowsCannotBeChangedDeletedOrAdded() {
        scopes.inTenant(a.id(), () -> {
            assertThat(jdbc.sql("update sso_configs set auth_mode = 'local', issuer = 'https://evil.example'"
                    + " where tenant_id = ?").param(b.id()).update()).isZero();
            assertThat(jdbc.sql("delete from sso_configs where tenant_id = ?").param(b.id()).update()).isZero();
            assertThat(jdbc.sql("update sso_identities set user_id = user_id where tenant_id = ?")
                    .param(b.id()).update()).isZero();
            assertThat(jdbc.sql("delete from sso_identities where tenant_id = ?").param(b.id()).update())
                    .isZero();
        });
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(), () -> jdbc.sql("""
                insert into sso_identities (tenant_id, issuer, subject, user_id, email)
                values (?, 'https://idp.b.example', 'planted', ?, 'planted@example.org')
                """).params(b.id(), userOfB.userId()).update()));
        assertRefusedByRowSecurity(() -> scopes.inTenant(a.id(), () -> jdbc.sql(
                "update sso_configs set tenant_id = ? where tenant_id = ?").params(b.id(), a.id()).update()));

        String issuer = scopes.inTenant(b.id(), () -> jdbc.sql(
                "select issuer from sso_configs where tenant_id = ?").param(b.id()).query(String.class).single());
        assertThat(issuer).isEqualTo("https://idp." + b.slug() + ".example");
        assertThat(tenantsOf("sso_identities", b.id())).containsExactly(b.id());
    }

    private void configure(TenantRef tenant) {
        Api.Response created = api.post("/api/v1/tenants/" + tenant.id() + "/sso/config",
                fixtures.platformAdmin().accessToken(), obj("issuer", "https://idp." + tenant.slug() + ".example",
                        "client_id", "c", "client_secret", "s", "auth_mode", "both"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }

    private List<UUID> tenantsOf(String table, UUID scope) {
        return scopes.inTenant(scope, () -> jdbc.sql("select tenant_id from " + table).query(UUID.class).list());
    }
}
