package dev.canopy.tenancy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.access.AccessSetup;
import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.Accounts;
import dev.canopy.identity.Members;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;

/**
 * The demo world {@code CANOPY_DEMO_DATA=true} seeds on an empty database: an MSP with two clients, users
 * who sign in with the printed passwords and get their roles, and an audit history that verifies. (Seeded here
 * with a prefix, since the suite's database is not empty.)
 */
class DemoDataTest extends ApiTest {

    @Autowired
    Accounts accounts;
    @Autowired
    Members members;
    @Autowired
    TenantRecords tenants;
    @Autowired
    AuditTrail audit;
    @Autowired
    TransactionTemplate transactions;
    @Autowired
    AccessSetup access;
    @Autowired
    dev.canopy.catalog.CatalogSetup catalog;

    @Test
    void seedsAnMspWithClientsUsersAndHistory() {
        String prefix = Fixtures.unique("demo") + "-";
        var admin = fixtures.platformAdmin();
        DemoData.Seeded seeded = transactions.execute(status -> new DemoData(accounts, members, tenants, audit,
                access, catalog, prefix).seed(admin.userId(), admin.email()));

        UUID northwind = seeded.tenants().get("northwind");
        UUID contoso = seeded.tenants().get("contoso");
        assertThat(tenants.find(contoso).orElseThrow().parentTenantId()).isEqualTo(northwind);
        assertThat(tenants.find(seeded.tenants().get("fabrikam")).orElseThrow().parentTenantId()).isEqualTo(northwind);
        assertThat(seeded.passwords()).hasSize(DemoData.people().size());

        String mspAdmin = prefix + "msp-admin@" + DemoData.DOMAIN;
        var msp = fixtures.login(mspAdmin, seeded.passwords().get(mspAdmin), null);
        assertThat(msp.tenantId()).as("the MSP is its staff's primary tenant").isEqualTo(northwind);
        assertThat(api.get("/api/v1/users", msp.accessToken()).json().path("items")).hasSize(3);
        var events = api.get("/api/v1/audit-events?limit=200", msp.accessToken()).json().path("items");
        assertThat(events.size()).isGreaterThan(20);
        long demo = 0;
        for (var event : events) {
            demo += event.path("details").path("demo").asBoolean() ? 1 : 0;
        }
        assertThat(demo).as("events marked as demo history").isGreaterThan(20);
        assertThat(api.post("/api/v1/audit-events/verify", msp.accessToken(), null).json().path("valid").asBoolean())
                .isTrue();

        String carol = prefix + "carol@" + DemoData.DOMAIN;
        var contosoAdmin = fixtures.login(carol, seeded.passwords().get(carol), null);
        assertThat(contosoAdmin.tenantId()).isEqualTo(contoso);
        String victor = prefix + "victor@" + DemoData.DOMAIN;
        var viewer = fixtures.login(victor, seeded.passwords().get(victor), northwind);
        assertThat(api.get("/api/v1/audit-events", viewer.accessToken()).status()).isEqualTo(403);

        // groups with members, and a custom role a user holds (and so its permissions)
        var groups = api.get("/api/v1/groups", msp.accessToken()).json().path("items");
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).path("members")).hasSize(2);
        var contosoGroups = api.get("/api/v1/groups", contosoAdmin.accessToken()).json().path("items");
        assertThat(contosoGroups).hasSize(1);
        var customRoles = new java.util.ArrayList<String>();
        api.get("/api/v1/roles", contosoAdmin.accessToken()).json().path("items").forEach(role -> {
            if (!role.path("built_in").asBoolean()) {
                customRoles.add(role.path("id").asString());
            }
        });
        assertThat(customRoles).hasSize(1);
        assertThat(contosoGroups.get(0).path("roles").get(0).path("id").asString()).isEqualTo(customRoles.getFirst());
        String dave = prefix + "dave@" + DemoData.DOMAIN;
        var operator = fixtures.login(dave, seeded.passwords().get(dave), contoso);
        assertThat(api.get("/api/v1/auth/me", operator.accessToken()).json().path("permissions").toString())
                .as("the custom role's permissions, beyond the member role's").contains("cloud_accounts:create");
        assertThat(api.post("/api/v1/audit-events/verify", contosoAdmin.accessToken(), null).json().path("valid")
                .asBoolean()).isTrue();

        // Fabrikam's grant lets the MSP's members in as viewers, without a membership there
        String alice = prefix + "alice@" + DemoData.DOMAIN;
        var analyst = fixtures.login(alice, seeded.passwords().get(alice), northwind);
        var delegated = fixtures.switchTo(analyst, seeded.tenants().get("fabrikam"));
        assertThat(api.get("/api/v1/auth/me", delegated.accessToken()).json().path("permissions").toString())
                .contains("users:list").doesNotContain("users:update");

        // the MSP's golden VM reaches its clients' catalogs; Contoso's own web shop is locked and Fabrikam's never
        var contosoCatalog = api.get("/api/v1/templates", contosoAdmin.accessToken()).json().path("items");
        assertThat(contosoCatalog.valueStream().map(t -> t.path("name").asString() + (t.path("shared").asBoolean()
                ? " (shared)" : "") + (t.path("locked").asBoolean() ? " (locked)" : "")))
                .containsExactlyInAnyOrder("Linux VM (golden image) (shared)", "Web shop (locked)");
        String erin = prefix + "erin@" + DemoData.DOMAIN;
        var fabrikamAdmin = fixtures.login(erin, seeded.passwords().get(erin), null);
        assertThat(api.get("/api/v1/templates", fabrikamAdmin.accessToken()).json().path("items").valueStream()
                .map(t -> t.path("latest_version").asString())).containsExactly("1.2.0");
    }
}
