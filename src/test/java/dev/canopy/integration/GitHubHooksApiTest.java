package dev.canopy.integration;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.events.EventEnvelope;
import dev.canopy.provisioning.Provisioning;
import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.AuditLog;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.SecretLogCapture;
import tools.jackson.databind.JsonNode;

/**
 * Incoming GitHub webhooks over HTTP: signatures checked against an HMAC computed here with javax.crypto, CI status
 * of the named deployments only, idempotent deliveries, audit records, and bad input for every write.
 */
@Tag("full") // slow: left to the full build, -P full, which CI runs; the default build stays under 10 minutes
@ExtendWith(SecretLogCapture.class)
class GitHubHooksApiTest extends ApiTest {

    static final String HOOKS = "/api/v1/hooks/github/";
    static final String SETTINGS = "/api/v1/integrations/github";
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path target;

    @Autowired
    TenantTransactions scopes;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    RecordedCiEvents events;

    Provisioning provisioning;
    TenantRef tenant;
    Session admin;
    String template;
    String development;
    String repository;
    String secret;

    @BeforeEach
    void setUp() {
        provisioning = new Provisioning(api);
        tenant = fixtures.tenant();
        admin = fixtures.userIn(tenant, "tenant_admin");
        template = provisioning.template(admin, Provisioning.FILES_PLAYBOOK, null);
        development = provisioning.environment(admin, "development");
        repository = "acme/web-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response set = api.send("PUT", SETTINGS, admin.accessToken(), "{}", Map.of());
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        secret = set.json().path("secret").asString();
        assertThat(secret).matches("[0-9a-f]{64}");
    }

    @Test
    void workflowRunsSetTheCiStatusOfTheDeploymentsTheyNameAndNoOthers() {
        String web = deploy(admin, repository, "main");
        String otherBranch = deploy(admin, repository, "release/1.x");
        // another tenant builds the same repository and branch: its deployment must not move
        TenantRef other = fixtures.tenant();
        Session otherAdmin = fixtures.userIn(other, "tenant_admin");
        String otherTemplate = provisioning.template(otherAdmin, Provisioning.FILES_PLAYBOOK, null);
        Api.Response theirs = provisioning.deploy(otherAdmin, otherTemplate,
                provisioning.environment(otherAdmin, "development"), target, obj("repository", repository,
                        "branch", "main"));
        assertThat(theirs.status()).as(theirs.toString()).isEqualTo(201);
        assertThat(api.send("PUT", SETTINGS, otherAdmin.accessToken(), "{}", Map.of()).status()).isEqualTo(200);

        JsonNode fresh = api.get("/api/v1/deployments/" + web, admin.accessToken()).json();
        assertThat(fresh.path("repository").asString()).isEqualTo(repository);
        assertThat(fresh.path("branch").asString()).isEqualTo("main");
        assertThat(fresh.path("ci_status").isNull()).isTrue();

        Api.Response started = deliver(tenant.slug(), "workflow_run", UUID.randomUUID().toString(),
                workflowRun(repository.toUpperCase(), "main", "in_progress", null, "2026-12-03T10:00:00Z"));
        assertThat(started.status()).as(started.toString()).isEqualTo(200);
        assertThat(started.json().path("status").asString()).isEqualTo("accepted");
        assertThat(started.json().path("deployments_updated").asInt()).isEqualTo(1);
        JsonNode running = ciStatus(web);
        assertThat(running.path("state").asString()).isEqualTo("in_progress");
        assertThat(running.path("name").asString()).isEqualTo("CI");
        assertThat(running.path("url").asString())
                .isEqualToIgnoringCase("https://github.com/" + repository + "/actions/runs/42");
        assertThat(running.path("head_sha").asString()).isEqualTo(SHA);
        assertThat(running.path("updated_at").asString()).isEqualTo("2026-12-03T10:00:00Z");

        String completedId = UUID.randomUUID().toString();
        Api.Response completed = deliver(tenant.slug(), "workflow_run", completedId,
                workflowRun(repository, "main", "completed", "success", "2026-12-03T10:05:00Z"));
        assertThat(completed.status()).as(completed.toString()).isEqualTo(200);
        assertThat(ciStatus(web).path("state").asString()).isEqualTo("success");

        // a late in_progress (older than what the deployment shows) does not undo the result
        deliver(tenant.slug(), "workflow_run", UUID.randomUUID().toString(),
                workflowRun(repository, "main", "in_progress", null, "2026-12-03T10:01:00Z"));
        assertThat(ciStatus(web).path("state").asString()).isEqualTo("success");

        assertThat(ciStatus(otherBranch).isNull()).as("another branch").isTrue();
        JsonNode theirDeployment = api.get("/api/v1/deployments/" + theirs.json().path("id").asString(),
                otherAdmin.accessToken()).json();
        assertThat(theirDeployment.path("ci_status").isNull()).as("another tenant's deployment").isTrue();

        // one event per change, with the state before it
        List<EventEnvelope> changes = events.about(UUID.fromString(web));
        assertThat(changes).extracting(e -> e.data().path("state").asString())
                .containsExactly("in_progress", "success");
        assertThat(changes.get(1).data().path("previous_state").asString()).isEqualTo("in_progress");
        assertThat(changes.get(1).tenantId()).isEqualTo(tenant.id());
        assertThat(changes.get(1).actor().type()).isEqualTo("system");
        assertThat(events.about(UUID.fromString(theirs.json().path("id").asString()))).isEmpty();

        // the accepted delivery is audited in the tenant's chain, without the secret or the payload
        List<AuditLog.Event> audited = AuditLog.ofRequest(scopes, jdbc, tenant.id(), completed.header("X-Request-Id"));
        assertThat(audited).hasSize(1);
        assertThat(audited.getFirst().action()).isEqualTo("github.delivery_accepted");
        assertThat(audited.getFirst().status()).isEqualTo("success");
        assertThat(audited.getFirst().actorType()).isEqualTo("system");
        assertThat(audited.getFirst().resourceId()).isEqualTo(completedId);
        assertThat(audited.getFirst().details()).contains(repository, "\"deployments_updated\": 1")
                .doesNotContain(secret, SHA);
    }

    @Test
    void aRedeliveredIdIsAnsweredWithoutBeingAppliedAgain() {
        String web = deploy(admin, repository, "main");
        String id = UUID.randomUUID().toString();
        assertThat(deliver(tenant.slug(), "check_suite", id, checkSuite(repository, "main", "completed", "failure",
                "2026-12-03T11:00:00Z")).status()).isEqualTo(200);
        assertThat(ciStatus(web).path("state").asString()).isEqualTo("failure");
        assertThat(ciStatus(web).path("name").asString()).isEqualTo("GitHub Actions");
        assertThat(ciStatus(web).path("url").asString())
                .isEqualTo("https://github.com/" + repository + "/commit/" + SHA + "/checks");

        // the same id with another (newer) report: answered, not applied
        Api.Response replay = deliver(tenant.slug(), "check_suite", id, checkSuite(repository, "main", "completed",
                "success", "2026-12-03T11:30:00Z"));
        assertThat(replay.status()).as(replay.toString()).isEqualTo(200);
        assertThat(replay.json().path("status").asString()).isEqualTo("duplicate");
        assertThat(ciStatus(web).path("state").asString()).isEqualTo("failure");
        assertThat(events.about(UUID.fromString(web))).hasSize(1);
        assertThat(AuditLog.ofRequest(scopes, jdbc, tenant.id(), replay.header("X-Request-Id")))
                .extracting(AuditLog.Event::action).containsExactly("github.delivery_replayed");

        // GitHub sending one delivery several times at once: applied by exactly one of them
        String concurrent = UUID.randomUUID().toString();
        String success = checkSuite(repository, "main", "completed", "success", "2026-12-03T12:00:00Z");
        List<java.util.concurrent.Future<Api.Response>> sent = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                sent.add(pool.submit(() -> deliver(tenant.slug(), "check_suite", concurrent, success)));
            }
        }
        List<String> outcomes = sent.stream().map(f -> {
            try {
                return f.get().json().path("status").asString();
            }
            catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(outcomes).containsExactlyInAnyOrder("accepted", "duplicate", "duplicate", "duplicate");
        assertThat(ciStatus(web).path("state").asString()).isEqualTo("success");
        assertThat(events.about(UUID.fromString(web))).hasSize(2);
    }

    @Test
    void signaturesAreCheckedAndRefusalsDoNotSayWhy() {
        String body = workflowRun(repository, "main", "completed", "success", "2026-12-03T10:00:00Z");
        Map<String, String> headers = headers("workflow_run", UUID.randomUUID().toString());

        headers.put("X-Hub-Signature-256", sign("not-the-secret-at-all-000", body));
        Api.Response wrong = api.send("POST", HOOKS + tenant.slug(), null, body, headers);
        assertProblem(wrong, 401, "SIGNATURE_INVALID");

        headers.put("X-Hub-Signature-256", "sha256=zz" + sign(secret, body).substring(9));
        assertProblem(api.send("POST", HOOKS + tenant.slug(), null, body, headers), 401, "SIGNATURE_INVALID");
        headers.put("X-Hub-Signature-256", sign(secret, body).replace("sha256=", "sha1="));
        assertProblem(api.send("POST", HOOKS + tenant.slug(), null, body, headers), 401, "SIGNATURE_INVALID");
        // signed, then changed by one byte
        headers.put("X-Hub-Signature-256", sign(secret, body));
        assertProblem(api.send("POST", HOOKS + tenant.slug(), null, body.replace("success", "failure"), headers),
                401, "SIGNATURE_INVALID");

        headers.remove("X-Hub-Signature-256");
        Api.Response missing = api.send("POST", HOOKS + tenant.slug(), null, body, headers);
        assertProblem(missing, 401, "SIGNATURE_INVALID");

        headers.put("X-Hub-Signature-256", sign(secret, body));
        Api.Response unknown = api.send("POST", HOOKS + "no-such-tenant-" + UUID.randomUUID(), null, body, headers);
        assertProblem(unknown, 401, "SIGNATURE_INVALID");
        TenantRef withoutSecret = fixtures.tenant();
        Api.Response noSecret = api.send("POST", HOOKS + withoutSecret.slug(), null, body, headers);
        assertProblem(noSecret, 401, "SIGNATURE_INVALID");
        assertThat(List.of(missing, unknown, noSecret)).extracting(r -> r.json().path("detail").asString())
                .containsOnly(wrong.json().path("detail").asString());

        // refusals are audited: the tenant's in its chain, an unknown tenant's in the platform's
        List<AuditLog.Event> refused = AuditLog.ofRequest(scopes, jdbc, tenant.id(), wrong.header("X-Request-Id"));
        assertThat(refused).extracting(AuditLog.Event::action, AuditLog.Event::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("github.delivery_refused", "failure"));
        assertThat(refused.getFirst().details()).contains("SIGNATURE_INVALID", "signature mismatch")
                .doesNotContain(secret);
        assertThat(AuditLog.ofRequest(scopes, jdbc, AuditLog.PLATFORM, unknown.header("X-Request-Id")))
                .extracting(AuditLog.Event::action).containsExactly("github.delivery_refused");
    }

    @Test
    void otherEventsAreIgnoredPingAnswersAndBadDeliveriesAre4xx() {
        Api.Response ping = deliver(tenant.slug(), "ping", UUID.randomUUID().toString(),
                Api.json(obj("zen", "Keep it logically awesome.", "hook_id", 1)));
        assertThat(ping.status()).as(ping.toString()).isEqualTo(200);
        assertThat(ping.json().path("status").asString()).isEqualTo("pong");

        Api.Response push = deliver(tenant.slug(), "push", UUID.randomUUID().toString(),
                Api.json(obj("ref", "refs/heads/main", "repository", obj("full_name", repository))));
        assertThat(push.status()).as(push.toString()).isEqualTo(202);
        assertThat(push.json().path("status").asString()).isEqualTo("ignored");
        assertThat(AuditLog.ofRequest(scopes, jdbc, tenant.id(), push.header("X-Request-Id")))
                .extracting(AuditLog.Event::action).containsExactly("github.delivery_ignored");
        // a run on a tag names no branch
        Api.Response tagRun = deliver(tenant.slug(), "workflow_run", UUID.randomUUID().toString(),
                workflowRun(repository, null, "completed", "success", "2026-12-03T10:00:00Z"));
        assertThat(tagRun.status()).as(tagRun.toString()).isEqualTo(202);

        String json = workflowRun(repository, "main", "queued", null, "2026-12-03T10:00:00Z");
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/jsonx")) {
            Map<String, String> headers = headers("workflow_run", UUID.randomUUID().toString());
            headers.put("Content-Type", type);
            headers.put("X-Hub-Signature-256", sign(secret, json));
            assertProblem(api.send("POST", HOOKS + tenant.slug(), null, json, headers), 415,
                    "UNSUPPORTED_MEDIA_TYPE");
        }
        Map<String, String> charset = headers("workflow_run", UUID.randomUUID().toString());
        charset.put("Content-Type", "application/json; charset=utf-8");
        charset.put("X-Hub-Signature-256", sign(secret, json));
        assertThat(api.send("POST", HOOKS + tenant.slug(), null, json, charset).status()).isEqualTo(200);

        assertProblem(deliver(tenant.slug(), "workflow_run", UUID.randomUUID().toString(), "{\"workflow_run\": "),
                400, "MALFORMED_JSON");
        assertProblem(deliver(tenant.slug(), "workflow_run", UUID.randomUUID().toString(), "[1, 2]"), 400,
                "MALFORMED_JSON");
        assertProblem(deliver(tenant.slug(), "workflow_run", UUID.randomUUID().toString(),
                Api.json(obj("repository", obj("full_name", repository)))), 400, "PAYLOAD_INVALID");
        assertProblem(deliver(tenant.slug(), "workflow_run", UUID.randomUUID().toString(),
                Api.json(obj("workflow_run", obj("status", "completed", "head_branch", "main"), "repository",
                        obj("full_name", repository)))), 400, "PAYLOAD_INVALID");
        assertProblem(deliver(tenant.slug(), "workflow_run", "not a delivery id!", json), 400, "DELIVERY_ID_MISSING");
        assertProblem(deliver(tenant.slug(), "Workflow Run", UUID.randomUUID().toString(), json), 400,
                "EVENT_MISSING");

        // larger than the API's 64 KiB, within the hook limit (1 MiB); beyond it 413
        String large = Api.json(obj("zen", "x".repeat(200_000)));
        assertThat(deliver(tenant.slug(), "ping", UUID.randomUUID().toString(), large).status()).isEqualTo(200);
        Api.Response tooLarge = deliver(tenant.slug(), "ping", UUID.randomUUID().toString(),
                Api.json(obj("zen", "x".repeat(1_100_000))));
        assertProblem(tooLarge, 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void theSecretIsSetByTenantAdministratorsAndNeverShownAgain() {
        JsonNode settings = api.get(SETTINGS, admin.accessToken()).json();
        assertThat(settings.path("secret_configured").asBoolean()).isTrue();
        assertThat(settings.path("secret").isNull()).isTrue();
        assertThat(settings.path("hook_url").asString()).endsWith(HOOKS + tenant.slug());
        assertThat(settings.toString()).doesNotContain(secret);

        // a secret of one's own is not echoed; the old one stops working at once
        String mine = "my-own-webhook-secret-" + UUID.randomUUID();
        Api.Response own = api.send("PUT", SETTINGS, admin.accessToken(), Api.json(obj("secret", mine)), Map.of());
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(own.json().path("secret").isNull()).isTrue();
        assertThat(own.text()).doesNotContain(mine);
        String body = Api.json(obj("zen", "rotate"));
        Map<String, String> headers = headers("ping", UUID.randomUUID().toString());
        headers.put("X-Hub-Signature-256", sign(secret, body));
        assertProblem(api.send("POST", HOOKS + tenant.slug(), null, body, headers), 401, "SIGNATURE_INVALID");
        headers.put("X-Hub-Signature-256", sign(mine, body));
        assertThat(api.send("POST", HOOKS + tenant.slug(), null, body, headers).status()).isEqualTo(200);
        // the stored row is sealed, not the secret
        byte[] stored = scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "select sealed_secret from github_hook_secrets where tenant_id = ?").param(tenant.id())
                .query(byte[].class).single());
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(mine);

        Session member = fixtures.userIn(tenant, "member");
        assertProblem(api.send("PUT", SETTINGS, member.accessToken(), "{}", Map.of()), 403, "FORBIDDEN");
        assertProblem(api.get(SETTINGS, member.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.send("PUT", SETTINGS, null, "{}", Map.of()), 401, "UNAUTHENTICATED");

        assertEachRejected(b -> api.send("PUT", SETTINGS, admin.accessToken(), b, Map.of()), List.of(
                new BadInput("{\"secret\": \"too-short\"}", "VALIDATION_FAILED", List.of("secret")),
                new BadInput("{\"secret\": \"" + "s".repeat(257) + "\"}", "VALIDATION_FAILED", List.of("secret")),
                new BadInput("{\"secret\": \"with spaces in the middle of it\"}", "VALIDATION_FAILED",
                        List.of("secret")),
                new BadInput("{\"secret\": 12345678901234567890}", "INVALID_TYPE", List.of("secret")),
                new BadInput("{\"secret\": \"a-long-enough-secret-000\", \"rotate\": true}", "UNKNOWN_FIELD",
                        List.of("rotate")),
                new BadInput("{\"secret\": ", "MALFORMED_JSON", List.of())));

        // removed: deliveries are refused like an unknown tenant's
        assertThat(api.delete(SETTINGS, admin.accessToken()).status()).isEqualTo(204);
        assertProblem(api.delete(SETTINGS, admin.accessToken()), 404, "GITHUB_SECRET_NOT_FOUND");
        assertProblem(api.send("POST", HOOKS + tenant.slug(), null, body, headers), 401, "SIGNATURE_INVALID");
    }

    @Test
    void deliveryIdsAreForgottenAfterTheRetention() {
        String old = UUID.randomUUID().toString();
        assertThat(deliver(tenant.slug(), "ping", old, "{}").json().path("status").asString()).isEqualTo("pong");
        assertThat(deliver(tenant.slug(), "ping", old, "{}").json().path("status").asString()).isEqualTo("duplicate");
        // eight days pass for that id (the retention is seven)
        scopes.inTenant(tenant.id(), () -> jdbc.sql("""
                update github_deliveries set received_at = now() - interval '8 days'
                 where tenant_id = ? and delivery_id = ?
                """).params(tenant.id(), old).update());
        assertThat(deliver(tenant.slug(), "ping", UUID.randomUUID().toString(), "{}").status()).isEqualTo(200);
        assertThat(scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "select count(*) from github_deliveries where tenant_id = ? and delivery_id = ?")
                .params(tenant.id(), old).query(Long.class).single())).isZero();
    }

    @Test
    void anotherTenantCannotReadOrChangeTheHookTables() {
        String id = UUID.randomUUID().toString();
        assertThat(deliver(tenant.slug(), "ping", id, "{}").status()).isEqualTo(200);
        TenantRef other = fixtures.tenant();
        String sql = "select count(*) from %s where tenant_id = ?";
        for (String table : List.of("github_hook_secrets", "github_deliveries")) {
            assertThat(scopes.inTenant(tenant.id(), () -> jdbc.sql(sql.formatted(table)).param(tenant.id())
                    .query(Long.class).single())).isEqualTo(1L);
            assertThat(scopes.inTenant(other.id(), () -> jdbc.sql(sql.formatted(table)).param(tenant.id())
                    .query(Long.class).single())).as(table).isZero();
            assertThat(scopes.inTenant(other.id(), () -> jdbc.sql("delete from " + table
                    + " where tenant_id = ?").param(tenant.id()).update())).as(table).isZero();
        }
    }

    @Test
    void repositoryAndBranchAreCheckedSetAndClearedOnTheDeployment() {
        assertEachRejected(b -> api.post("/api/v1/deployments", admin.accessToken(), withSource(b)), List.of(
                new BadInput("{\"repository\": \"acme\", \"branch\": \"main\"}", "VALIDATION_FAILED",
                        List.of("repository")),
                new BadInput("{\"repository\": \"-acme/web\", \"branch\": \"main\"}", "VALIDATION_FAILED",
                        List.of("repository")),
                new BadInput("{\"repository\": \"acme/..\", \"branch\": \"main\"}", "VALIDATION_FAILED",
                        List.of("repository")),
                new BadInput("{\"repository\": \"acme/web/extra\", \"branch\": \"main\"}", "VALIDATION_FAILED",
                        List.of("repository")),
                new BadInput("{\"repository\": \"acme/" + "w".repeat(101) + "\", \"branch\": \"main\"}",
                        "VALIDATION_FAILED", List.of("repository")),
                new BadInput("{\"repository\": \"acme/web\"}", "VALIDATION_FAILED", List.of("branch")),
                new BadInput("{\"branch\": \"main\"}", "VALIDATION_FAILED", List.of("repository")),
                new BadInput("{\"repository\": \"acme/web\", \"branch\": \"feature..x\"}", "VALIDATION_FAILED",
                        List.of("branch")),
                new BadInput("{\"repository\": \"acme/web\", \"branch\": \"has space\"}", "VALIDATION_FAILED",
                        List.of("branch")),
                new BadInput("{\"repository\": \"acme/web\", \"branch\": \"x.lock\"}", "VALIDATION_FAILED",
                        List.of("branch")),
                new BadInput("{\"repository\": \"acme/web\", \"branch\": \"refs/heads/main\"}", "VALIDATION_FAILED",
                        List.of("branch")),
                new BadInput("{\"repository\": \"acme/web\", \"branch\": \"" + "b".repeat(256) + "\"}",
                        "VALIDATION_FAILED", List.of("branch")),
                new BadInput("{\"repository\": 42, \"branch\": \"main\"}", "INVALID_TYPE", List.of("repository"))));

        String web = deploy(admin, null, null);
        JsonNode before = api.get("/api/v1/deployments/" + web, admin.accessToken()).json();
        assertThat(before.path("repository").isNull()).isTrue();
        long version = before.path("version").asLong();
        Api.Response set = api.patch("/api/v1/deployments/" + web, admin.accessToken(), obj("repository", repository,
                "branch", "feature/ci-status", "version", version));
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.json().path("repository").asString()).isEqualTo(repository);
        assertThat(set.json().path("branch").asString()).isEqualTo("feature/ci-status");
        assertThat(deliver(tenant.slug(), "workflow_run", UUID.randomUUID().toString(), workflowRun(repository,
                "feature/ci-status", "queued", null, "2026-12-03T09:00:00Z")).json().path("deployments_updated")
                .asInt()).isEqualTo(1);
        assertThat(ciStatus(web).path("state").asString()).isEqualTo("queued");

        long now = set.json().path("version").asLong();
        assertProblem(api.patch("/api/v1/deployments/" + web, admin.accessToken(), obj("branch", "main",
                "version", version)), 409, "VERSION_CONFLICT");
        assertEachRejected(b -> api.send("PATCH", "/api/v1/deployments/" + web, admin.accessToken(), b, Map.of()),
                List.of(new BadInput("{\"branch\": \"main\"}", "VALIDATION_FAILED", List.of("version")),
                        new BadInput("{\"branch\": \"a..b\", \"version\": " + now + "}", "VALIDATION_FAILED",
                                List.of("branch")),
                        new BadInput("{\"repository\": null, \"version\": " + now + "}", "VALIDATION_FAILED",
                                List.of("repository")),
                        new BadInput("{\"branch\": 7, \"version\": " + now + "}", "VALIDATION_FAILED",
                                List.of("branch")),
                        new BadInput("{\"owner\": \"x\", \"version\": " + now + "}", "UNKNOWN_FIELD",
                                List.of("owner")),
                        new BadInput("{\"branch\": ", "MALFORMED_JSON", List.of())));
        // another branch: the CI status of the old one is forgotten
        Api.Response moved = api.patch("/api/v1/deployments/" + web, admin.accessToken(), obj("branch", "main",
                "version", now));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.json().path("ci_status").isNull()).isTrue();
        Map<String, Object> clear = new LinkedHashMap<>();
        clear.put("repository", null);
        clear.put("branch", null);
        clear.put("version", moved.json().path("version").asLong());
        Api.Response cleared = api.patch("/api/v1/deployments/" + web, admin.accessToken(), clear);
        assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
        assertThat(cleared.json().path("repository").isNull()).isTrue();

        // another tenant's deployment is not found; a viewer may not change it
        Session stranger = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        assertProblem(api.patch("/api/v1/deployments/" + web, stranger.accessToken(), obj("branch", "main",
                "repository", repository, "version", 0)), 404, "DEPLOYMENT_NOT_FOUND");
        Session viewer = fixtures.userIn(tenant, "viewer");
        assertProblem(api.patch("/api/v1/deployments/" + web, viewer.accessToken(), obj("branch", "main",
                "repository", repository, "version", cleared.json().path("version").asLong())), 403, "FORBIDDEN");
    }

    private String deploy(Session by, String repository, String branch) {
        Map<String, Object> extra = repository == null ? Map.of() : obj("repository", repository, "branch", branch);
        Api.Response created = provisioning.deploy(by, template, development, target, extra);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    private Map<String, Object> withSource(String source) {
        Map<String, Object> body = new LinkedHashMap<>(obj("name", "dep-" + UUID.randomUUID(), "template_id",
                template, "environment_id", development, "inputs", obj("target", target.toString(), "message", "hi")));
        JsonNode fields = tools.jackson.databind.json.JsonMapper.builder().build().readTree(source);
        fields.properties().forEach(e -> body.put(e.getKey(), e.getValue()));
        return body;
    }

    private JsonNode ciStatus(String deploymentId) {
        return api.get("/api/v1/deployments/" + deploymentId, admin.accessToken()).json().path("ci_status");
    }

    private Api.Response deliver(String slug, String event, String deliveryId, String body) {
        Map<String, String> headers = headers(event, deliveryId);
        headers.put("X-Hub-Signature-256", sign(secret, body));
        return api.send("POST", HOOKS + slug, null, body, headers);
    }

    private static Map<String, String> headers(String event, String deliveryId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "GitHub-Hookshot/abc123");
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Delivery", deliveryId);
        return headers;
    }

    /** GitHub's signature, computed here independently of the application's code. */
    static String sign(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        }
        catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A {@code workflow_run} payload with the fields of GitHub's reference that Canopy reads, and some it does not. */
    static String workflowRun(String repository, String branch, String status, String conclusion, String updatedAt) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", 42);
        run.put("name", "CI");
        run.put("head_branch", branch);
        run.put("head_sha", SHA);
        run.put("status", status);
        run.put("conclusion", conclusion);
        run.put("html_url", "https://github.com/" + repository + "/actions/runs/42");
        run.put("run_attempt", 1);
        run.put("updated_at", updatedAt);
        return Api.json(obj("action", status.equals("completed") ? "completed" : "in_progress", "workflow_run", run,
                "repository", obj("full_name", repository, "html_url", "https://github.com/" + repository),
                "sender", obj("login", "octocat")));
    }

    static String checkSuite(String repository, String branch, String status, String conclusion, String updatedAt) {
        Map<String, Object> suite = new LinkedHashMap<>();
        suite.put("id", 7);
        suite.put("head_branch", branch);
        suite.put("head_sha", SHA);
        suite.put("status", status);
        suite.put("conclusion", conclusion);
        suite.put("app", obj("slug", "github-actions", "name", "GitHub Actions"));
        suite.put("updated_at", updatedAt);
        return Api.json(obj("action", "completed", "check_suite", suite, "repository", obj("full_name", repository,
                "html_url", "https://github.com/" + repository)));
    }
}
