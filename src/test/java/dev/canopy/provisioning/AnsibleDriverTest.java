package dev.canopy.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import tools.jackson.databind.JsonNode;

/** Real playbooks through the Ansible driver against localhost: their effects are checked on disk. */
class AnsibleDriverTest extends ApiTest {

    @TempDir
    Path target;

    Provisioning provisioning;

    @BeforeEach
    void setUp() {
        provisioning = new Provisioning(api);
    }

    @Test
    void applyMakesTheFilesReportsOutputsAndDestroyRemovesThem() throws Exception {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String template = provisioning.template(admin, Provisioning.FILES_PLAYBOOK, Provisioning.FILES_DESTROY);
        String development = provisioning.environment(admin, "development");

        Api.Response created = provisioning.deploy(admin, template, development, target, Map.of());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String deployment = created.json().path("id").asString();
        String runId = created.json().path("run").path("id").asString();
        assertThat(created.json().path("run").path("kind").asString()).isEqualTo("apply");

        JsonNode run = provisioning.await(admin, runId);
        assertThat(run.path("state").asString()).as(provisioning.log(admin, runId)).isEqualTo("succeeded");
        Path message = target.resolve("tree/a/b/message.txt");
        assertThat(Files.readString(message)).isEqualTo("hello from canopy\n");
        assertThat(run.path("plan").toString()).contains("write the message");
        assertThat(run.path("steps").findValuesAsString("name")).containsExactly("plan", "apply");

        JsonNode deployed = api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json();
        assertThat(deployed.path("status").asString()).isEqualTo("active");
        assertThat(deployed.path("outputs").path("path").asString()).isEqualTo(message.toString());
        assertThat(deployed.path("outputs").path("action").asString()).isEqualTo("apply");
        assertThat(provisioning.log(admin, runId)).contains("TASK [write the message]", "changed: [localhost]");

        Api.Response destroy = api.delete("/api/v1/deployments/" + deployment, admin.accessToken());
        assertThat(destroy.status()).as(destroy.toString()).isEqualTo(202);
        JsonNode destroyed = provisioning.await(admin, destroy.json().path("id").asString());
        assertThat(destroyed.path("state").asString()).isEqualTo("succeeded");
        assertThat(target.resolve("tree")).doesNotExist();
        assertThat(api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("status")
                .asString()).isEqualTo("destroyed");
    }
}
