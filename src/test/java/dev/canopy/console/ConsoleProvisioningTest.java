package dev.canopy.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.provisioning.Provisioning;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
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
}
