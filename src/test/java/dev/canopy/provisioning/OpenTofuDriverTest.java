package dev.canopy.provisioning;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.TemplateArchives;
import tools.jackson.databind.JsonNode;

/**
 * The OpenTofu/Terraform driver with the real engine ({@code tofu}, else {@code terraform}, on the PATH; the tests
 * are skipped where neither is, and {@code OpenTofuJsonReplayTest} replays recorded output instead). The template
 * uses only the engine's built-in {@code terraform_data} resource, whose provisioners write and remove a file: the
 * effects are on this machine, and no provider needs downloading.
 */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class OpenTofuDriverTest extends ApiTest {

    static final String INPUTS = """
            type: object
            required: [target, message]
            properties:
              target: {type: string}
              message: {type: string}
              pause: {type: integer, default: 0}
              fail: {type: boolean, default: false}
              api_token: {type: string, writeOnly: true, default: "none"}
            """;

    /** A backend of the template's own, which Canopy's override must replace: the state stays Canopy's. */
    static final String ESCAPED_STATE = "/tmp/canopy-opentofu-escaped.tfstate";

    static final String MAIN_TF = """
            terraform {
              backend "local" {
                path = "%s"
              }
            }

            variable "target" { type = string }
            variable "message" { type = string }
            variable "pause" { type = number }
            variable "fail" { type = bool }
            variable "api_token" {
              type      = string
              sensitive = true
            }

            resource "terraform_data" "slow" {
              provisioner "local-exec" {
                command     = "sleep \\"$PAUSE\\""
                environment = { PAUSE = var.pause }
              }
            }

            resource "terraform_data" "file" {
              depends_on       = [terraform_data.slow]
              input            = var.message
              triggers_replace = [var.target]

              provisioner "local-exec" {
                command     = "if [ \\"$FAIL\\" = true ]; then echo 'the disk is full' >&2; exit 3; fi; printf '%%s' \\"$MSG\\" > \\"$TARGET\\""
                environment = { MSG = var.message, TARGET = var.target, FAIL = var.fail }
              }

              provisioner "local-exec" {
                when        = destroy
                command     = "rm -f \\"$TARGET\\""
                environment = { TARGET = self.triggers_replace[0] }
              }
            }

            output "path" { value = var.target }
            output "message" { value = terraform_data.file.output }
            output "token" {
              value     = var.api_token
              sensitive = true
            }
            """.formatted(ESCAPED_STATE);

    static final String TOKEN = "tok-5c3b1f0e9d7a4e21";

    static String engine;

    @TempDir
    Path directory;

    @Autowired
    TenantTransactions scopes;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    Secrets secrets;

    Provisioning provisioning;
    Session admin;
    String template;
    String development;

    @BeforeAll
    static void findEngine() {
        engine = Stream.of("tofu", "terraform").filter(name -> Stream.of(System.getenv("PATH").split(
                File.pathSeparator)).anyMatch(dir -> Files.isExecutable(Path.of(dir, name)))).findFirst()
                .orElse(null);
    }

    @BeforeEach
    void setUp() {
        assumeTrue(engine != null, "neither tofu nor terraform is on the PATH: the replay test covers the output");
        provisioning = new Provisioning(api);
        admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        template = template(TemplateArchives.with().file("main.tf", MAIN_TF));
        development = provisioning.environment(admin, "development");
    }

    @Test
    void planApplyOutputsPreviewAndDestroyWithTheRealBinary() throws IOException {
        Path target = directory.resolve("made-by-tofu.txt");
        Api.Response created = deploy(development, target, obj("api_token", TOKEN));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String deployment = created.json().path("id").asString();
        String runId = created.json().path("run").path("id").asString();
        JsonNode run = provisioning.await(admin, runId);
        String log = provisioning.log(admin, runId);
        assertThat(run.path("state").asString()).as(log).isEqualTo("succeeded");

        assertThat(Files.readString(target)).isEqualTo("hello from tofu");
        JsonNode plan = run.path("plan");
        assertThat(plan.findValuesAsString("action")).as(plan.toString()).containsExactly("create", "create");
        assertThat(plan.findValuesAsString("address")).containsExactly("terraform_data.file", "terraform_data.slow");
        assertThat(plan.path(0).path("after").path("input").asString()).isEqualTo("hello from tofu");
        assertThat(plan.path(0).path("after").path("id").asString()).isEqualTo("(known after apply)");
        assertThat(log).contains("terraform_data.file: Creation complete", "Apply complete! Resources: 2 added")
                .doesNotContain(TOKEN);
        JsonNode outputs = api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("outputs");
        assertThat(outputs.path("path").asString()).isEqualTo(target.toString());
        assertThat(outputs.path("message").asString()).isEqualTo("hello from tofu");
        assertThat(outputs.path("token").asString()).isEqualTo("(sensitive)");

        // the state is Canopy's, sealed: neither the inputs nor the token are readable in the table
        UUID tenant = admin.tenantId();
        UUID id = UUID.fromString(deployment);
        byte[] sealed = scopes.inTenant(tenant, () -> jdbc.sql("select sealed_state from opentofu_states "
                + "where tenant_id = ? and deployment_id = ?").params(tenant, id).query(byte[].class).single());
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("hello from tofu", TOKEN,
                "terraform_data");
        String state = new String(secrets.open(SecretBinding.tenant(tenant, "opentofu_states", deployment), sealed),
                StandardCharsets.UTF_8);
        assertThat(state).contains("terraform_data", "hello from tofu");
        assertThat(Path.of(ESCAPED_STATE)).as("the template's own backend was overridden").doesNotExist();
        assertThat(scopes.inTenant(tenant, () -> jdbc.sql("select count(*) from opentofu_plans where "
                + "tenant_id = ? and deployment_id = ?").params(tenant, id).query(Long.class).single()))
                .as("the applied plan is not kept").isZero();
        assertThat(scopes.inTenant(tenant, () -> jdbc.sql("select lock_id from opentofu_states where "
                + "tenant_id = ? and deployment_id = ?").params(tenant, id).query(String.class).optional()))
                .as("the engine released its lock").isEmpty();

        String previewId = api.post("/api/v1/deployments/" + deployment + "/plan", admin.accessToken(), null)
                .json().path("id").asString();
        JsonNode preview = provisioning.await(admin, previewId);
        assertThat(preview.path("state").asString()).as(provisioning.log(admin, previewId)).isEqualTo("succeeded");
        assertThat(preview.path("plan").findValuesAsString("action")).containsExactly("no-op", "no-op");

        Api.Response destroy = api.delete("/api/v1/deployments/" + deployment, admin.accessToken());
        assertThat(destroy.status()).as(destroy.toString()).isEqualTo(202);
        String destroyId = destroy.json().path("id").asString();
        JsonNode destroyed = provisioning.await(admin, destroyId);
        assertThat(destroyed.path("state").asString()).as(provisioning.log(admin, destroyId)).isEqualTo("succeeded");
        assertThat(destroyed.path("plan").findValuesAsString("action")).as("the destroy run plans the destroy")
                .containsExactly("delete", "delete");
        assertThat(target).doesNotExist();
        String after = new String(secrets.open(SecretBinding.tenant(tenant, "opentofu_states", deployment),
                scopes.inTenant(tenant, () -> jdbc.sql("select sealed_state from opentofu_states where "
                        + "tenant_id = ? and deployment_id = ?").params(tenant, id).query(byte[].class).single())),
                StandardCharsets.UTF_8);
        assertThat(after).doesNotContain("terraform_data");
    }

    @Test
    void anApprovedPlanWhoseStateChangedMeanwhileIsRefusedWithTheRealBinary() {
        Api.Response sandbox = api.post("/api/v1/environments", admin.accessToken(), obj("name", "tofu-sandbox",
                "protection", obj("required_approvals", 1, "approver_roles", List.of("tenant_admin"),
                        "allow_self_approval", true)));
        assertThat(sandbox.status()).as(sandbox.toString()).isEqualTo(201);
        Path target = directory.resolve("never.txt");
        Api.Response created = deploy(sandbox.json().path("id").asString(), target, Map.of());
        String deployment = created.json().path("id").asString();
        String runId = created.json().path("run").path("id").asString();
        JsonNode waiting = provisioning.await(admin, runId, "awaiting_approval");
        assertThat(waiting.path("plan").findValuesAsString("action")).containsExactly("create", "create");

        // another writer changes the state after the plan was made (and approved)
        UUID tenant = admin.tenantId();
        String other = """
                {"version": 4, "terraform_version": "1.6.0", "serial": 7, "lineage": "%s", "outputs": {},
                 "resources": [], "check_results": null}
                """.formatted(UUID.randomUUID());
        byte[] sealed = secrets.seal(SecretBinding.tenant(tenant, "opentofu_states", deployment),
                other.getBytes(StandardCharsets.UTF_8));
        scopes.inTenant(tenant, () -> jdbc.sql("insert into opentofu_states (tenant_id, deployment_id, "
                + "sealed_state, serial) values (?, ?, ?, 7) on conflict (tenant_id, deployment_id) do update set "
                + "sealed_state = excluded.sealed_state, serial = 7").params(tenant, UUID.fromString(deployment), sealed)
                .update());

        Api.Response approved = api.post("/api/v1/runs/" + runId + "/approvals", admin.accessToken(), obj(
                "decision", "approve", "comment", "fine"));
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
        JsonNode failed = provisioning.await(admin, runId, "failed");
        assertThat(failed.path("error").asString()).contains("no longer fits the deployment's state");
        assertThat(provisioning.log(admin, runId)).contains("Saved plan is stale");
        assertThat(target).doesNotExist();
    }

    @Test
    void aFailingApplyFailsTheRunWithTheEnginesErrorWithTheRealBinary() {
        Path target = directory.resolve("full.txt");
        String runId = deploy(development, target, obj("fail", true)).json().path("run").path("id").asString();
        JsonNode failed = provisioning.await(admin, runId, "failed");
        String log = provisioning.log(admin, runId);
        assertThat(failed.path("error").asString()).as(log).contains("apply exited with 1", "local-exec",
                "request a new run");
        assertThat(failed.path("attempts").asInt()).as("what the attempt changed stops the retries").isEqualTo(1);
        assertThat(log).contains("the disk is full");
        assertThat(target).doesNotExist();
    }

    @Test
    void aCancelStopsTheEngineGracefullyWhichSavesWhatItBeganAndStartsNothingMoreWithTheRealBinary() {
        Path target = directory.resolve("slow.txt");
        Api.Response created = deploy(development, target, obj("pause", 60));
        String deployment = created.json().path("id").asString();
        String runId = created.json().path("run").path("id").asString();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!provisioning.log(admin, runId).contains("terraform_data.slow: Provisioning with 'local-exec'")
                && System.nanoTime() < deadline) {
            Provisioning.sleep(100);
        }
        long asked = System.nanoTime();
        Api.Response cancel = api.post("/api/v1/runs/" + runId + "/cancel", admin.accessToken(), null);
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
        JsonNode canceled = provisioning.await(admin, runId, "canceled");
        String log = provisioning.log(admin, runId);
        assertThat(canceled.path("state").asString()).isEqualTo("canceled");
        assertThat((System.nanoTime() - asked) / 1_000_000_000L).as("long before the provisioner's 60 s")
                .isLessThan(30);
        assertThat(log).contains("Interrupt received", "Stopping operation").doesNotContain(
                "terraform_data.file: Creating");
        assertThat(target).doesNotExist();

        UUID tenant = admin.tenantId();
        UUID id = UUID.fromString(deployment);
        assertThat(scopes.inTenant(tenant, () -> jdbc.sql("select lock_id from opentofu_states where "
                + "tenant_id = ? and deployment_id = ?").params(tenant, id).query(String.class).optional())
                .orElse(null)).as(log).isNull();
        byte[] sealed = scopes.inTenant(tenant, () -> jdbc.sql("select sealed_state from opentofu_states "
                + "where tenant_id = ? and deployment_id = ?").params(tenant, id).query((rs, n) -> rs.getBytes(1))
                .optional().orElse(null));
        assertThat(sealed).as(log).isNotNull();
        // what the engine began is in the state (Terraform stops a provisioner at once, and marks its object
        // tainted), so the next run knows of it
        assertThat(new String(secrets.open(SecretBinding.tenant(tenant, "opentofu_states", deployment), sealed),
                StandardCharsets.UTF_8)).as(log).contains("\"name\": \"slow\"").doesNotContain("\"name\": \"file\"");
    }

    @Test
    void theStateBackendAnswersOnlyTheEngineOfARunningStepWithTheRealBinary() {
        Api.Response created = deploy(development, directory.resolve("x.txt"), Map.of());
        String deployment = created.json().path("id").asString();
        provisioning.await(admin, created.json().path("run").path("id").asString());
        String path = "/internal/opentofu/state/" + deployment;
        assertProblem(api.send("GET", path, null, null, Map.of()), 401, "STATE_ACCESS_DENIED");
        String guessed = Base64.getEncoder().encodeToString((UUID.randomUUID() + ":not-the-password")
                .getBytes(StandardCharsets.UTF_8));
        assertProblem(api.send("GET", path, null, null, Map.of("Authorization", "Basic " + guessed)), 401,
                "STATE_ACCESS_DENIED");
        assertProblem(api.send("POST", path + "/lock", null, "{\"ID\":\"x\"}", Map.of("Authorization",
                "Basic " + guessed)), 401, "STATE_ACCESS_DENIED");
        // a user's token is not an engine's password either
        assertProblem(api.send("GET", path, admin.accessToken(), null, Map.of()), 401, "STATE_ACCESS_DENIED");
    }

    @Test
    void anotherTenantSeesNoneOfTheStatesOrPlansWithTheRealBinary() {
        String runId = deploy(development, directory.resolve("mine.txt"), Map.of()).json().path("run").path("id")
                .asString();
        assertThat(provisioning.await(admin, runId).path("state").asString()).isEqualTo("succeeded");
        UUID mine = admin.tenantId();
        UUID other = fixtures.userIn(fixtures.tenant(), "tenant_admin").tenantId();
        for (String table : List.of("opentofu_states", "opentofu_plans")) {
            String count = "select count(*) from " + table + " where tenant_id = ?";
            assertThat(scopes.inTenant(other, () -> jdbc.sql(count).param(mine).query(Long.class).single()))
                    .as(table).isZero();
            assertThat(scopes.inTenant(other, () -> jdbc.sql("delete from " + table + " where tenant_id = ?")
                    .param(mine).update())).as(table).isZero();
        }
        assertThat(scopes.inTenant(mine, () -> jdbc.sql("select count(*) from opentofu_states where "
                + "tenant_id = ?").param(mine).query(Long.class).single())).isPositive();
    }

    @Test
    void theDriversListSaysWhichEngineRunsWithTheRealBinary() {
        JsonNode drivers = api.get("/api/v1/drivers", admin.accessToken()).json().path("items");
        JsonNode tofu = null;
        for (JsonNode d : drivers) {
            if (d.path("key").asString().equals("opentofu")) {
                tofu = d;
            }
        }
        assertThat(tofu).as(drivers.toString()).isNotNull();
        assertThat(tofu.path("available").asBoolean()).isTrue();
        assertThat(tofu.path("detail").asString()).containsAnyOf("OpenTofu", "Terraform").contains(engine);
    }

    private String template(TemplateArchives archive) {
        Api.Response created = api.post("/api/v1/templates", admin.accessToken(), obj("name", "File "
                + UUID.randomUUID(), "description", "A file made by OpenTofu", "driver", "opentofu"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().path("id").asString();
        Api.Response published = api.upload("/api/v1/templates/" + id + "/versions", admin.accessToken(), "file",
                "template.zip", archive.manifest(TemplateArchives.manifest("1.0.0", "opentofu", INPUTS)).zip());
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        return id;
    }

    private Api.Response deploy(String environment, Path target, Map<String, Object> inputs) {
        var all = new java.util.LinkedHashMap<String, Object>(obj("target", target.toString(), "message",
                "hello from tofu"));
        all.putAll(inputs);
        return api.post("/api/v1/deployments", admin.accessToken(), obj("name", "tofu-" + UUID.randomUUID(),
                "template_id", template, "environment_id", environment, "inputs", all));
    }
}
