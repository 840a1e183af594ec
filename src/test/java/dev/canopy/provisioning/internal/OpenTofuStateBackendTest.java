package dev.canopy.provisioning.internal;

import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.provisioning.Provisioning;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;

/**
 * The OpenTofu state backend as an engine speaks to it (the {@code http} backend's requests), with sessions opened
 * as a running step opens them: locking, writes under the lock, and every request it must refuse.
 */
class OpenTofuStateBackendTest extends ApiTest {

    @TempDir
    Path target;

    @Autowired
    OpenTofuStateSessions sessions;

    @Autowired
    TenantTransactions scopes;

    @Autowired
    JdbcClient jdbc;

    Session admin;
    UUID deployment;
    UUID otherDeployment;
    OpenTofuStateSessions.Session writer;
    OpenTofuStateSessions.Session reader;

    @BeforeEach
    void setUp() {
        var provisioning = new Provisioning(api);
        admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String template = provisioning.template(admin, Provisioning.FILES_PLAYBOOK, null);
        String development = provisioning.environment(admin, "development");
        deployment = UUID.fromString(provisioning.deploy(admin, template, development, target, Map.of()).json()
                .path("id").asString());
        otherDeployment = UUID.fromString(provisioning.deploy(admin, template, development, target.resolve("b"),
                Map.of()).json().path("id").asString());
        writer = sessions.open(admin.tenantId(), deployment, UUID.randomUUID(), true);
        reader = sessions.open(admin.tenantId(), deployment, UUID.randomUUID(), false);
    }

    @AfterEach
    void tearDown() {
        sessions.close(writer);
        sessions.close(reader);
    }

    @Test
    void anEngineLocksWritesReadsAndUnlocksTheStateWhileOthersWaitOnTheLock() {
        String path = path(deployment);
        assertThat(send(writer, "GET", path, null).status()).as("no state yet").isEqualTo(204);

        String lock = "{\"ID\":\"lock-1\",\"Operation\":\"OperationTypeApply\",\"Who\":\"engine@canopy\"}";
        assertThat(send(writer, "POST", path + "/lock", lock).status()).isEqualTo(200);
        Api.Response taken = send(writer, "POST", path + "/lock", "{\"ID\":\"lock-2\"}");
        assertThat(taken.status()).isEqualTo(423);
        assertThat(taken.json().path("Who").asString()).as("the holder is named").isEqualTo("engine@canopy");

        String state = state("one", 1);
        assertThat(send(writer, "POST", path + "?ID=lock-2", state).status()).as("not the lock's holder")
                .isEqualTo(423);
        assertThat(send(writer, "POST", path, state).status()).as("no lock id").isEqualTo(423);
        assertThat(send(writer, "POST", path + "?ID=lock-1", state).status()).isEqualTo(200);
        Api.Response read = send(reader, "GET", path, null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("serial").asInt()).isEqualTo(1);

        assertThat(send(writer, "DELETE", path + "/lock", "{\"ID\":\"lock-2\"}").status()).isEqualTo(423);
        assertThat(send(writer, "DELETE", path + "/lock", "{\"ID\":\"lock-1\"}").status()).isEqualTo(200);
        assertThat(send(writer, "POST", path + "/lock", "{\"ID\":\"lock-2\"}").status()).isEqualTo(200);
        assertThat(send(writer, "DELETE", path + "/lock", "{\"ID\":\"lock-2\"}").status()).isEqualTo(200);

        UUID tenant = admin.tenantId();
        String stored = scopes.inTenant(tenant, () -> jdbc.sql("select encode(sealed_state, 'escape') from "
                + "opentofu_states where tenant_id = ? and deployment_id = ?").params(tenant, deployment)
                .query(String.class).single());
        assertThat(stored).as("sealed at rest").doesNotContain("\"one\"", "lineage");
    }

    @Test
    void badRequestsAreRefusedWithProblems() {
        String path = path(deployment);
        assertThat(send(writer, "POST", path, state("one", 1)).status()).isEqualTo(200);

        assertProblem(send(writer, "POST", path, "not json"), 400, "STATE_INVALID");
        assertProblem(send(writer, "POST", path, "[1, 2]"), 400, "STATE_INVALID");
        assertProblem(send(writer, "POST", path, "{\"serial\": \"1\", \"lineage\": \"one\"}"), 400, "STATE_INVALID");
        assertProblem(send(writer, "POST", path, "{\"serial\": 2}"), 400, "STATE_INVALID");
        assertProblem(send(writer, "POST", path, state("another-history", 2)), 409, "STATE_LINEAGE_MISMATCH");
        assertProblem(send(writer, "POST", path + "/lock", "{}"), 400, "LOCK_INVALID");
        assertProblem(send(writer, "POST", path + "/lock", "{\"ID\": 12}"), 400, "LOCK_INVALID");
        assertProblem(send(writer, "POST", path + "/lock", "{\"ID\":\"" + "x".repeat(201) + "\"}"), 400,
                "LOCK_INVALID");
        assertProblem(send(writer, "DELETE", path + "/lock", "nope"), 400, "STATE_INVALID");

        // a plan-only run's engine reads, and nothing more
        assertThat(send(reader, "GET", path, null).status()).isEqualTo(200);
        assertProblem(send(reader, "POST", path, state("one", 9)), 403, "STATE_READ_ONLY");
        assertProblem(send(reader, "POST", path + "/lock", "{\"ID\":\"r\"}"), 403, "STATE_READ_ONLY");
        assertProblem(send(reader, "DELETE", path + "/lock", "{\"ID\":\"r\"}"), 403, "STATE_READ_ONLY");

        // a session is for its own deployment, and ends with its step
        assertProblem(send(writer, "GET", path(otherDeployment), null), 401, "STATE_ACCESS_DENIED");
        assertProblem(send(writer, "POST", path(otherDeployment), state("one", 1)), 401, "STATE_ACCESS_DENIED");
        assertProblem(api.send("GET", path, null, null, Map.of("Authorization", "Basic !!!")), 401,
                "STATE_ACCESS_DENIED");
        assertProblem(api.send("GET", path(UUID.randomUUID()), null, null, Map.of()), 401, "STATE_ACCESS_DENIED");
        sessions.close(writer);
        assertProblem(send(writer, "GET", path, null), 401, "STATE_ACCESS_DENIED");
    }

    @Test
    void anotherTenantsSessionCannotReachTheState() {
        Session other = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        OpenTofuStateSessions.Session foreign = sessions.open(other.tenantId(), deployment, UUID.randomUUID(), true);
        try {
            assertThat(send(writer, "POST", path(deployment), state("mine", 1)).status()).isEqualTo(200);
            // a session (even one made wrongly for another tenant) works under that tenant's row security
            assertThat(send(foreign, "GET", path(deployment), null).status()).isEqualTo(204);
        }
        finally {
            sessions.close(foreign);
        }
    }

    private static String path(UUID deployment) {
        return OpenTofuStateController.PATH + deployment;
    }

    private static String state(String lineage, int serial) {
        return "{\"version\":4,\"serial\":" + serial + ",\"lineage\":\"" + lineage + "\",\"outputs\":{},"
                + "\"resources\":[]}";
    }

    private Api.Response send(OpenTofuStateSessions.Session session, String method, String path, String body) {
        String basic = Base64.getEncoder().encodeToString((session.username() + ":" + session.password())
                .getBytes(StandardCharsets.UTF_8));
        return api.send(method, path, null, body, Map.of("Authorization", "Basic " + basic));
    }
}
