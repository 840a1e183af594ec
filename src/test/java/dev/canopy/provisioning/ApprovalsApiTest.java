package dev.canopy.provisioning;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.Mailbox;
import dev.canopy.support.RecordedEvents;
import dev.canopy.platform.events.EventEnvelope;
import tools.jackson.databind.JsonNode;

/** Protected environments: distinct approvers with the right roles, never oneself, one rejection, deadlines. */
@Tag("full") // slow: left to the full build, -P full, which CI runs; the default build stays under 10 minutes
class ApprovalsApiTest extends ApiTest {

    @TempDir
    Path target;

    Provisioning provisioning;

    @Autowired
    RecordedEvents events;

    @BeforeEach
    void setUp() {
        provisioning = new Provisioning(api);
    }

    private EventEnvelope event(String runId, String type) {
        return events.await(e -> e.type().equals(type) && e.subject().id().toString().equals(runId),
                Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("no " + type + " of run " + runId));
    }

    /** Production needing two approvals from tenant administrators. */
    private String production(Session admin, int approvals, String timeout) {
        String id = provisioning.environment(admin, "production");
        JsonNode env = api.get("/api/v1/environments/" + id, admin.accessToken()).json();
        Api.Response changed = api.patch("/api/v1/environments/" + id, admin.accessToken(), obj("protection",
                obj("required_approvals", approvals, "approver_roles", List.of("tenant_admin"), "approval_timeout",
                        timeout), "version", env.path("version").asLong()));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        return id;
    }

    @Test
    void productionNeedsTwoOtherApproversAndThenApplies() throws Exception {
        TenantRef tenant = fixtures.tenant();
        Session requester = fixtures.userIn(tenant, "tenant_admin");
        Session first = fixtures.userIn(tenant, "tenant_admin");
        Session second = fixtures.userIn(tenant, "tenant_admin");
        Session member = fixtures.userIn(tenant, "member");
        String template = provisioning.template(requester, Provisioning.FILES_PLAYBOOK, null);
        String production = production(requester, 2, "P2D");

        Api.Response created = provisioning.deploy(requester, template, production, target, Map.of());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String run = created.json().path("run").path("id").asString();
        JsonNode waiting = provisioning.await(requester, run, "awaiting_approval");
        assertThat(waiting.path("plan").toString()).contains("write the message");
        assertThat(waiting.path("approval_deadline").isNull()).isFalse();
        assertThat(target.resolve("tree")).as("nothing is applied before approval").doesNotExist();
        JsonNode awaiting = event(run, "run.awaiting_approval").data();
        assertThat(awaiting.path("approver_ids").valueStream().map(JsonNode::asString).toList())
                .as("the approvers, not the requester or a member").containsExactlyInAnyOrder(
                        first.userId().toString(), second.userId().toString());
        assertThat(awaiting.path("requester_id").asString()).isEqualTo(requester.userId().toString());

        assertThat(inbox(first)).contains(run);
        assertThat(Mailbox.awaitMessage(first.email(), 1).subject()).startsWith("Approval needed: apply of");
        assertThat(Mailbox.awaitMessage(second.email(), 1).text()).contains("/api/v1/runs/" + run + "/approvals");
        assertThat(Mailbox.to(requester.email())).as("the requester is not asked").isEmpty();
        assertThat(Mailbox.to(member.email())).as("nor a member without the approver role").isEmpty();
        assertThat(inbox(requester)).as("one's own run is not in one's inbox").doesNotContain(run);
        assertProblem(decide(requester, run, "approve"), 403, "SELF_APPROVAL_FORBIDDEN");
        assertProblem(decide(member, run, "approve"), 403, "NOT_AN_APPROVER");

        Api.Response one = decide(first, run, "approve");
        assertThat(one.status()).as(one.toString()).isEqualTo(200);
        assertThat(one.json().path("state").asString()).isEqualTo("awaiting_approval");
        assertProblem(decide(first, run, "approve"), 409, "ALREADY_DECIDED");
        assertThat(inbox(first)).doesNotContain(run);

        Api.Response two = decide(second, run, "approve");
        assertThat(two.status()).as(two.toString()).isEqualTo(200);
        assertThat(two.json().path("approvals").findValuesAsString("approver_email"))
                .containsExactlyInAnyOrder(first.email(), second.email());
        JsonNode done = provisioning.await(requester, run);
        assertThat(done.path("state").asString()).as(provisioning.log(requester, run)).isEqualTo("succeeded");
        assertThat(Files.readString(target.resolve("tree/a/b/message.txt"))).isEqualTo("hello from canopy\n");
        assertThat(done.path("approvals").findValuesAsString("plan_digest")).containsOnly(done.path("plan_digest")
                .asString());

        EventEnvelope approved = event(run, "run.approved");
        assertThat(approved.actor().display()).isEqualTo(second.email());
        assertThat(approved.data().path("plan_digest").asString()).isEqualTo(done.path("plan_digest").asString());
        assertThat(event(run, "run.succeeded").data().path("kind").asString()).isEqualTo("apply");
        assertThat(events.about(UUID.fromString(created.json().path("id").asString())))
                .extracting(EventEnvelope::type).contains("deployment.requested");

        assertProblem(decide(member, run, "approve"), 409, "RUN_FINISHED");
        assertProblem(api.post("/api/v1/runs/" + run + "/cancel", requester.accessToken(), null), 409,
                "RUN_FINISHED");
        assertThat(api.get("/api/v1/audit-events?limit=200", requester.accessToken()).json().path("items")
                .findValuesAsString("action")).contains("deployment.requested", "run.decided", "run.succeeded");
    }

    @Test
    void oneRejectionRejects() {
        TenantRef tenant = fixtures.tenant();
        Session requester = fixtures.userIn(tenant, "tenant_admin");
        Session approver = fixtures.userIn(tenant, "tenant_admin");
        String template = provisioning.template(requester, Provisioning.FILES_PLAYBOOK, null);
        String production = production(requester, 2, "P2D");
        String run = provisioning.deploy(requester, template, production, target, Map.of()).json().path("run")
                .path("id").asString();
        provisioning.await(requester, run, "awaiting_approval");

        Api.Response rejected = api.post("/api/v1/runs/" + run + "/approvals", approver.accessToken(),
                obj("decision", "reject", "comment", "not during the freeze"));
        assertThat(rejected.status()).as(rejected.toString()).isEqualTo(200);
        assertThat(rejected.json().path("state").asString()).isEqualTo("rejected");
        JsonNode rejection = event(run, "run.rejected").data();
        assertThat(rejection.path("rejected_by").asString()).isEqualTo(approver.userId().toString());
        assertThat(rejection.path("comment").asString()).isEqualTo("not during the freeze");
        assertThat(target.resolve("tree")).doesNotExist();
    }

    @Test
    void aRunNobodyDecidesOnExpires() {
        TenantRef tenant = fixtures.tenant();
        Session requester = fixtures.userIn(tenant, "tenant_admin");
        String template = provisioning.template(requester, Provisioning.FILES_PLAYBOOK, null);
        String production = production(requester, 1, "PT2S");
        String run = provisioning.deploy(requester, template, production, target, Map.of()).json().path("run")
                .path("id").asString();
        JsonNode expired = provisioning.await(requester, run, "expired");
        assertThat(expired.path("error").asString()).contains("no decision within");
        assertThat(target.resolve("tree")).doesNotExist();
    }

    @Test
    void selfApprovalWorksOnlyWhereTheEnvironmentAllowsIt() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String template = provisioning.template(admin, Provisioning.FILES_PLAYBOOK, null);
        Api.Response created = api.post("/api/v1/environments", admin.accessToken(), obj("name", "sandbox",
                "protection", obj("required_approvals", 1, "approver_roles", List.of("tenant_admin"),
                        "allow_self_approval", true)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String run = provisioning.deploy(admin, template, created.json().path("id").asString(), target, Map.of())
                .json().path("run").path("id").asString();
        provisioning.await(admin, run, "awaiting_approval");
        assertThat(decide(admin, run, "approve").status()).isEqualTo(200);
        assertThat(provisioning.await(admin, run).path("state").asString()).isEqualTo("succeeded");
    }

    private Api.Response decide(Session by, String run, String decision) {
        return api.post("/api/v1/runs/" + run + "/approvals", by.accessToken(), obj("decision", decision,
                "comment", "looks right"));
    }

    private List<String> inbox(Session by) {
        Api.Response inbox = api.get("/api/v1/approvals?status=pending", by.accessToken());
        assertThat(inbox.status()).as(inbox.toString()).isEqualTo(200);
        return inbox.json().path("items").findValuesAsString("id");
    }
}
