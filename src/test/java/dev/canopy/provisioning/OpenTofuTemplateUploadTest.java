package dev.canopy.provisioning;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.TemplateArchives;

/** OpenTofu versions the driver could never run are refused at upload, not in a failed run later (no engine needed). */
class OpenTofuTemplateUploadTest extends ApiTest {

    static final String INPUTS = "type: object\nproperties:\n  region: {type: string}\n";

    Session admin;
    String template;

    @BeforeEach
    void setUp() {
        admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        Api.Response created = api.post("/api/v1/templates", admin.accessToken(), obj("name", "Net "
                + UUID.randomUUID(), "description", "A network", "driver", "opentofu"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        template = created.json().path("id").asString();
    }

    @Test
    void versionsWithoutConfigurationOrWithTheDriversOwnFilesAreRefused() {
        Api.Response none = publish("1.0.0", TemplateArchives.with().file("modules/net/main.tf", "# only a module\n"));
        assertProblem(none, 400, "OPENTOFU_TEMPLATE_INVALID");
        assertThat(none.json().path("errors").findValuesAsString("field")).containsExactly("files");

        Api.Response owned = publish("1.0.1", TemplateArchives.with().file("main.tf", "# ok\n")
                .file("canopy_backend_override.tf", "terraform {}\n").file("terraform.tfstate", "{}")
                .file(".terraform/providers/evil", "binary").file("broken.tf.json", "{not json")
                .file("list.tf.json", "[1]"));
        assertProblem(owned, 400, "OPENTOFU_TEMPLATE_INVALID");
        assertThat(owned.json().path("errors").findValuesAsString("field")).containsExactlyInAnyOrder(
                "files.canopy_backend_override.tf", "files.terraform.tfstate", "files..terraform/providers/evil",
                "files.broken.tf.json", "files.list.tf.json");

        assertThat(api.get("/api/v1/templates/" + template + "/versions", admin.accessToken()).json().path("items")
                .size()).as("nothing was stored").isZero();

        Api.Response fine = publish("1.1.0", TemplateArchives.with().file("main.tf", "# ok\n")
                .file("outputs.tf.json", "{\"output\": {}}").file("modules/net/main.tf", "# module\n"));
        assertThat(fine.status()).as(fine.toString()).isEqualTo(201);
    }

    private Api.Response publish(String version, TemplateArchives archive) {
        return api.upload("/api/v1/templates/" + template + "/versions", admin.accessToken(), "file", "t.zip",
                archive.manifest(TemplateArchives.manifest(version, "opentofu", INPUTS)).zip());
    }
}
