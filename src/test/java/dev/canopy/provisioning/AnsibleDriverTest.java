package dev.canopy.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.zaxxer.hikari.HikariDataSource;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.TemplateArchives;
import tools.jackson.databind.JsonNode;

/** Real playbooks through the Ansible driver against localhost: their effects are checked on disk. */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class AnsibleDriverTest extends ApiTest {

    /**
     * A database on the embedded PostgreSQL, made and dropped with community.postgresql (which needs psycopg2) as the
     * server's superuser (Canopy's own roles may not create databases).
     */
    static final String DATABASE_PLAYBOOK = """
            - hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: the database
                  community.postgresql.postgresql_db:
                    name: "{{ database }}"
                    state: "{{ 'absent' if canopy_action == 'destroy' else 'present' }}"
                    login_host: localhost
                    port: "{{ db_port }}"
                    login_user: "{{ user }}"
                - name: report it
                  ansible.builtin.set_fact:
                    canopy_outputs:
                      database: "{{ database }}"
                  when: canopy_action != 'destroy'
            """;

    static final String DATABASE_INPUTS = """
            type: object
            required: [database, db_port, user]
            properties:
              database: {type: string, pattern: "^[a-z][a-z0-9_]{0,40}$"}
              db_port: {type: integer}
              user: {type: string}
            """;

    @Autowired
    HikariDataSource dataSource;

    @Autowired
    JdbcClient jdbc;

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

        Api.Response preview = api.post("/api/v1/deployments/" + deployment + "/plan", admin.accessToken(), null);
        assertThat(preview.status()).as(preview.toString()).isEqualTo(202);
        assertThat(preview.json().path("kind").asString()).isEqualTo("plan");
        JsonNode planned = provisioning.await(admin, preview.json().path("id").asString());
        assertThat(planned.path("state").asString()).isEqualTo("succeeded");
        assertThat(planned.path("plan").size()).as("applied already: nothing would change").isZero();
        assertThat(planned.path("steps").findValuesAsString("name")).containsExactly("plan");

        Api.Response destroy = api.delete("/api/v1/deployments/" + deployment, admin.accessToken());
        assertThat(destroy.status()).as(destroy.toString()).isEqualTo(202);
        JsonNode destroyed = provisioning.await(admin, destroy.json().path("id").asString());
        assertThat(destroyed.path("state").asString()).isEqualTo("succeeded");
        assertThat(target.resolve("tree")).doesNotExist();
        assertThat(api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("status")
                .asString()).isEqualTo("destroyed");
    }

    @Test
    void aPostgresqlDatabaseIsMadeOnTheEmbeddedServerAndDroppedAgain() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        Api.Response template = api.post("/api/v1/templates", admin.accessToken(), Api.obj("name", "Database "
                + java.util.UUID.randomUUID(), "driver", "ansible"));
        String id = template.json().path("id").asString();
        byte[] archive = TemplateArchives.with().manifest(TemplateArchives.manifest("1.0.0", "ansible",
                DATABASE_INPUTS)).file("playbook.yml", DATABASE_PLAYBOOK).zip();
        assertThat(api.upload("/api/v1/templates/" + id + "/versions", admin.accessToken(), "file", "t.zip", archive)
                .status()).isEqualTo(201);
        String database = "canopy_test_" + Long.toHexString(System.nanoTime());
        int port = java.net.URI.create(dataSource.getJdbcUrl().substring("jdbc:".length())).getPort();
        Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), Api.obj("name", database,
                "template_id", id, "environment_id", provisioning.environment(admin, "development"), "inputs",
                Api.obj("database", database, "db_port", port, "user", "postgres")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String run = created.json().path("run").path("id").asString();
        JsonNode done = provisioning.await(admin, run);
        assertThat(done.path("state").asString()).as(provisioning.log(admin, run)).isEqualTo("succeeded");
        assertThat(done.path("plan").toString()).as("the plan (--check) names the database").contains("the database");
        assertThat(exists(database)).isTrue();

        String destroy = api.delete("/api/v1/deployments/" + created.json().path("id").asString(),
                admin.accessToken()).json().path("id").asString();
        assertThat(provisioning.await(admin, destroy).path("state").asString()).isEqualTo("succeeded");
        assertThat(exists(database)).isFalse();
    }

    private boolean exists(String database) {
        return jdbc.sql("select exists (select 1 from pg_database where datname = ?)").param(database)
                .query(Boolean.class).single();
    }
}
