package dev.canopy.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.provisioning.Provisioning;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.TemplateArchives;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import tools.jackson.databind.JsonNode;

/** Provisioning pages over HTTP: the provision form's refusals, the pages of deployments and runs, and who sees what. */
class ConsoleProvisioningTest extends ApiTest {

    @TempDir
    Path target;

    @Test
    void aDeploymentIsRequestedFromTheConsoleAndItsRunAndLogShown() throws Exception {
        TenantRef tenant = fixtures.tenant();
        String email = Fixtures.unique("provision") + "@example.com";
        fixtures.addUser(tenant, email, "tenant_admin");
        Session api = fixtures.login(email, Fixtures.PASSWORD, tenant.id());
        var provisioning = new Provisioning(this.api);
        String template = provisioning.template(api, Provisioning.FILES_PLAYBOOK, null);
        String development = provisioning.environment(api, "development");
        ConsoleClient browser = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);

        assertThat(browser.get("/catalog/" + template).body()).contains("data-testid=\"deploy\"");
        ConsoleClient.Page form = browser.get("/deployments/new?template=" + template + "&version=1.0.0");
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body()).contains("input-target", "input-message", "deployment_environment", "development");

        ConsoleClient.Page refused = browser.post("/deployments", "template", template, "version", "1.0.0",
                "deployment_name", "", "deployment_environment", development, "target", "", "message", "m",
                "deployment_ttl", "forever");
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.body()).contains("deployment_name", "field-error");
        ConsoleClient.Page noEnvironment = browser.post("/deployments", "template", template, "version", "1.0.0",
                "deployment_name", "x", "deployment_environment", "nope", "target", "t", "message", "m");
        assertThat(noEnvironment.status()).isEqualTo(422);
        assertThat(browser.postRaw("/deployments", "template", template, "deployment_name", "x").status())
                .as("no CSRF token").isEqualTo(403);

        browser.get("/deployments/new?template=" + template + "&version=1.0.0");
        String name = "console-" + UUID.randomUUID().toString().substring(0, 8);
        ConsoleClient.Page created = browser.post("/deployments", "template", template, "version", "1.0.0",
                "deployment_name", name, "deployment_environment", development, "deployment_tags", "team=web",
                "target", target.toString(), "message", "from the console");
        assertThat(created.status()).as(created.body()).isEqualTo(303);
        assertThat(created.location()).startsWith("/runs/");
        String run = created.location().substring("/runs/".length());
        JsonNode done = provisioning.await(api, run);
        assertThat(done.path("state").asString()).isEqualTo("succeeded");
        assertThat(Files.readString(target.resolve("tree/a/b/message.txt"))).isEqualTo("from the console\n");

        ConsoleClient.Page runPage = browser.get("/runs/" + run);
        assertThat(runPage.body()).contains("TASK [write the message]", "succeeded");
        ConsoleClient.Page list = browser.get("/deployments?tag=team=web");
        assertThat(list.body()).contains(name);
        Matcher link = Pattern.compile("/deployments/([0-9a-f-]{36})").matcher(list.body());
        assertThat(link.find()).isTrue();
        assertThat(browser.get("/deployments/" + link.group(1)).body()).contains("data-output=\"path\"",
                "message.txt");
        assertThat(browser.get("/").body()).contains("Deployments · development");

        ConsoleClient stranger = new ConsoleClient(port);
        String strangerEmail = Fixtures.unique("stranger") + "@example.com";
        fixtures.addUser(fixtures.tenant(), strangerEmail, "tenant_admin");
        stranger.signIn(strangerEmail, Fixtures.PASSWORD);
        assertThat(stranger.get("/runs/" + run).status()).isEqualTo(404);
        assertThat(stranger.get("/deployments/" + link.group(1)).status()).isEqualTo(404);
        assertThat(stranger.get("/deployments/new?template=" + template).status()).isEqualTo(404);

        String viewerEmail = Fixtures.unique("viewer") + "@example.com";
        fixtures.addUser(tenant, viewerEmail, "viewer");
        ConsoleClient viewer = new ConsoleClient(port).signIn(viewerEmail, Fixtures.PASSWORD);
        viewer.get("/deployments/" + link.group(1));
        assertThat(viewer.post("/deployments/" + link.group(1) + "/destroy").status()).isEqualTo(403);
    }

    @Test
    void theRunPageShowsApproversThePlanAsADiffOfBeforeAndAfter() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        try (KubernetesClient cluster = server.createClient()) {
            TenantRef tenant = fixtures.tenant();
            String email = Fixtures.unique("approver") + "@example.com";
            fixtures.addUser(tenant, email, "tenant_admin");
            Session admin = fixtures.login(email, Fixtures.PASSWORD, tenant.id());
            String environment = "guarded-" + UUID.randomUUID().toString().substring(0, 8);
            Api.Response env = api.post("/api/v1/environments", admin.accessToken(), Api.obj("name", environment,
                    "protection", Api.obj("required_approvals", 1, "approver_roles", List.of("tenant_admin"),
                            "allow_self_approval", true)));
            assertThat(env.status()).as(env.toString()).isEqualTo(201);
            Api.Response account = api.post("/api/v1/cloud-accounts", admin.accessToken(), Api.obj("name", "cluster-"
                    + UUID.randomUUID(), "provider", "kubernetes", "settings", Api.obj("api_server",
                            server.url("/").replaceAll("/$", ""), "namespace", "team-a"), "auth_type", "token",
                    "credentials", Api.obj("token", "canopy-test-token-0123456789")));
            assertThat(api.patch("/api/v1/environments/" + env.json().path("id").asString(), admin.accessToken(),
                    Api.obj("cloud_account_id", account.json().path("id").asString(), "version", 0)).status())
                    .isEqualTo(200);
            Api.Response template = api.post("/api/v1/templates", admin.accessToken(), Api.obj("name", "Config "
                    + UUID.randomUUID(), "description", "A ConfigMap", "driver", "kubernetes"));
            String templateId = template.json().path("id").asString();
            assertThat(api.upload("/api/v1/templates/" + templateId + "/versions", admin.accessToken(), "file",
                    "t.zip", TemplateArchives.with().manifest(TemplateArchives.manifest("1.0.0", "kubernetes",
                            "type: object\nproperties:\n  message: {type: string}\n")).file("manifests/a.yaml", """
                                    apiVersion: v1
                                    kind: ConfigMap
                                    metadata: {name: web-config}
                                    data:
                                      message: {{ inputs.message }}
                                      colour: blue
                                    """).zip()).status()).isEqualTo(201);
            var provisioning = new Provisioning(api);
            Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), Api.obj("name", "web-"
                    + UUID.randomUUID(), "template_id", templateId, "environment_id", env.json().path("id")
                            .asString(), "inputs", Api.obj("message", "as deployed")));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String first = created.json().path("run").path("id").asString();
            provisioning.await(admin, first, "awaiting_approval");

            ConsoleClient browser = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
            String creating = browser.get("/runs/" + first).body();
            assertThat(creating).contains("badge action action-create", "<code>ConfigMap/web-config</code>",
                    "data-testid=\"approve\"");
            assertThat(cell(creating, "data", "after")).contains("&quot;message&quot;", "&quot;as deployed&quot;");
            assertThat(cell(creating, "data", "before")).as("a create has no before").isNull();
            ConsoleClient.Page decided = browser.post("/runs/" + first + "/decision", "decision", "approve",
                    "comment", "looks right");
            assertThat(decided.status()).as(decided.body()).isEqualTo(303);
            assertThat(provisioning.await(admin, first).path("state").asString()).isEqualTo("succeeded");

            cluster.configMaps().inNamespace("team-a").withName("web-config").edit(c -> {
                c.getData().put("message", "edited by hand");
                return c;
            });
            String replay = api.post("/api/v1/runs/" + first + "/replay", admin.accessToken(), null).json()
                    .path("id").asString();
            JsonNode waiting = provisioning.await(admin, replay, "awaiting_approval");
            String updating = browser.get("/runs/" + replay).body();
            assertThat(updating).contains("badge action action-update", "<code>ConfigMap/web-config</code>",
                    "data-testid=\"approve\"", waiting.path("plan_digest").asString().substring(0, 12));
            assertThat(cell(updating, "data.message", "before")).isEqualTo("&quot;edited by hand&quot;");
            assertThat(cell(updating, "data.message", "after")).isEqualTo("&quot;as deployed&quot;");
            assertThat(updating).as("unchanged fields are not shown").doesNotContain("data-field=\"data.colour\"");

            browser.post("/runs/" + replay + "/decision", "decision", "approve", "comment", "");
            assertThat(provisioning.await(admin, replay).path("state").asString()).isEqualTo("succeeded");
            assertThat(cluster.configMaps().inNamespace("team-a").withName("web-config").get().getData())
                    .containsEntry("message", "as deployed");
        }
        finally {
            server.destroy();
        }
    }

    /** The HTML-escaped text of a diff row's before or after cell, null when the field is absent on that side. */
    private static String cell(String html, String field, String side) {
        Matcher row = Pattern.compile("<tr data-field=\"" + Pattern.quote(field) + "\">(.*?)</tr>", Pattern.DOTALL)
                .matcher(html);
        assertThat(row.find()).as("no diff row " + field + " in " + html).isTrue();
        Matcher value = Pattern.compile("<pre class=\"diff-" + side + "\">(.*?)</pre>", Pattern.DOTALL)
                .matcher(row.group(1));
        return value.find() ? value.group(1) : null;
    }
}
