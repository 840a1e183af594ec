package dev.canopy.provisioning;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.SecretLogCapture;
import tools.jackson.databind.JsonNode;

/** Environments and deployments over HTTP: the named shapes, filters, idempotency, bad input and isolation. */
@Tag("full") // slow: left to the full build, -P full, which CI runs; the default build stays under 10 minutes
@ExtendWith(SecretLogCapture.class)
class DeploymentsApiTest extends ApiTest {

    static final String TOKEN = "tok-Very-Secret-Value-42";

    static final String ECHOES_TOKEN = """
            - hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: say the token
                  ansible.builtin.debug:
                    msg: "the token is {{ api_token }}"
                - name: report it
                  ansible.builtin.set_fact:
                    canopy_outputs:
                      echoed: "{{ api_token }}"
            """;

    @TempDir
    Path target;

    @Autowired
    TenantTransactions scopes;

    @Autowired
    JdbcClient jdbc;

    Provisioning provisioning;
    Session admin;
    String template;
    String development;

    @BeforeEach
    void setUp() {
        provisioning = new Provisioning(api);
        admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        template = provisioning.template(admin, Provisioning.FILES_PLAYBOOK, Provisioning.FILES_DESTROY);
        development = provisioning.environment(admin, "development");
    }

    @Test
    void everyTenantStartsWithThreeEnvironmentsAndManagesItsOwn() {
        JsonNode list = api.get("/api/v1/environments", admin.accessToken()).json().path("items");
        assertThat(list.findValuesAsString("name")).containsExactly("development", "production", "staging");
        JsonNode production = api.get("/api/v1/environments/" + provisioning.environment(admin, "production"),
                admin.accessToken()).json();
        assertThat(production.path("protection").path("required_approvals").asInt()).isEqualTo(1);
        assertThat(production.path("protection").path("allow_self_approval").asBoolean()).isFalse();
        assertThat(production.path("protection").path("approval_timeout").asString()).isEqualTo("P2D");

        Api.Response created = api.post("/api/v1/environments", admin.accessToken(), obj("name", "qa",
                "description", "Quality", "protection", obj("required_tags", List.of("team", "owner"),
                        "ttl_default", "P1D", "ttl_max", "P7D")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String qa = created.json().path("id").asString();
        assertProblem(api.post("/api/v1/environments", admin.accessToken(), obj("name", "qa")), 409,
                "ENVIRONMENT_NAME_TAKEN");
        Api.Response changed = api.patch("/api/v1/environments/" + qa, admin.accessToken(), obj("protection",
                obj("ttl_max", null, "ttl_default", null), "version", 0));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().path("protection").path("ttl_max").isNull()).isTrue();
        assertProblem(api.patch("/api/v1/environments/" + qa, admin.accessToken(), obj("description", "x",
                "version", 0)), 409, "VERSION_CONFLICT");

        assertEachRejected(body -> api.send("POST", "/api/v1/environments", admin.accessToken(), body, Map.of()),
                List.of(new BadInput("{\"name\": ", "MALFORMED_JSON", List.of()),
                        new BadInput(Api.json(obj("name", "x1", "colour", "blue")), "UNKNOWN_FIELD", List.of()),
                        new BadInput(Api.json(obj("name", 5)), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj("description", "no name")), "VALIDATION_FAILED", List.of("name")),
                        new BadInput(Api.json(obj("name", "Not Valid", "description", "d".repeat(501),
                                "cloud_account_id", UUID.randomUUID().toString(), "protection",
                                obj("required_approvals", 11, "approver_roles", List.of("no-such-role"),
                                        "approval_timeout", "two days", "ttl_default", "P9D", "ttl_max", "P2D",
                                        "required_tags", List.of("Bad Tag")))), "VALIDATION_FAILED",
                                List.of("name", "description", "cloud_account_id", "protection.required_approvals",
                                        "protection.approver_roles", "protection.approval_timeout",
                                        "protection.ttl_default", "protection.required_tags")),
                        new BadInput(Api.json(obj("name", "y1", "protection", obj("required_approvals", 2))),
                                "VALIDATION_FAILED", List.of("protection.approver_roles"))));

        Session member = fixtures.userIn(fixtures.tenant(), "member");
        assertProblem(api.get("/api/v1/environments/" + qa, member.accessToken()), 404, "ENVIRONMENT_NOT_FOUND");
        assertProblem(api.patch("/api/v1/environments/" + qa, member.accessToken(), obj("name", "x", "version", 1)),
                403, "FORBIDDEN");
        String deployed = deploy(Map.of("environment_id", qa, "tags", Map.of("team", "a", "owner", "b"))).json()
                .path("id").asString();
        assertProblem(api.delete("/api/v1/environments/" + qa, admin.accessToken()), 409, "ENVIRONMENT_IN_USE");
        assertThat(deployed).isNotBlank();
    }

    @Test
    void aDeploymentIsListedFilteredTaggedAndCounted() {
        Api.Response first = deploy(Map.of("tags", Map.of("team", "payments", "tier", "web"), "cost_center", "CC-7"));
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        JsonNode d = first.json();
        assertThat(d.path("status").asString()).isEqualTo("pending");
        assertThat(d.path("template_version").asString()).isEqualTo("1.0.0");
        assertThat(d.path("run").path("state").asString()).isIn("queued", "planning", "applying", "succeeded");
        assertThat(d.path("cost_center").asString()).isEqualTo("CC-7");
        String second = deploy(Map.of("tags", Map.of("team", "search"))).json().path("id").asString();
        String id = d.path("id").asString();

        assertThat(listIds("?tag=team=payments")).containsExactly(id);
        assertThat(listIds("?tag=team=payments&tag=tier=web")).containsExactly(id);
        assertThat(listIds("?tag=team=nobody")).isEmpty();
        assertThat(listIds("?environment_id=" + development)).contains(id, second);
        assertThat(listIds("?template_id=" + template)).containsExactlyInAnyOrder(id, second);
        assertThat(listIds("?search=" + d.path("name").asString().substring(4, 14))).containsExactly(id);
        assertThat(listIds("?owner_id=" + admin.userId())).contains(id, second);
        assertProblem(api.get("/api/v1/deployments?tag=novalue", admin.accessToken()), 400, "VALIDATION_FAILED");
        assertProblem(api.get("/api/v1/deployments?status=sleeping", admin.accessToken()), 400, "VALIDATION_FAILED");

        Api.Response tagged = api.post("/api/v1/deployments/" + id + "/tags", admin.accessToken(), obj("add",
                Map.of("owner", "ana"), "remove", List.of("tier"), "version", d.path("version").asLong()));
        assertThat(tagged.status()).as(tagged.toString()).isEqualTo(200);
        assertThat(tagged.json().path("tags").properties().stream().map(Map.Entry::getKey).toList())
                .containsExactlyInAnyOrder("team", "owner");
        assertProblem(api.post("/api/v1/deployments/" + id + "/tags", admin.accessToken(), obj("add",
                Map.of("owner", "x"), "version", 0)), 409, "VERSION_CONFLICT");

        JsonNode stats = api.get("/api/v1/deployments/stats/by-environment", admin.accessToken()).json();
        JsonNode dev = stats.path("items").get(0);
        assertThat(dev.path("environment_id").asString()).isEqualTo(development);
        assertThat(dev.path("total").asLong()).isEqualTo(2);
    }

    @Test
    void anIdempotencyKeyMakesOneDeployment() {
        Map<String, Object> body = obj("name", "once-" + UUID.randomUUID(), "template_id", template,
                "environment_id", development, "inputs", obj("target", target.toString(), "message", "m"));
        Api.Response first = api.send("POST", "/api/v1/deployments", admin.accessToken(), Api.json(body),
                Map.of("Idempotency-Key", "key-1"));
        Api.Response again = api.send("POST", "/api/v1/deployments", admin.accessToken(), Api.json(body),
                Map.of("Idempotency-Key", "key-1"));
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().path("id").asString()).isEqualTo(first.json().path("id").asString());
        assertThat(again.json().path("run").path("id").asString()).isEqualTo(first.json().path("run").path("id")
                .asString());
        body.put("name", "other-" + UUID.randomUUID());
        assertProblem(api.send("POST", "/api/v1/deployments", admin.accessToken(), Api.json(body),
                Map.of("Idempotency-Key", "key-1")), 422, "IDEMPOTENCY_KEY_REUSED");
    }

    @Test
    void badRequestsAreRefusedWithStableCodesAndChangeNothing() {
        String base = Api.json(obj("name", "n", "template_id", template, "environment_id", development,
                "inputs", obj("target", target.toString(), "message", "m")));
        assertEachRejected(body -> api.send("POST", "/api/v1/deployments", admin.accessToken(), body, Map.of()),
                List.of(new BadInput("{\"name\": ", "MALFORMED_JSON", List.of()),
                        new BadInput(base.replace("\"name\"", "\"colour\":1,\"name\""), "UNKNOWN_FIELD", List.of()),
                        new BadInput(Api.json(obj("name", "n", "template_id", 5)), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj("name", "n", "template_id", template, "environment_id",
                                development, "tags", "team")), "INVALID_TYPE", List.of()),
                        new BadInput("{}", "VALIDATION_FAILED", List.of("name", "template_id", "environment_id")),
                        new BadInput(Api.json(obj("name", "x".repeat(101), "template_id", template,
                                "environment_id", development, "cost_center", "c".repeat(101))), "VALIDATION_FAILED",
                                List.of("name", "cost_center")),
                        new BadInput(Api.json(obj("name", "n", "template_id", template, "environment_id",
                                development, "inputs", obj("message", 5))), "INPUTS_INVALID",
                                List.of("inputs.target", "inputs.message")),
                        new BadInput(Api.json(obj("name", "n", "template_id", template, "environment_id",
                                development, "inputs", obj("target", "t", "message", "m"), "tags",
                                Map.of("Bad Key", "v", "business_unit", "x"))), "VALIDATION_FAILED",
                                List.of("tags.Bad Key", "tags.business_unit")),
                        new BadInput(Api.json(obj("name", "n", "template_id", template, "environment_id",
                                development, "inputs", obj("target", "t", "message", "m"), "ttl", "forever")),
                                "VALIDATION_FAILED", List.of("ttl"))));
        assertProblem(deploy(Map.of("template_id", UUID.randomUUID().toString())), 404, "TEMPLATE_NOT_FOUND");
        assertProblem(deploy(Map.of("environment_id", UUID.randomUUID().toString())), 404, "ENVIRONMENT_NOT_FOUND");
        assertProblem(deploy(Map.of("version", "9.9.9")), 404, "TEMPLATE_VERSION_NOT_FOUND");
        assertProblem(api.send("POST", "/api/v1/deployments", admin.accessToken(), base,
                Map.of("Idempotency-Key", "x".repeat(201))), 400, "IDEMPOTENCY_KEY_INVALID");

        Api.Response qa = api.post("/api/v1/environments", admin.accessToken(), obj("name", "tagged",
                "protection", obj("required_tags", List.of("team", "owner", "purpose"))));
        Api.Response missing = deploy(Map.of("environment_id", qa.json().path("id").asString(), "tags",
                Map.of("team", "t")));
        assertProblem(missing, 400, "REQUIRED_TAGS_MISSING");
        assertThat(errorFields(missing)).containsExactlyInAnyOrder("tags.owner", "tags.purpose");
        assertThat(api.get("/api/v1/deployments", admin.accessToken()).json().path("items").size())
                .as("nothing half-made").isZero();

        String run = deploy(Map.of()).json().path("run").path("id").asString();
        assertEachRejected(body -> api.send("POST", "/api/v1/runs/" + run + "/approvals", admin.accessToken(), body,
                Map.of()), List.of(new BadInput("{", "MALFORMED_JSON", List.of()),
                        new BadInput(Api.json(obj("decision", "maybe")), "VALIDATION_FAILED", List.of("decision")),
                        new BadInput(Api.json(obj("decision", "approve", "comment", "c".repeat(1001))),
                                "VALIDATION_FAILED", List.of("comment")),
                        new BadInput(Api.json(obj("decision", "approve", "extra", 1)), "UNKNOWN_FIELD", List.of())));
        String deployment = api.get("/api/v1/runs/" + run, admin.accessToken()).json().path("deployment_id").asString();
        assertEachRejected(body -> api.send("POST", "/api/v1/deployments/" + deployment + "/tags", admin.accessToken(),
                body, Map.of()), List.of(new BadInput("{", "MALFORMED_JSON", List.of()),
                        new BadInput(Api.json(obj("add", Map.of("team", "x"))), "VALIDATION_FAILED", List.of("version")),
                        new BadInput(Api.json(obj("add", List.of("x"), "version", 0)), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj("add", Map.of("Bad Key", "v", "ok", "v".repeat(257)), "version", 0)),
                                "VALIDATION_FAILED", List.of("tags.Bad Key", "tags.ok")),
                        new BadInput(Api.json(obj("colour", 1, "version", 0)), "UNKNOWN_FIELD", List.of())));
        assertEachRejected(body -> api.send("POST", "/api/v1/deployments/" + deployment + "/extend",
                admin.accessToken(), body, Map.of()), List.of(new BadInput("{", "MALFORMED_JSON", List.of()),
                        new BadInput("{}", "VALIDATION_FAILED", List.of("ttl")),
                        new BadInput(Api.json(obj("ttl", 5)), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj("ttl", "soon")), "VALIDATION_FAILED", List.of("ttl"))));
        assertProblem(api.get("/api/v1/runs/" + run + "/logs?limit=0", admin.accessToken()), 400,
                "VALIDATION_FAILED");
        assertProblem(api.send("GET", "/api/v1/runs/" + run + "/logs/stream", admin.accessToken(), null,
                Map.of("Last-Event-ID", "abc")), 400, "LAST_EVENT_ID_INVALID");
    }

    @Test
    void anotherTenantSeesAndChangesNothingOfIt() {
        Api.Response created = deploy(Map.of("tags", Map.of("team", "private")));
        String id = created.json().path("id").asString();
        String run = created.json().path("run").path("id").asString();
        provisioning.await(admin, run);
        Session other = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        assertProblem(api.get("/api/v1/deployments/" + id, other.accessToken()), 404, "DEPLOYMENT_NOT_FOUND");
        assertProblem(api.get("/api/v1/runs/" + run, other.accessToken()), 404, "RUN_NOT_FOUND");
        assertProblem(api.get("/api/v1/runs/" + run + "/logs", other.accessToken()), 404, "RUN_NOT_FOUND");
        assertProblem(api.delete("/api/v1/deployments/" + id, other.accessToken()), 404, "DEPLOYMENT_NOT_FOUND");
        assertProblem(api.post("/api/v1/runs/" + run + "/replay", other.accessToken(), null), 404, "RUN_NOT_FOUND");
        assertProblem(api.post("/api/v1/runs/" + run + "/approvals", other.accessToken(), obj("decision",
                "approve")), 404, "RUN_NOT_FOUND");
        assertProblem(api.get("/api/v1/environments/" + development, other.accessToken()), 404,
                "ENVIRONMENT_NOT_FOUND");
        assertProblem(provisioning.deploy(other, template, development, target, Map.of()), 404,
                "ENVIRONMENT_NOT_FOUND");
        assertProblem(provisioning.deploy(other, template, provisioning.environment(other, "development"), target,
                Map.of()), 404, "TEMPLATE_NOT_FOUND");
        assertThat(api.get("/api/v1/deployments", other.accessToken()).json().path("items").size()).isZero();

        UUID otherTenant = other.tenantId();
        UUID mine = admin.tenantId();
        for (String table : List.of("environments", "deployments", "deployment_tags", "runs", "run_steps",
                "run_approvals", "run_logs")) {
            String count = "select count(*) from " + table + " where tenant_id = ?";
            if (!table.equals("run_approvals")) {
                assertThat(scopes.inTenant(mine, () -> jdbc.sql(count).param(mine).query(Long.class).single()))
                        .as(table).isPositive();
            }
            assertThat(scopes.inTenant(otherTenant, () -> jdbc.sql(count).param(mine).query(Long.class).single()))
                    .as(table).isZero();
        }
        for (String change : List.of("update deployments set name = 'taken' where tenant_id = ?",
                "update runs set state = 'failed' where tenant_id = ?",
                "delete from run_logs where tenant_id = ?",
                "delete from deployment_tags where tenant_id = ?",
                "delete from environments where tenant_id = ? and name = 'staging'")) {
            assertThat(scopes.inTenant(otherTenant, () -> jdbc.sql(change).param(mine).update())).as(change)
                    .isZero();
        }
        assertThat(catchInsert(otherTenant, "insert into environments (tenant_id, id, name) values (?, "
                + "gen_random_uuid(), 'sneaky')", mine)).as("no row for another tenant").isTrue();
    }

    @Test
    void secretInputsAreSealedMaskedAndRedactedFromLogsAndOutputs() {
        String echo = provisioning.template(admin, ECHOES_TOKEN, null);
        Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "secret-"
                + UUID.randomUUID(), "template_id", echo, "environment_id", development, "inputs", obj("target",
                        target.toString(), "message", "m", "api_token", TOKEN)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.text()).doesNotContain(TOKEN);
        assertThat(created.json().path("inputs").path("api_token").asString()).isEqualTo("********");
        String run = created.json().path("run").path("id").asString();
        assertThat(provisioning.await(admin, run).path("state").asString()).isEqualTo("succeeded");
        String log = provisioning.log(admin, run);
        assertThat(log).contains("say the token: the token is ********").doesNotContain(TOKEN);
        JsonNode deployment = api.get("/api/v1/deployments/" + created.json().path("id").asString(),
                admin.accessToken()).json();
        assertThat(deployment.toString()).doesNotContain(TOKEN);
        assertThat(deployment.path("outputs").path("echoed").asString()).isEqualTo("********");
        assertThat(api.get("/api/v1/audit-events?limit=200", admin.accessToken()).text()).doesNotContain(TOKEN);
        UUID tenant = admin.tenantId();
        assertThat(scopes.inTenant(tenant, () -> jdbc.sql("select count(*) from run_logs where tenant_id = ? "
                + "and text like ?").params(tenant, "%" + TOKEN + "%").query(Long.class).single())).isZero();
    }

    @Test
    void aBusinessUnitsEnvironmentIsItsOwnAndItsDeploymentsCarryItsCode() {
        Api.Response unit = api.post("/api/v1/business-units", admin.accessToken(), obj("code", "SALES",
                "name", "Sales"));
        assertThat(unit.status()).as(unit.toString()).isEqualTo(201);
        String unitId = unit.json().path("id").asString();
        assertThat(api.send("PUT", "/api/v1/business-units/" + unitId + "/members/" + admin.userId(),
                admin.accessToken(), Api.json(obj("role", "tenant_admin")), Map.of()).status()).isEqualTo(204);
        assertThat(api.post("/api/v1/auth/switch-business-unit", admin.accessToken(), obj("business_unit_id",
                unitId)).status()).isEqualTo(200);
        Api.Response env = api.post("/api/v1/environments", admin.accessToken(), obj("name", "sales-dev"));
        assertThat(env.json().path("business_unit_id").asString()).isEqualTo(unitId);
        Api.Response created = deploy(Map.of("environment_id", env.json().path("id").asString(), "tags",
                Map.of("team", "sales")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("tags").path("business_unit").asString()).isEqualTo("SALES");
        assertThat(created.json().path("business_unit_id").asString()).isEqualTo(unitId);
        assertThat(listIds("?business_unit_id=" + unitId)).containsExactly(created.json().path("id").asString());
        assertThat(listIds("?tag=business_unit=SALES")).containsExactly(created.json().path("id").asString());

        api.post("/api/v1/auth/switch-business-unit", admin.accessToken(), obj("business_unit_id", null));
        assertThat(api.get("/api/v1/environments", admin.accessToken()).json().path("items")
                .findValuesAsString("name")).as("outside the unit").doesNotContain("sales-dev");
        assertProblem(deploy(Map.of("environment_id", env.json().path("id").asString())), 404,
                "ENVIRONMENT_NOT_FOUND");
    }

    /** Reads the environment's AWS keys from its own environment, writes one to a file and says it in the log. */
    static final String USES_CREDENTIALS = """
            - hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: use the account
                  ansible.builtin.copy:
                    dest: "{{ target }}/credentials.txt"
                    content: "{{ lookup('env', 'CANOPY_PROVIDER') }} {{ lookup('env', 'CANOPY_SETTING_REGION') }} {{ lookup('env', 'CANOPY_CREDENTIAL_SECRET_ACCESS_KEY') }}"
                - name: say the key
                  ansible.builtin.debug:
                    msg: "key {{ lookup('env', 'CANOPY_CREDENTIAL_SECRET_ACCESS_KEY') }}"
            """;

    @Test
    void theEnvironmentsCloudAccountReachesTheProcessOnlyAndNeverTheLog() throws Exception {
        String secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY";
        Api.Response account = api.post("/api/v1/cloud-accounts", admin.accessToken(), obj("name", "aws-"
                + UUID.randomUUID(), "provider", "aws", "settings", obj("region", "eu-west-1"), "auth_type",
                "access_keys", "credentials", obj("access_key_id", "AKIAIOSFODNN7EXAMPLE", "secret_access_key",
                        secretKey), "environments", List.of("staging")));
        assertThat(account.status()).as(account.toString()).isEqualTo(201);
        String accountId = account.json().path("id").asString();
        String staging = provisioning.environment(admin, "staging");
        assertProblem(api.patch("/api/v1/environments/" + development, admin.accessToken(), obj("cloud_account_id",
                accountId, "version", 0)), 400, "VALIDATION_FAILED");
        Api.Response linked = api.patch("/api/v1/environments/" + staging, admin.accessToken(), obj(
                "cloud_account_id", accountId, "version", 0));
        assertThat(linked.status()).as(linked.toString()).isEqualTo(200);

        String uses = provisioning.template(admin, USES_CREDENTIALS, null);
        String run = provisioning.deploy(admin, uses, staging, target, Map.of()).json().path("run").path("id")
                .asString();
        assertThat(provisioning.await(admin, run).path("state").asString()).as(provisioning.log(admin, run))
                .isEqualTo("succeeded");
        assertThat(java.nio.file.Files.readString(target.resolve("credentials.txt")))
                .isEqualTo("aws eu-west-1 " + secretKey);
        assertThat(provisioning.log(admin, run)).contains("key ********").doesNotContain(secretKey);
        assertThat(api.get("/api/v1/runs/" + run, admin.accessToken()).text()).doesNotContain(secretKey);
    }

    @Test
    void aRotatedDataKeyReencryptsTheSealedInputsAndRunsStillOpenThem() {
        Api.Response created = deploy(Map.of());
        UUID id = UUID.fromString(created.json().path("id").asString());
        provisioning.await(admin, created.json().path("run").path("id").asString());
        UUID tenant = admin.tenantId();
        byte[] before = scopes.inTenant(tenant, () -> jdbc.sql("select sealed_inputs from deployments "
                + "where tenant_id = ? and id = ?").params(tenant, id).query(byte[].class).single());
        Session platform = fixtures.platformAdmin();
        assertThat(api.post("/api/v1/admin/keys/data-keys/" + tenant + "/rotate", platform.accessToken(), null)
                .status()).isEqualTo(202);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (api.get("/api/v1/admin/keys/data-keys/" + tenant, platform.accessToken()).json()
                .path("reencryption_finished_at").isNull() && System.nanoTime() < deadline) {
            Provisioning.sleep(100);
        }
        byte[] after = scopes.inTenant(tenant, () -> jdbc.sql("select sealed_inputs from deployments "
                + "where tenant_id = ? and id = ?").params(tenant, id).query(byte[].class).single());
        assertThat(after).as("re-encrypted under the new data key").isNotEqualTo(before);
        String plan = api.post("/api/v1/deployments/" + id + "/plan", admin.accessToken(), null).json().path("id")
                .asString();
        assertThat(provisioning.await(admin, plan).path("state").asString()).isEqualTo("succeeded");
    }

    private boolean catchInsert(UUID scope, String sql, UUID tenant) {
        try {
            scopes.inTenant(scope, () -> jdbc.sql(sql).param(tenant).update());
            return false;
        }
        catch (RuntimeException e) {
            return true;
        }
    }

    private Api.Response deploy(Map<String, Object> extra) {
        return provisioning.deploy(admin, template, development, target, extra);
    }

    private List<String> listIds(String query) {
        Api.Response page = api.get("/api/v1/deployments" + query, admin.accessToken());
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        return page.json().path("items").findValuesAsString("id").stream().filter(s -> !s.isBlank()).toList();
    }
}
