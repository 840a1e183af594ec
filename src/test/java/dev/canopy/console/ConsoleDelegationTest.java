package dev.canopy.console;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.DatabaseAssertions.assertRefusedByRowSecurity;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;

/** The tenant switcher lists the client tenants an MSP's grant lets its members into, and only those. */
class ConsoleDelegationTest extends ApiTest {

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void anMspAdministratorSwitchesIntoAGrantingClientAndBack() {
        TenantRef msp = fixtures.tenant();
        TenantRef client = fixtures.tenant(fixtures.switchTo(fixtures.platformAdmin(), msp.id()), msp.id());
        TenantRef unrelated = fixtures.tenant();
        String adminEmail = Fixtures.unique("msp-admin") + "@example.com";
        fixtures.addUser(msp, adminEmail, "tenant_admin");
        String viewerEmail = Fixtures.unique("msp-viewer") + "@example.com";
        fixtures.addUser(msp, viewerEmail, "viewer");
        grant(client, msp, "viewer", "tenant_admin");
        grant(unrelated, fixtures.tenant(), "viewer", "tenant_admin");

        var admin = new ConsoleClient(port).signIn(adminEmail, Fixtures.PASSWORD);
        String home = admin.get("/").body();
        assertThat(home).contains("value=\"" + client.id() + "\"")
                .contains("Tenant " + client.slug() + " (via Tenant " + msp.slug() + ")")
                .doesNotContain(unrelated.id().toString());
        var switched = admin.post("/switch-tenant", "tenant_id", client.id().toString());
        assertThat(switched.status()).isIn(302, 303);
        String inClient = admin.get("/").body();
        assertThat(inClient).contains("data-testid=\"current-tenant\">Tenant " + client.slug())
                .contains("data-testid=\"current-role\">Viewer via Tenant " + msp.slug());
        // from the client, back to the MSP: the switcher offers the user's own tenant
        assertThat(inClient).contains("value=\"" + msp.id() + "\"");
        assertThat(admin.post("/switch-tenant", "tenant_id", msp.id().toString()).status()).isIn(302, 303);
        assertThat(admin.get("/").body()).contains("data-testid=\"current-tenant\">Tenant " + msp.slug());

        // the grant names the MSP's administrators: its viewer is offered no way in
        var viewer = new ConsoleClient(port).signIn(viewerEmail, Fixtures.PASSWORD);
        assertThat(viewer.get("/").body()).doesNotContain(client.id().toString());
    }

    @Test
    void aTenantLearnsOnlyWhoGrantedItselfAndReadsNoGrantOfAnother() {
        TenantRef msp = fixtures.tenant();
        TenantRef client = fixtures.tenant();
        TenantRef other = fixtures.tenant();
        grant(client, msp, "viewer", "tenant_admin");

        assertThat(scopes.inTenant(msp.id(), () -> jdbc.sql("select * from tenants_granting_to(?)")
                .param(msp.id()).query(UUID.class).list())).containsExactly(client.id());
        assertThat(scopes.inTenant(msp.id(), () -> jdbc.sql("select count(*) from access_grants")
                .query(Long.class).single())).isZero();
        assertRefusedByRowSecurity(() -> scopes.inTenant(other.id(),
                () -> jdbc.sql("select * from tenants_granting_to(?)").param(msp.id()).query(UUID.class)
                        .list()));
    }

    private void grant(TenantRef client, TenantRef grantee, String roleKey, String granteeRole) {
        Session clientAdmin = fixtures.userIn(client, "tenant_admin");
        var created = api.post("/api/v1/tenants/" + client.id() + "/access-grants", clientAdmin.accessToken(),
                obj("grantee_tenant_id", grantee.id().toString(), "role_id", roleKey, "grantee_role", granteeRole));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }
}
