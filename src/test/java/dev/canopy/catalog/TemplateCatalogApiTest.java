package dev.canopy.catalog;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static dev.canopy.support.ApiAssertions.ids;
import static dev.canopy.support.ApiAssertions.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.AuditLog;
import dev.canopy.support.LiveDeployments;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.TemplateArchives;
import tools.jackson.databind.JsonNode;

/** The template catalog over real HTTP: templates, immutable versions, yank, listing, isolation, bad input. */
class TemplateCatalogApiTest extends ApiTest {

    static final String TEMPLATES = "/api/v1/templates";
    static final String SIMPLE_INPUTS = """
            type: object
            properties:
              size: {type: string, enum: [small, large], default: small}
            """;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantTransactions scopes;

    @Autowired
    LiveDeployments deployments;

    static String create(Api api, Session by, String name, String driver) {
        Api.Response created = api.post(TEMPLATES, by.accessToken(), obj("name", name, "description", "desc of " + name,
                "driver", driver, "tags", List.of("web", "team:platform")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    static Api.Response publish(Api api, Session by, String id, byte[] archive) {
        return api.upload(TEMPLATES + "/" + id + "/versions", by.accessToken(), "file", "template.zip", archive);
    }

    @Test
    void aTemplateIsCreatedListedChangedAndDeleted() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String name = "Web app " + UUID.randomUUID();
        Api.Response created = api.post(TEMPLATES, admin.accessToken(), obj("name", name, "description", "Nginx behind a "
                + "load balancer", "driver", "ansible", "tags", List.of("web")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode template = created.json();
        String id = template.path("id").asString();
        assertThat(created.header("Location")).isEqualTo(TEMPLATES + "/" + id);
        assertThat(template.path("driver").asString()).isEqualTo("ansible");
        assertThat(template.path("locked").asBoolean()).isFalse();
        assertThat(template.path("latest_version").isNull()).isTrue();
        assertThat(template.path("shared").asBoolean()).isFalse();
        assertThat(template.path("provisionable").asBoolean()).isTrue();
        String other = create(api, admin, "Cluster " + UUID.randomUUID(), "kubernetes");

        assertThat(api.get(TEMPLATES + "/" + id, admin.accessToken()).json()).isEqualTo(template);
        assertThat(ids(api.get(TEMPLATES, admin.accessToken()))).containsExactly(UUID.fromString(id),
                UUID.fromString(other));
        assertThat(ids(api.get(TEMPLATES + "?search=LOAD%20bal", admin.accessToken()))).containsExactly(UUID.fromString(id));
        assertThat(ids(api.get(TEMPLATES + "?driver=kubernetes", admin.accessToken()))).containsExactly(UUID.fromString(other));
        assertThat(ids(api.get(TEMPLATES + "?tag=team:platform", admin.accessToken()))).containsExactly(UUID.fromString(other));
        Api.Response first = api.get(TEMPLATES + "?limit=1", admin.accessToken());
        assertThat(ids(first)).containsExactly(UUID.fromString(id));
        assertThat(ids(api.get(TEMPLATES + "?limit=1&cursor=" + first.json().path("next_cursor").asString(),
                admin.accessToken()))).containsExactly(UUID.fromString(other));
        assertProblem(api.get(TEMPLATES + "?driver=chef", admin.accessToken()), 400, "VALIDATION_FAILED");

        Api.Response changed = api.patch(TEMPLATES + "/" + id, admin.accessToken(), obj("description", "Nginx",
                "tags", List.of("web", "nginx"), "version", 0));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(strings(changed.json().path("tags"))).containsExactly("web", "nginx");
        assertThat(changed.json().path("version").asLong()).isEqualTo(1);
        assertProblem(api.patch(TEMPLATES + "/" + id, admin.accessToken(), obj("description", "stale", "version", 0)),
                409, "VERSION_CONFLICT");
        assertProblem(api.patch(TEMPLATES + "/" + other, admin.accessToken(), obj("name", name, "version", 0)), 409,
                "TEMPLATE_NAME_TAKEN");
        assertProblem(api.post(TEMPLATES, admin.accessToken(), obj("name", name.toUpperCase(), "driver", "arm")), 409,
                "TEMPLATE_NAME_TAKEN");

        deployments.deployed(UUID.fromString(id));
        assertProblem(api.delete(TEMPLATES + "/" + id, admin.accessToken()), 409, "TEMPLATE_IN_USE");
        deployments.destroyed(UUID.fromString(id));
        assertThat(api.delete(TEMPLATES + "/" + id, admin.accessToken()).status()).isEqualTo(204);
        assertProblem(api.get(TEMPLATES + "/" + id, admin.accessToken()), 404, "TEMPLATE_NOT_FOUND");
        assertProblem(api.delete(TEMPLATES + "/" + id, admin.accessToken()), 404, "TEMPLATE_NOT_FOUND");
    }

    @Test
    void versionsAreImmutableIdentifiedByTheirDigestAndTheNewestUnyankedReleaseIsLatest() throws Exception {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String id = create(api, admin, "Versioned " + UUID.randomUUID(), "ansible");
        byte[] v1 = TemplateArchives.template("1.0.0", "ansible", SIMPLE_INPUTS);

        Api.Response published = publish(api, admin, id, v1);
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        JsonNode version = published.json();
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(v1));
        assertThat(version.path("digest").asString()).isEqualTo(digest);
        assertThat(version.path("size_bytes").asLong()).isEqualTo(v1.length);
        assertThat(version.path("manifest").path("driver").asString()).isEqualTo("ansible");
        assertThat(version.path("manifest").path("inputs").path("properties").has("size")).isTrue();
        assertThat(version.path("files").findValuesAsString("path")).containsExactly("canopy.yaml", "playbook.yml");
        assertThat(published.header("Location")).isEqualTo(TEMPLATES + "/" + id + "/versions/1.0.0");

        // the same bytes again: the same version; other bytes under the same number: refused
        Api.Response again = publish(api, admin, id, v1);
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().path("digest").asString()).isEqualTo(digest);
        byte[] changed = TemplateArchives.with().manifest(TemplateArchives.manifest("1.0.0", "ansible", SIMPLE_INPUTS))
                .file("playbook.yml", "- hosts: web\n").zip();
        assertProblem(publish(api, admin, id, changed), 409, "VERSION_EXISTS");

        assertThat(publish(api, admin, id, TemplateArchives.template("1.10.0", "ansible", SIMPLE_INPUTS)).status())
                .isEqualTo(201);
        assertThat(publish(api, admin, id, TemplateArchives.template("1.9.3", "ansible", SIMPLE_INPUTS)).status())
                .isEqualTo(201);
        assertThat(publish(api, admin, id, TemplateArchives.template("2.0.0-rc.1", "ansible", SIMPLE_INPUTS))
                .status()).isEqualTo(201);
        // semver order, not text order; a pre-release is not latest while a release exists
        assertThat(api.get(TEMPLATES + "/" + id, admin.accessToken()).json().path("latest_version").asString())
                .isEqualTo("1.10.0");
        Api.Response versions = api.get(TEMPLATES + "/" + id + "/versions", admin.accessToken());
        assertThat(versions.json().path("items").valueStream().map(v -> v.path("version").asString()))
                .containsExactly("2.0.0-rc.1", "1.10.0", "1.9.3", "1.0.0");
        assertThat(versions.json().path("items").get(0).path("files").isNull()).as("lists leave files out").isTrue();

        HttpResponse<byte[]> archive = api.download(TEMPLATES + "/" + id + "/versions/1.0.0/archive",
                admin.accessToken());
        assertThat(archive.statusCode()).isEqualTo(200);
        assertThat(archive.headers().firstValue("Content-Type")).hasValue("application/zip");
        assertThat(archive.body()).isEqualTo(v1);

        Api.Response yanked = api.post(TEMPLATES + "/" + id + "/versions/1.10.0/yank", admin.accessToken(),
                obj("reason", "breaks TLS"));
        assertThat(yanked.status()).as(yanked.toString()).isEqualTo(200);
        assertThat(yanked.json().path("yanked").asBoolean()).isTrue();
        assertThat(yanked.json().path("yank_reason").asString()).isEqualTo("breaks TLS");
        assertThat(api.get(TEMPLATES + "/" + id, admin.accessToken()).json().path("latest_version").asString())
                .isEqualTo("1.9.3");
        // a yanked version stays readable and downloadable for the deployments that pinned it
        assertThat(api.get(TEMPLATES + "/" + id + "/versions/1.10.0", admin.accessToken()).status()).isEqualTo(200);
        assertThat(api.post(TEMPLATES + "/" + id + "/versions/1.10.0/yank", admin.accessToken(), null).status())
                .isEqualTo(200);
        assertProblem(api.post(TEMPLATES + "/" + id + "/versions/9.9.9/yank", admin.accessToken(), null), 404,
                "TEMPLATE_VERSION_NOT_FOUND");
        assertProblem(api.get(TEMPLATES + "/" + id + "/versions/9.9.9", admin.accessToken()), 404,
                "TEMPLATE_VERSION_NOT_FOUND");

        assertProblem(api.delete(TEMPLATES + "/" + UUID.randomUUID(), admin.accessToken()), 404, "TEMPLATE_NOT_FOUND");
        assertThat(api.delete(TEMPLATES + "/" + id, admin.accessToken()).status()).isEqualTo(204);
        assertThat(scopes.inTenant(admin.tenantId(), () -> jdbc.sql(
                "select count(*) from template_archives where tenant_id = ?").param(admin.tenantId())
                .query(Long.class).single())).as("archives of deleted versions are removed").isZero();
    }

    @Test
    void everyUnsafeOrInvalidArchiveIsRefusedWithItsOwnCodeAndNothingIsStored() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String id = create(api, admin, "Guarded " + UUID.randomUUID(), "ansible");
        String manifest = TemplateArchives.manifest("1.0.0", "ansible", SIMPLE_INPUTS);
        byte[] deepest = TemplateArchives.with().file("x.txt", "x").zip();
        for (int i = 0; i < 3; i++) {
            deepest = TemplateArchives.with().file("inner.zip", deepest).zip();
        }
        var tooMany = TemplateArchives.with().manifest(manifest);
        for (int i = 0; i < 2000; i++) {
            tooMany.file("files/f" + i + ".txt", "x");
        }
        byte[] zeros = new byte[60 * 1024 * 1024];
        // 51 MiB of hexadecimal text: compresses about 2:1, so the ratio is fine but it unpacks past 50 MiB
        var random = new java.util.Random(7);
        byte[] chunk = new byte[512 * 1024];
        var big = TemplateArchives.with().manifest(manifest);
        for (int i = 0; i < 51 * 2; i++) {
            random.nextBytes(chunk);
            big.file("data/part" + i + ".hex", HexFormat.of().formatHex(chunk).substring(0, 512 * 1024));
        }
        Map<String, byte[]> refused = new java.util.LinkedHashMap<>();
        refused.put("ARCHIVE_PATH_TRAVERSAL", TemplateArchives.with().manifest(manifest)
                .file("roles/../../etc/cron.d/evil", "x").zip());
        refused.put("ARCHIVE_ABSOLUTE_PATH", TemplateArchives.with().manifest(manifest).file("/etc/passwd", "x").zip());
        refused.put("ARCHIVE_ABSOLUTE_PATH ", TemplateArchives.with().manifest(manifest).file("C:\\boot.ini", "x").zip());
        refused.put("ARCHIVE_SYMLINK", TemplateArchives.with().manifest(manifest).symlink("keys", "/root/.ssh").zip());
        refused.put("ARCHIVE_DUPLICATE_ENTRY", TemplateArchives.with().manifest(manifest).file("a.yml", "1")
                .file("a.yml", "2").zip());
        refused.put("ARCHIVE_NESTING_TOO_DEEP", TemplateArchives.with().manifest(manifest).file("deps.zip", deepest)
                .zip());
        refused.put("ARCHIVE_TOO_MANY_ENTRIES", tooMany.zip());
        refused.put("ARCHIVE_COMPRESSION_RATIO", TemplateArchives.with().manifest(manifest).file("bomb.bin", zeros)
                .zip());
        refused.put("ARCHIVE_TOO_LARGE_UNPACKED", big.zip());
        refused.put("ARCHIVE_MALFORMED", "this is not a zip".getBytes(StandardCharsets.UTF_8));
        refused.put("MANIFEST_MISSING", TemplateArchives.with().file("playbook.yml", "- hosts: all").zip());
        refused.put("MANIFEST_MISSING ", TemplateArchives.with().file("sub/canopy.yaml", manifest).zip());
        refused.put("MANIFEST_INVALID", TemplateArchives.with().manifest("name: [unclosed").zip());
        refused.put("MANIFEST_INVALID ", TemplateArchives.with().manifest("- a list").zip());
        refused.put("MANIFEST_INVALID  ", TemplateArchives.with().manifest(manifest + "colour: blue\n").zip());
        refused.put("UNKNOWN_DRIVER", TemplateArchives.template("1.0.0", "chef", SIMPLE_INPUTS));
        refused.put("DRIVER_MISMATCH", TemplateArchives.template("1.0.0", "kubernetes", SIMPLE_INPUTS));
        refused.put("INVALID_VERSION", TemplateArchives.template("1.0", "ansible", SIMPLE_INPUTS));
        refused.put("INVALID_VERSION ", TemplateArchives.template("01.2.3", "ansible", SIMPLE_INPUTS));
        refused.put("INPUTS_SCHEMA_INVALID", TemplateArchives.template("1.0.0", "ansible",
                "type: object\nproperties:\n  size: {type: strin}\n"));
        refused.put("INPUTS_SCHEMA_INVALID ", TemplateArchives.template("1.0.0", "ansible",
                "type: object\nrequired: yes\n"));
        refused.put("INPUTS_SCHEMA_INVALID  ", TemplateArchives.template("1.0.0", "ansible", "type: array\n"));
        refused.put("INPUTS_SCHEMA_INVALID   ", TemplateArchives.template("1.0.0", "ansible",
                "type: object\nproperties:\n  name: {type: string, pattern: \"[unclosed\"}\n"));
        refused.put("INPUTS_SCHEMA_INVALID    ", TemplateArchives.template("1.0.0", "ansible",
                "type: object\nproperties:\n  peer: {$ref: \"https://169.254.169.254/latest/meta-data\"}\n"));
        StringBuilder laughs = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            laughs.append(c).append(": &").append(c).append(" [").append(("*" + (char) (c - 1) + ", ").repeat(8))
                    .append('*').append((char) (c - 1)).append("]\n");
        }
        refused.put("MANIFEST_INVALID   ", TemplateArchives.with().manifest(laughs.toString()).zip());
        refused.put("FILE_REQUIRED", new byte[0]);

        refused.forEach((code, archive) -> {
            Api.Response response = publish(api, admin, id, archive);
            assertProblem(response, 400, code.strip());
            assertThat(response.text()).doesNotContain("Exception").doesNotContain("at dev.canopy");
        });
        assertThat(api.get(TEMPLATES + "/" + id + "/versions", admin.accessToken()).json().path("items").isEmpty())
                .isTrue();
        assertThat(scopes.inTenant(admin.tenantId(), () -> jdbc.sql(
                "select count(*) from template_archives where tenant_id = ?").param(admin.tenantId())
                .query(Long.class).single())).isZero();

        // not multipart, or multipart without the field
        assertProblem(api.post(TEMPLATES + "/" + id + "/versions", admin.accessToken(), obj("file", "x")), 400,
                "FILE_REQUIRED");
        assertProblem(api.upload(TEMPLATES + "/" + id + "/versions", admin.accessToken(), "archive", "t.zip",
                TemplateArchives.template("1.0.0", "ansible", SIMPLE_INPUTS)), 400, "FILE_REQUIRED");
        // over the upload limit: refused from its length, before anything is read
        assertProblem(publish(api, admin, id, new byte[51 * 1024 * 1024]), 413, "PAYLOAD_TOO_LARGE");
        // another tenant's template
        Session stranger = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        assertProblem(publish(api, stranger, id, TemplateArchives.template("1.0.0", "ansible", SIMPLE_INPUTS)), 404,
                "TEMPLATE_NOT_FOUND");
        assertThat(errorFields(publish(api, admin, id, TemplateArchives.template("1.0.0", "ansible",
                "type: object\nproperties:\n  size: {type: strin}\n")))).containsOnly("inputs");
    }

    @Test
    void aKubernetesVersionsManifestsMustBeObjectsAtUpload() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String id = create(api, admin, "Cluster " + UUID.randomUUID(), "kubernetes");
        String manifest = TemplateArchives.manifest("1.0.0", "kubernetes", SIMPLE_INPUTS);
        String config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: b}\n";
        Map<String, byte[]> refused = new java.util.LinkedHashMap<>();
        refused.put("manifests/a.yaml", TemplateArchives.with().manifest(manifest).file("manifests/a.yaml",
                "data: [unclosed\n").zip());
        refused.put("manifests/b.yml", TemplateArchives.with().manifest(manifest).file("manifests/b.yml",
                "apiVersion: v1\nmetadata: {name: web}\n").zip());
        refused.put("manifests/c.yaml", TemplateArchives.with().manifest(manifest).file("manifests/c.yaml",
                config + "---\napiVersion: v1\nkind: ConfigMapList\nmetadata: {name: all}\nitems: []\n").zip());
        refused.put("manifests/sub/d.yaml", TemplateArchives.with().manifest(manifest)
                .file("manifests/sub/d.yaml", "- apiVersion: v1\n- kind: ConfigMap\n").zip());
        // a placeholder stands for a whole value: inside quotes it would break the string at run time
        refused.put("manifests/e.yaml", TemplateArchives.with().manifest(manifest).file("manifests/e.yaml",
                config.replace("{a: b}", "{a: \"hello {{ inputs.size }}\"}")).zip());
        refused.put("manifests/f.yaml", TemplateArchives.with().manifest(manifest).file("manifests/f.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"\"}\n").zip());
        refused.forEach((file, archive) -> {
            Api.Response response = publish(api, admin, id, archive);
            assertProblem(response, 400, "KUBERNETES_MANIFEST_INVALID");
            assertThat(errorFields(response)).as(response.toString()).containsExactly(file);
            assertThat(response.json().path("detail").asString()).startsWith(file + ": ");
            assertThat(response.text()).doesNotContain("Exception");
        });
        Api.Response both = publish(api, admin, id, TemplateArchives.with().manifest(manifest)
                .file("manifests/x.yaml", "kind: Pod\n").file("manifests/y.yaml", "[1, 2\n").zip());
        assertProblem(both, 400, "KUBERNETES_MANIFEST_INVALID");
        assertThat(errorFields(both)).containsExactly("manifests/x.yaml", "manifests/y.yaml");
        assertProblem(publish(api, admin, id, TemplateArchives.with().manifest(manifest).file("playbook.yml",
                "- hosts: all\n").file("config.yaml", config).zip()), 400, "KUBERNETES_MANIFESTS_MISSING");
        assertThat(api.get(TEMPLATES + "/" + id + "/versions", admin.accessToken()).json().path("items").isEmpty())
                .isTrue();

        // placeholders for whole values (names too), several documents, empty ones, sub-directories, .yml
        Api.Response accepted = publish(api, admin, id, TemplateArchives.with().manifest(manifest)
                .file("manifests/10-config.yaml", "---\n" + config.replace("name: web", "name: {{ inputs.name }}")
                        .replace("{a: b}", "{size: {{ inputs.size }}}") + "---\n---\n" + config.replace("web",
                                "second"))
                .file("manifests/apps/20-service.yml", """
                        apiVersion: v1
                        kind: Service
                        metadata:
                          name: web
                        spec:
                          ports: [{port: {{ inputs.size }}}]
                        """).file("README.md", "not a manifest").zip());
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
        // other drivers' versions are not read as Kubernetes manifests
        String playbooks = create(api, admin, "Playbooks " + UUID.randomUUID(), "ansible");
        assertThat(publish(api, admin, playbooks, TemplateArchives.with().manifest(TemplateArchives.manifest("1.0.0",
                "ansible", SIMPLE_INPUTS)).file("playbook.yml", "- hosts: all\n").file("manifests/a.yaml",
                        "not: [kubernetes").zip()).status()).isEqualTo(201);
    }

    @Test
    void badInputToEveryWriteIsA4xxProblemAndChangesNothing() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String id = create(api, admin, "Strict " + UUID.randomUUID(), "opentofu");
        assertEachRejected(body -> api.send("POST", TEMPLATES, admin.accessToken(), body, Map.of()), List.of(
                new BadInput("{\"name\": ", "MALFORMED_JSON", List.of()),
                new BadInput(Api.json(obj("name", "a", "driver", "ansible", "colour", "blue")), "UNKNOWN_FIELD",
                        List.of()),
                new BadInput(Api.json(obj("name", 5, "driver", "ansible")), "INVALID_TYPE", List.of()),
                new BadInput(Api.json(obj("name", "a", "driver", "ansible", "locked", "yes")), "INVALID_TYPE",
                        List.of()),
                new BadInput(Api.json(obj("description", "no name")), "VALIDATION_FAILED", List.of("name", "driver")),
                new BadInput(Api.json(obj("name", "x".repeat(101), "driver", "chef", "description", "d".repeat(2001),
                        "tags", List.of("Not A Tag"))), "VALIDATION_FAILED",
                        List.of("name", "driver", "description", "tags"))));
        assertEachRejected(body -> api.send("PATCH", TEMPLATES + "/" + id, admin.accessToken(), body, Map.of()),
                List.of(new BadInput("{\"name\": \"x", "MALFORMED_JSON", List.of()),
                        new BadInput(Api.json(obj("driver", "ansible", "version", 0)), "UNKNOWN_FIELD", List.of()),
                        new BadInput(Api.json(obj("tags", "web", "version", 0)), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj("name", "renamed")), "VALIDATION_FAILED", List.of("version")),
                        new BadInput(Api.json(obj("name", "", "version", 0)), "VALIDATION_FAILED", List.of("name"))));
        assertThat(publish(api, admin, id, TemplateArchives.template("0.1.0", "opentofu", SIMPLE_INPUTS)).status())
                .isEqualTo(201);
        String version = TEMPLATES + "/" + id + "/versions/0.1.0";
        assertEachRejected(body -> api.send("POST", version + "/validate", admin.accessToken(), body, Map.of()),
                List.of(new BadInput("{\"inputs\": {", "MALFORMED_JSON", List.of()),
                        new BadInput(Api.json(obj()), "VALIDATION_FAILED", List.of("inputs")),
                        new BadInput(Api.json(obj("inputs", List.of(1))), "VALIDATION_FAILED", List.of("inputs")),
                        new BadInput(Api.json(obj("inputs", obj(), "extra", 1)), "UNKNOWN_FIELD", List.of())));
        assertEachRejected(body -> api.send("POST", version + "/yank", admin.accessToken(), body, Map.of()),
                List.of(new BadInput(Api.json(obj("reason", "r".repeat(501))), "VALIDATION_FAILED", List.of("reason")),
                        new BadInput(Api.json(obj("reason", 1)), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj("why", "x")), "UNKNOWN_FIELD", List.of())));
        assertEachRejected(body -> api.send("POST", TEMPLATES + "/" + id + "/shares", admin.accessToken(), body,
                Map.of()), List.of(new BadInput(Api.json(obj()), "VALIDATION_FAILED", List.of("all_clients")),
                        new BadInput(Api.json(obj("tenant_id", "not-a-uuid")), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj("all_clients", "yes")), "INVALID_TYPE", List.of())));
        assertThat(api.get(TEMPLATES + "/" + id + "/versions/0.1.0", admin.accessToken()).json().path("yanked")
                .asBoolean()).isFalse();
        assertThat(api.get(TEMPLATES + "/" + id, admin.accessToken()).json().path("version").asLong()).isZero();
        // oversize JSON bodies stay limited to 64 KiB; only multipart uploads of archives may be larger
        assertProblem(api.post(TEMPLATES, admin.accessToken(), obj("name", "a", "driver", "arm", "description",
                "d".repeat(70_000))), 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void theCatalogAsksForItsPermissionsAndAnotherTenantsTemplatesAreNotFound() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session viewer = fixtures.userIn(tenant, "viewer");
        String id = create(api, admin, "Readable " + UUID.randomUUID(), "arm");
        assertThat(publish(api, admin, id, TemplateArchives.template("1.0.0", "arm", SIMPLE_INPUTS)).status())
                .isEqualTo(201);

        assertThat(ids(api.get(TEMPLATES, viewer.accessToken()))).containsExactly(UUID.fromString(id));
        assertThat(api.get(TEMPLATES + "/" + id + "/versions/1.0.0", viewer.accessToken()).status()).isEqualTo(200);
        assertProblem(api.post(TEMPLATES, viewer.accessToken(), obj("name", "mine", "driver", "arm")), 403, "FORBIDDEN");
        assertProblem(publish(api, viewer, id, TemplateArchives.template("1.0.1", "arm", SIMPLE_INPUTS)), 403,
                "FORBIDDEN");
        assertProblem(api.patch(TEMPLATES + "/" + id, viewer.accessToken(), obj("name", "x", "version", 0)), 403,
                "FORBIDDEN");
        assertProblem(api.post(TEMPLATES + "/" + id + "/versions/1.0.0/yank", viewer.accessToken(), null), 403,
                "FORBIDDEN");
        assertProblem(api.delete(TEMPLATES + "/" + id, viewer.accessToken()), 403, "FORBIDDEN");
        // locking needs templates:manage, which a member does not have
        Session member = fixtures.userIn(tenant, "member");
        assertProblem(api.post(TEMPLATES, member.accessToken(), obj("name", "x", "driver", "arm", "locked", true)), 403,
                "FORBIDDEN");

        Session stranger = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        assertThat(ids(api.get(TEMPLATES, stranger.accessToken()))).doesNotContain(UUID.fromString(id));
        for (String path : List.of("", "/versions", "/versions/1.0.0", "/versions/1.0.0/archive")) {
            assertProblem(api.get(TEMPLATES + "/" + id + path, stranger.accessToken()), 404, "TEMPLATE_NOT_FOUND");
        }
        assertProblem(api.patch(TEMPLATES + "/" + id, stranger.accessToken(), obj("name", "x", "version", 0)), 404,
                "TEMPLATE_NOT_FOUND");
        assertProblem(api.post(TEMPLATES + "/" + id + "/versions/1.0.0/yank", stranger.accessToken(), null), 404,
                "TEMPLATE_NOT_FOUND");
        assertProblem(api.post(TEMPLATES + "/" + id + "/versions/1.0.0/validate", stranger.accessToken(),
                obj("inputs", obj())), 404, "TEMPLATE_NOT_FOUND");
        assertProblem(api.delete(TEMPLATES + "/" + id, stranger.accessToken()), 404, "TEMPLATE_NOT_FOUND");
        assertThat(api.get(TEMPLATES + "/" + id, admin.accessToken()).json().path("name").asString())
                .startsWith("Readable");
    }

    @Test
    void writesAreAudited() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        Api.Response created = api.post(TEMPLATES, admin.accessToken(), obj("name", "Audited " + UUID.randomUUID(),
                "driver", "ansible"));
        String id = created.json().path("id").asString();
        Api.Response published = publish(api, admin, id, TemplateArchives.template("1.0.0", "ansible", SIMPLE_INPUTS));
        Api.Response yanked = api.post(TEMPLATES + "/" + id + "/versions/1.0.0/yank", admin.accessToken(), null);
        Api.Response refused = publish(api, admin, id, TemplateArchives.with().file("x", "y").zip());
        assertThat(AuditLog.ofRequest(scopes, jdbc, admin.tenantId(), created.header("X-Request-Id")))
                .extracting(AuditLog.Event::action, AuditLog.Event::resourceId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("template.created", id));
        var publishedEvent = AuditLog.ofRequest(scopes, jdbc, admin.tenantId(), published.header("X-Request-Id"))
                .getFirst();
        assertThat(publishedEvent.action()).isEqualTo("template.version_published");
        assertThat(publishedEvent.details()).contains("\"template_version\": \"1.0.0\"")
                .contains(published.json().path("digest").asString());
        assertThat(AuditLog.ofRequest(scopes, jdbc, admin.tenantId(), yanked.header("X-Request-Id")).getFirst().action())
                .isEqualTo("template.version_yanked");
        var failure = AuditLog.ofRequest(scopes, jdbc, admin.tenantId(), refused.header("X-Request-Id")).getFirst();
        assertThat(failure.status()).isEqualTo("failure");
        assertThat(failure.details()).contains("MANIFEST_MISSING");
    }
}
