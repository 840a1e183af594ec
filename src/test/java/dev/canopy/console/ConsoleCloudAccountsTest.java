package dev.canopy.console;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.AuditLog;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** The console's cloud account pages over real HTTP: forms, bad input, permissions, write-only credentials. */
class ConsoleCloudAccountsTest extends ApiTest {

    private static final String KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.console-cluster-token.c2lnbmF0dXJlX3ZhbHVl";

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    /** A tenant with a signed-in user of the role in the console, and the same user's API session. */
    private record Member(TenantRef tenant, Session api, ConsoleClient console) {
    }

    private Member member(String role) {
        TenantRef tenant = fixtures.tenant();
        String email = Fixtures.unique("cloud") + "@example.com";
        fixtures.addUser(tenant, email, role);
        return new Member(tenant, fixtures.login(email, Fixtures.PASSWORD, tenant.id()),
                new ConsoleClient(port).signIn(email, Fixtures.PASSWORD));
    }

    private String createAws(Session session, String name) {
        Api.Response created = api.post("/api/v1/cloud-accounts", session.accessToken(), obj("name", name,
                "provider", "aws", "settings", obj("region", "eu-west-1"), "auth_type", "access_keys",
                "credentials", obj("access_key_id", KEY_ID, "secret_access_key", SECRET)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    @Test
    void anEmptyTenantSaysWhatToDoAndTheDashboardCountsAccounts() {
        Member admin = member("tenant_admin");
        String dashboard = admin.console().get("/").body();
        assertThat(dashboard).contains("href=\"/cloud-accounts\"").contains("data-testid=\"tile-Cloud accounts\"");
        var list = admin.console().get("/cloud-accounts");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains("no cloud account yet").contains("href=\"/cloud-accounts/new\"");

        createAws(admin.api(), "production");
        assertThat(admin.console().get("/").body()).containsPattern(
                "<span class=\"count\">1</span><span>Cloud accounts</span>");
        assertThat(admin.console().get("/cloud-accounts").body()).contains("production")
                .contains("Amazon Web Services").contains("access key AKIA…MPLE").doesNotContain(SECRET);
        assertThat(admin.console().get("/cloud-accounts?provider=gcp").body()).contains("No cloud account of this provider");
        assertThat(admin.console().get("/cloud-accounts?provider=nope").status()).isEqualTo(400);
    }

    @Test
    void theListIsPaginated() {
        Member admin = member("tenant_admin");
        for (int i = 0; i < 26; i++) {
            createAws(admin.api(), "account-" + i);
        }
        String first = admin.console().get("/cloud-accounts").body();
        assertThat(first.split("data-testid=\"cloud-account-row\"", -1)).hasSize(26);
        var next = java.util.regex.Pattern.compile("href=\"(/cloud-accounts\\?provider=&amp;cursor=[^\"]+)\"")
                .matcher(first);
        assertThat(next.find()).as("a next page link").isTrue();
        String second = admin.console().get(next.group(1).replace("&amp;", "&")).body();
        assertThat(second.split("data-testid=\"cloud-account-row\"", -1)).hasSize(2);
        assertThat(second).contains("account-25");
    }

    @Test
    void connectingValidatesEveryFieldAndNeverSendsTheCredentialsBack() {
        Member admin = member("tenant_admin");
        var console = admin.console();
        assertThat(console.get("/cloud-accounts/new").body()).contains("Choose the provider");
        String form = console.get("/cloud-accounts/new?provider=aws").body();
        assertThat(form).contains("name=\"settings.region\"").contains("name=\"credentials.access_keys.secret_access_key\"")
                .contains("name=\"credentials.role_arn.role_arn\"");

        var missing = console.post("/cloud-accounts", "provider", "aws", "name", "", "auth_type", "access_keys",
                "credentials.access_keys.secret_access_key", SECRET);
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.body()).contains("id=\"name-error\"").contains("id=\"settings.region-error\"")
                .contains("id=\"credentials.access_key_id-error\"").doesNotContain(SECRET);

        var wrong = console.post("/cloud-accounts", "provider", "aws", "name", "x".repeat(101), "settings.region",
                "moon-base", "auth_type", "access_keys", "credentials.access_keys.access_key_id", "nope",
                "credentials.access_keys.secret_access_key", SECRET, "environments", "Prod!", "tags", "no equals");
        assertThat(wrong.status()).isEqualTo(422);
        assertThat(wrong.body()).contains("id=\"tags-error\"")
                .doesNotContain(SECRET);
        var wrongApi = console.post("/cloud-accounts", "provider", "aws", "name", "x".repeat(101), "settings.region",
                "moon-base", "auth_type", "access_keys", "credentials.access_keys.access_key_id", "nope",
                "credentials.access_keys.secret_access_key", SECRET, "environments", "Prod!");
        assertThat(wrongApi.status()).isEqualTo(422);
        assertThat(wrongApi.body()).contains("must be at most 100 characters").contains("must be an AWS region").contains("id=\"environments-error\"")
                .contains("id=\"credentials.access_key_id-error\"").doesNotContain(SECRET);
        var noAuthType = console.post("/cloud-accounts", "provider", "aws", "name", "n", "settings.region",
                "us-east-1");
        assertThat(noAuthType.status()).isEqualTo(422);
        assertThat(noAuthType.body()).contains("id=\"auth_type-error\"");
        var oversize = console.post("/cloud-accounts", "provider", "aws", "name", "n", "settings.region", "us-east-1",
                "auth_type", "access_keys", "credentials.access_keys.access_key_id", KEY_ID,
                "credentials.access_keys.secret_access_key", "s".repeat(5000));
        assertThat(oversize.status()).isEqualTo(422);
        assertThat(oversize.body()).contains("id=\"credentials.secret_access_key-error\"")
                .doesNotContain("s".repeat(5000));
        var huge = console.post("/cloud-accounts", "provider", "aws", "name", "n", "tags", "k=" + "v".repeat(3_000_000));
        assertThat(huge.status()).as("a form over the size limit").isBetween(400, 499);
        console.get("/cloud-accounts/new?provider=aws");
        assertThat(console.post("/cloud-accounts", "provider", "mainframe", "name", "n").status()).isEqualTo(400);
        assertThat(console.post("/cloud-accounts", "name", "n").status()).isEqualTo(400);
        console.get("/cloud-accounts/new?provider=aws");
        assertThat(console.postRaw("/cloud-accounts", "provider", "aws", "name", "n").status())
                .as("no CSRF token").isEqualTo(403);

        console.get("/cloud-accounts/new?provider=aws");
        var created = console.post("/cloud-accounts", "provider", "aws", "name", "billing", "settings.region",
                "us-east-1", "auth_type", "access_keys", "credentials.access_keys.access_key_id", KEY_ID,
                "credentials.access_keys.secret_access_key", SECRET, "environments", "dev, production",
                "tags", "team=platform\ncost=42");
        assertThat(created.status()).as(created.body()).isEqualTo(303);
        assertThat(created.location()).startsWith("/cloud-accounts/");
        String detail = console.get(created.location()).body();
        assertThat(detail).contains("billing").contains("access key AKIA…MPLE").contains("team=platform")
                .contains("value=\"dev, production\"").doesNotContain(SECRET).doesNotContain(KEY_ID);
        List<AuditLog.Event> events = AuditLog.ofRequest(scopes, jdbc, admin.tenant().id(),
                created.response().headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(events).extracting(AuditLog.Event::action).containsExactly("cloud_account.created");
        assertThat(events.getFirst().details()).doesNotContain(SECRET).doesNotContain(KEY_ID);

        var taken = console.post("/cloud-accounts", "provider", "aws", "name", "billing", "settings.region",
                "us-east-1", "auth_type", "access_keys", "credentials.access_keys.access_key_id", KEY_ID,
                "credentials.access_keys.secret_access_key", SECRET);
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.body()).contains("id=\"name-error\"").contains("already has a cloud account named");
    }

    @Test
    void editingKeepsTheCredentialsUnlessReplacedAndRefusesStaleVersions() {
        Member admin = member("tenant_admin");
        String id = createAws(admin.api(), "ops");
        var console = admin.console();
        String page = console.get("/cloud-accounts/" + id).body();
        assertThat(page).contains("name=\"version\" value=\"0\"").doesNotContain(SECRET);

        var renamed = console.post("/cloud-accounts/" + id, "version", "0", "name", "ops-renamed", "settings.region",
                "eu-central-1", "auth_type", "access_keys", "environments", "", "tags", "");
        assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
        assertThat(renamed.body()).contains("The changes are saved.").contains("ops-renamed")
                .contains("access key AKIA…MPLE");
        var json = api.get("/api/v1/cloud-accounts/" + id, admin.api().accessToken()).json();
        assertThat(json.path("settings").path("region").asString()).isEqualTo("eu-central-1");
        assertThat(json.path("version").asLong()).isEqualTo(1);

        var stale = console.post("/cloud-accounts/" + id, "version", "0", "name", "again", "settings.region",
                "eu-central-1", "auth_type", "access_keys");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.body()).contains("changed by someone else");

        var switched = console.post("/cloud-accounts/" + id, "version", "1", "name", "ops-renamed", "settings.region",
                "eu-central-1", "auth_type", "role_arn");
        assertThat(switched.status()).isEqualTo(422);
        assertThat(switched.body()).contains("id=\"credentials-error\"");
        var role = console.post("/cloud-accounts/" + id, "version", "1", "name", "ops-renamed", "settings.region",
                "eu-central-1", "auth_type", "role_arn", "credentials.role_arn.role_arn",
                "arn:aws:iam::123456789012:role/canopy", "credentials.access_keys.secret_access_key", SECRET);
        assertThat(role.status()).as(role.body()).isEqualTo(200);
        assertThat(role.body()).contains("role arn:aws:iam::123456789012:role/canopy").doesNotContain(SECRET);
        assertThat(console.post("/cloud-accounts/" + id, "name", "x").status()).as("no version").isEqualTo(400);
    }

    @Test
    void testingTheConnectionShowsWhatTheProviderSaid() throws InterruptedException {
        KubernetesMockServer server = new KubernetesMockServer(false);
        server.init();
        try {
            server.expect().get().withPath("/api/v1/namespaces?limit=1")
                    .andReturn(200, new NamespaceListBuilder().build()).always();
            Member admin = member("tenant_admin");
            var console = admin.console();
            console.get("/cloud-accounts/new?provider=kubernetes");
            var created = console.post("/cloud-accounts", "provider", "kubernetes", "name", "cluster",
                    "settings.api_server", server.url("/").replaceAll("/$", ""), "auth_type", "token",
                    "credentials.token.token", TOKEN);
            assertThat(created.status()).as(created.body()).isEqualTo(303);
            String detail = console.get(created.location()).body();
            assertThat(detail).contains("Not tested yet.").contains("Test connection").doesNotContain(TOKEN);
            var tested = console.post(created.location() + "/test");
            assertThat(tested.status()).isEqualTo(200);
            assertThat(tested.body()).contains("data-testid=\"test-result\"").contains("Connection works.")
                    .contains("may list namespaces").doesNotContain(TOKEN);
            assertThat(server.getLastRequest().getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);

            server.destroy();
            var failed = console.post(created.location() + "/test");
            assertThat(failed.status()).isEqualTo(200);
            assertThat(failed.body()).contains("Connection failed.").contains("Failed").doesNotContain(TOKEN);
        }
        finally {
            server.destroy();
        }
    }

    @Test
    void otherTenantsAccountsAreNotFoundAndRemovingOwnWorks() {
        Member admin = member("tenant_admin");
        Member stranger = member("tenant_admin");
        String theirs = createAws(stranger.api(), "theirs");
        var console = admin.console();
        console.get("/cloud-accounts");
        assertThat(console.get("/cloud-accounts/" + theirs).status()).isEqualTo(404);
        assertThat(console.get("/cloud-accounts/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(console.get("/cloud-accounts/not-an-id").status()).isEqualTo(404);
        assertThat(console.get("/cloud-accounts/" + theirs).body()).contains("not yours to see")
                .doesNotContain("theirs");
        console.get("/cloud-accounts");
        assertThat(console.post("/cloud-accounts/" + theirs, "version", "0", "name", "mine").status()).isEqualTo(404);
        assertThat(console.post("/cloud-accounts/" + theirs + "/test").status()).isEqualTo(404);
        assertThat(console.post("/cloud-accounts/" + theirs + "/delete").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/cloud-accounts/" + theirs, stranger.api().accessToken()).json().path("name")
                .asString()).isEqualTo("theirs");

        String mine = createAws(admin.api(), "mine");
        console.get("/cloud-accounts/" + mine);
        assertThat(console.postRaw("/cloud-accounts/" + mine + "/delete").status()).as("no CSRF token").isEqualTo(403);
        var removed = console.post("/cloud-accounts/" + mine + "/delete");
        assertThat(removed.status()).isEqualTo(303);
        assertThat(removed.response().headers().firstValue("Location").orElseThrow()).endsWith("?deleted");
        assertThat(console.get("/cloud-accounts?deleted").body()).contains("The cloud account is removed.");
        assertThat(api.get("/api/v1/cloud-accounts/" + mine, admin.api().accessToken()).status()).isEqualTo(404);
    }

    @Test
    void withoutThePermissionsThereAreNoButtonsAndTheServerRefuses() {
        Member owner = member("tenant_admin");
        String id = createAws(owner.api(), "watched");
        String email = Fixtures.unique("viewer") + "@example.com";
        var viewerUser = fixtures.addUser(owner.tenant(), email, "viewer");
        var viewer = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
        String list = viewer.get("/cloud-accounts").body();
        assertThat(list).contains("watched").doesNotContain("href=\"/cloud-accounts/new\"");
        String detail = viewer.get("/cloud-accounts/" + id).body();
        assertThat(detail).contains("watched").doesNotContain("Test connection").doesNotContain(">Remove<")
                .doesNotContain("Save changes").doesNotContain(SECRET);
        assertThat(viewer.get("/cloud-accounts/new").status()).isEqualTo(403);
        viewer.get("/cloud-accounts");
        assertThat(viewer.post("/cloud-accounts", "provider", "aws", "name", "n").status()).isEqualTo(403);
        assertThat(viewer.post("/cloud-accounts/" + id, "version", "0", "name", "n").status()).isEqualTo(403);
        assertThat(viewer.post("/cloud-accounts/" + id + "/test").status()).isEqualTo(403);
        assertThat(viewer.post("/cloud-accounts/" + id + "/delete").status()).isEqualTo(403);

        // a deny of cloud_accounts:list hides the navigation entry and the tile, and the page refuses
        Api.Response denied = api.post("/api/v1/users/" + viewerUser.path("id").asString() + "/permissions",
                owner.api().accessToken(), obj("permission", "cloud_accounts:list", "effect", "deny"));
        assertThat(denied.status()).as(denied.toString()).isEqualTo(201);
        String dashboard = viewer.get("/").body();
        assertThat(dashboard).doesNotContain("href=\"/cloud-accounts\"").doesNotContain("tile-Cloud accounts");
        assertThat(viewer.get("/cloud-accounts").status()).isEqualTo(403);
    }
}
