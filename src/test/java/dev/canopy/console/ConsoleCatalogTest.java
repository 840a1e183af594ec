package dev.canopy.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.TemplateArchives;

/** The console's catalog over HTTP: list and search, create, upload (good and refused), yank, access requests, forms. */
class ConsoleCatalogTest extends ApiTest {

    static final String INPUTS = """
            type: object
            required: [kind]
            properties:
              kind: {type: string, title: Kind, enum: [vm, container]}
              password: {type: string, writeOnly: true, minLength: 12}
            if:
              properties: {kind: {const: container}}
              required: [kind]
            then:
              required: [image]
              properties:
                image: {type: string, title: Container image, minLength: 1}
            """;

    private ConsoleClient signedIn(TenantRef tenant, String role) {
        String email = Fixtures.unique("catalog") + "@example.com";
        fixtures.addUser(tenant, email, role);
        return new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
    }

    private String createTemplate(ConsoleClient browser, String name, boolean locked) {
        browser.get("/catalog/new");
        ConsoleClient.Page created = locked
                ? browser.post("/catalog", "name", name, "description", "From the console", "driver", "ansible",
                        "tags", "web, demo", "locked", "on")
                : browser.post("/catalog", "name", name, "description", "From the console", "driver", "ansible",
                        "tags", "web, demo");
        assertThat(created.status()).as(created.body()).isEqualTo(303);
        return created.location().substring("/catalog/".length());
    }

    @Test
    void templatesAreCreatedUploadedViewedYankedAndFilledInFromTheConsole() {
        TenantRef tenant = fixtures.tenant();
        ConsoleClient admin = signedIn(tenant, "tenant_admin");
        assertThat(admin.get("/").body()).contains("href=\"/catalog\"");
        assertThat(admin.get("/catalog").body()).contains("data-testid=\"empty\"");

        ConsoleClient.Page refused = admin.post("/catalog", "name", "", "driver", "chef");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("name-error").contains("driver-error");

        String name = "Console web " + UUID.randomUUID();
        String id = createTemplate(admin, name, false);
        admin.get("/catalog/" + id);
        ConsoleClient.Page bad = admin.upload("/catalog/" + id + "/versions", "file", "t.zip",
                TemplateArchives.with().manifest(TemplateArchives.manifest("1.0.0", "ansible", INPUTS))
                        .file("../escape.yml", "x").zip());
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body()).contains("ARCHIVE_PATH_TRAVERSAL").contains("points outside the archive");
        ConsoleClient.Page published = admin.upload("/catalog/" + id + "/versions", "file", "t.zip",
                TemplateArchives.template("1.0.0", "ansible", INPUTS));
        assertThat(published.status()).as(published.body()).isEqualTo(200);
        assertThat(published.body()).contains("Version 1.0.0 is published").contains("data-testid=\"manifest\"")
                .contains("playbook.yml");
        assertThat(admin.get("/catalog?search=" + name.substring(8, 20).replace(' ', '+')).body()).contains(name);
        assertThat(admin.get("/catalog?driver=kubernetes").body()).doesNotContain(name);

        // the schema form: the conditional field shows once its condition holds; validation is the API's
        ConsoleClient.Page form = admin.get("/catalog/" + id + "/versions/1.0.0/form");
        assertThat(form.body()).contains("input-kind").contains("type=\"password\"").doesNotContain("input-image");
        ConsoleClient.Page fields = admin.post("/catalog/" + id + "/versions/1.0.0/form/fields", "kind", "container");
        assertThat(fields.status()).isEqualTo(200);
        assertThat(fields.body()).contains("input-image").doesNotContain("<html");
        // the fragment brings the form a fresh CSRF field, which the next post uses
        assertThat(fields.body()).contains("id=\"form-csrf\"");
        ConsoleClient.Page invalid = admin.post("/catalog/" + id + "/versions/1.0.0/form/validate", "kind",
                "container", "password", "short-secret");
        assertThat(invalid.body()).contains("data-testid=\"invalid\"").contains("image-error")
                .doesNotContain("short-secret");
        assertThat(admin.post("/catalog/" + id + "/versions/1.0.0/form/validate", "kind", "container", "image",
                "nginx:1.27").body()).contains("data-testid=\"valid\"");

        admin.get("/catalog/" + id);
        assertThat(admin.post("/catalog/" + id + "/versions/1.0.0/yank").body()).contains("is yanked")
                .contains("badge warn\">yanked");
    }

    @Test
    void aLockedTemplatesAccessIsRequestedAndApprovedInTheInbox() {
        TenantRef tenant = fixtures.tenant();
        ConsoleClient admin = signedIn(tenant, "tenant_admin");
        ConsoleClient member = signedIn(tenant, "member");
        String id = createTemplate(admin, "Locked console " + UUID.randomUUID(), true);

        assertThat(member.get("/catalog/" + id).body()).contains("Request access");
        assertThat(member.post("/catalog/" + id + "/access-requests", "reason", "Campaign").body())
                .contains("Your request is sent");
        ConsoleClient.Page inbox = admin.get("/catalog/access-requests");
        assertThat(inbox.body()).contains("Campaign").contains("Approve");
        String requestId = inbox.body().replaceAll("(?s).*/catalog/access-requests/([0-9a-f-]{36})/approve.*", "$1");
        assertThat(admin.post("/catalog/access-requests/" + requestId + "/approve").body())
                .contains("may now use the template").contains("No pending request");
        assertThat(member.get("/catalog").body()).contains("Locked · granted");
        assertThat(member.get("/catalog/" + id).body()).doesNotContain("Request access");
        // members may not create; other tenants' templates are not found; a form without its token is refused
        assertThat(member.get("/catalog/new").status()).isEqualTo(403);
        ConsoleClient stranger = signedIn(fixtures.tenant(), "tenant_admin");
        assertThat(stranger.get("/catalog/" + id).status()).isEqualTo(404);
        assertThat(stranger.get("/catalog/not-an-id").status()).isEqualTo(404);
        assertThat(admin.postRaw("/catalog", "name", "no token", "driver", "arm").status()).isEqualTo(403);
    }
}
