package dev.canopy.provisioning;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Mailbox;
import tools.jackson.databind.JsonNode;

/** The job engine through real runs: retries that resume, dead letters and replays, cancels, queues and TTLs. */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class RunEngineTest extends ApiTest {

    /** Fails the first apply (leaving a marker behind), succeeds the next: plan never runs again. */
    static final String FAILS_ONCE = """
            - hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: fail the first time
                  ansible.builtin.shell: "test -f {{ target }}/marker || { touch {{ target }}/marker; exit 3; }"
                - name: write the message
                  ansible.builtin.copy:
                    dest: "{{ target }}/done.txt"
                    content: "{{ message }}"
            """;

    /** Fails every apply until {@code <target>/allow} exists. */
    static final String NEEDS_PERMIT = """
            - hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: need the permit
                  ansible.builtin.command: "test -f {{ target }}/allow"
            """;

    /** Applying sleeps for minutes (its sleep is found by the unusual duration); destroying is quick. */
    static final String SLEEPS = """
            - hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: sleep a long time
                  ansible.builtin.command: "sleep 317"
                  when: canopy_action == 'apply'
            """;

    @TempDir
    Path target;

    @Autowired
    JdbcClient jdbc;

    Provisioning provisioning;
    Session admin;
    String development;

    @BeforeEach
    void setUp() {
        provisioning = new Provisioning(api);
        admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        development = provisioning.environment(admin, "development");
    }

    @Test
    void aRetryResumesAtTheFailedStep() throws Exception {
        String template = provisioning.template(admin, FAILS_ONCE, null);
        String run = provisioning.deploy(admin, template, development, target, Map.of()).json().path("run")
                .path("id").asString();
        JsonNode done = provisioning.await(admin, run);
        assertThat(done.path("state").asString()).as(provisioning.log(admin, run)).isEqualTo("succeeded");
        assertThat(done.path("attempts").asInt()).isEqualTo(2);
        Map<String, Integer> attempts = new java.util.HashMap<>();
        done.path("steps").forEach(s -> attempts.put(s.path("name").asString(), s.path("attempts").asInt()));
        assertThat(attempts).containsEntry("plan", 1).containsEntry("apply", 2);
        assertThat(Files.readString(target.resolve("done.txt"))).isEqualTo("hello from canopy");
        String log = provisioning.log(admin, run);
        assertThat(log).contains("attempt 1 of 3: plan", "attempt 1 of 3: apply", "apply failed",
                "attempt 2 of 3: apply").doesNotContain("attempt 2 of 3: plan");
    }

    @Test
    void aRunThatKeepsFailingIsDeadLetteredAndAReplaySucceeds() throws Exception {
        String template = provisioning.template(admin, NEEDS_PERMIT, null);
        Api.Response created = provisioning.deploy(admin, template, development, target, Map.of());
        String deployment = created.json().path("id").asString();
        String run = created.json().path("run").path("id").asString();
        JsonNode dead = provisioning.await(admin, run, "dead_letter");
        assertThat(dead.path("attempts").asInt()).isEqualTo(3);
        assertThat(dead.path("error").asString()).contains("gave up after 3 attempts");
        assertThat(api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("status")
                .asString()).isEqualTo("failed");

        Files.writeString(target.resolve("allow"), "yes");
        Api.Response replay = api.post("/api/v1/runs/" + run + "/replay", admin.accessToken(), null);
        assertThat(replay.status()).as(replay.toString()).isEqualTo(202);
        assertThat(replay.json().path("replay_of").asString()).isEqualTo(run);
        JsonNode replayed = provisioning.await(admin, replay.json().path("id").asString());
        assertThat(replayed.path("state").asString()).isEqualTo("succeeded");
        assertThat(api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("status")
                .asString()).isEqualTo("active");
        assertProblem(api.post("/api/v1/runs/" + replay.json().path("id").asString() + "/cancel",
                admin.accessToken(), null), 409, "RUN_FINISHED");
    }

    @Test
    void cancellingALongPlaybookStopsItsProcessAndTheNextRunWaitsUntilThen() {
        String template = provisioning.template(admin, SLEEPS, null);
        Api.Response created = provisioning.deploy(admin, template, development, target, Map.of());
        String deployment = created.json().path("id").asString();
        String run = created.json().path("run").path("id").asString();
        provisioning.await(admin, run, "applying");
        awaitSleeping(true);

        Api.Response destroy = api.delete("/api/v1/deployments/" + deployment, admin.accessToken());
        assertThat(destroy.status()).as(destroy.toString()).isEqualTo(202);
        String destroyRun = destroy.json().path("id").asString();
        Provisioning.sleep(500);
        assertThat(api.get("/api/v1/runs/" + destroyRun, admin.accessToken()).json().path("state").asString())
                .as("one mutating run at a time").isEqualTo("queued");

        Api.Response cancel = api.post("/api/v1/runs/" + run + "/cancel", admin.accessToken(), null);
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
        assertThat(cancel.json().path("state").asString()).isEqualTo("cancel_requested");
        assertThat(provisioning.await(admin, run).path("state").asString()).isEqualTo("canceled");
        awaitSleeping(false);
        assertThat(provisioning.await(admin, destroyRun).path("state").asString()).isEqualTo("succeeded");
    }

    @Test
    void aDeploymentIsDestroyedWhenItsTtlEndsAndExtendsOnlyWithinTheMaximum() {
        String template = provisioning.template(admin, Provisioning.FILES_PLAYBOOK, Provisioning.FILES_DESTROY);
        JsonNode env = api.get("/api/v1/environments/" + development, admin.accessToken()).json();
        Api.Response limited = api.patch("/api/v1/environments/" + development, admin.accessToken(),
                obj("protection", obj("ttl_default", "P1D", "ttl_max", "P3D"), "version", env.path("version").asLong()));
        assertThat(limited.status()).as(limited.toString()).isEqualTo(200);

        Api.Response tooLong = provisioning.deploy(admin, template, development, target, Map.of("ttl", "P4D"));
        assertProblem(tooLong, 400, "TTL_TOO_LONG");

        Api.Response created = provisioning.deploy(admin, template, development, target, Map.of("ttl", "PT8S"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String deployment = created.json().path("id").asString();
        provisioning.await(admin, created.json().path("run").path("id").asString());
        assertThat(target.resolve("tree/a/b/message.txt")).exists();
        assertProblem(api.post("/api/v1/deployments/" + deployment + "/extend", admin.accessToken(),
                obj("ttl", "P5D")), 400, "TTL_TOO_LONG");

        long deadline = System.nanoTime() + 60_000_000_000L;
        String status = "";
        while (System.nanoTime() < deadline && !status.equals("destroyed")) {
            Provisioning.sleep(200);
            status = api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("status")
                    .asString();
        }
        assertThat(status).isEqualTo("destroyed");
        assertThat(target.resolve("tree")).doesNotExist();
        JsonNode runs = api.get("/api/v1/deployments/" + deployment + "/runs", admin.accessToken()).json();
        assertThat(runs.path("items").get(1).path("requested_by_email").asString()).isEqualTo("system:ttl");
        assertThat(api.get("/api/v1/audit-events?limit=200", admin.accessToken()).json().path("items")
                .findValuesAsString("action")).contains("deployment.expiring", "deployment.expired");
        assertThat(Mailbox.awaitMessage(admin.email(), 1).subject()).contains("is destroyed at");
    }

    @Test
    void anExtendedTtlMovesTheDestroy() {
        String template = provisioning.template(admin, Provisioning.FILES_PLAYBOOK, Provisioning.FILES_DESTROY);
        Api.Response created = provisioning.deploy(admin, template, development, target, Map.of("ttl", "PT2M"));
        String deployment = created.json().path("id").asString();
        provisioning.await(admin, created.json().path("run").path("id").asString());
        Api.Response extended = api.post("/api/v1/deployments/" + deployment + "/extend", admin.accessToken(),
                obj("ttl", "P1D"));
        assertThat(extended.status()).as(extended.toString()).isEqualTo(200);
        Instant expires = Instant.parse(extended.json().path("expires_at").asString());
        assertThat(expires).isAfter(Instant.now().plus(Duration.ofHours(23)));
        // the TTL's job now waits for the warning an hour before the new end
        Instant due = jdbc.sql("select run_at from platform.provisioning_jobs where kind = 'expire' and subject_id = ?")
                .param(UUID.fromString(deployment)).query(java.sql.Timestamp.class).single().toInstant();
        assertThat(due).isAfter(Instant.now().plus(Duration.ofHours(22)));
        assertThat(api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("status")
                .asString()).isEqualTo("active");
    }

    private static void awaitSleeping(boolean sleeping) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean found = ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("")
                    .contains("sleep 317"));
            if (found == sleeping) {
                return;
            }
            Provisioning.sleep(100);
        }
        throw new AssertionError(sleeping ? "the playbook's sleep never started" : "the sleep outlived the cancel");
    }
}
