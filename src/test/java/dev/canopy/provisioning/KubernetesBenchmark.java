package dev.canopy.provisioning;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.TemplateArchives;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import tools.jackson.databind.JsonNode;

/**
 * Plan + apply of a 200-object Kubernetes deployment (80 ConfigMaps, 40 Secrets, 40 Services, 40 Deployments) against
 * fabric8's CRUD mock API server, over HTTP on the running application: from the request to the run's success
 * (goal under 10 s), then a re-apply where everything is unchanged and a preview plan. Not part of the normal build:
 * {@code ./mvnw test -Dtest=KubernetesBenchmark -DexcludedTestGroups=none -Dsurefire.failIfNoSpecifiedTests=false};
 * the figures are in {@code target/surefire-reports/dev.canopy.provisioning.KubernetesBenchmark-output.txt}.
 */
@Tag("benchmark")
class KubernetesBenchmark extends ApiTest {

    private static final int EACH = 40;

    @Test
    void planAndApplyOfTwoHundredObjects() {
        // the mock logs every request it answers; that is the test double's cost, not the driver's
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.fabric8.mockwebserver"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        try (KubernetesClient cluster = server.createClient()) {
            Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
            Provisioning provisioning = new Provisioning(api);
            String template = template(admin);
            System.out.printf("Kubernetes driver, %d objects, fabric8 CRUD mock server%n", 5 * EACH);
            // the same deployment twice into two namespaces: the first pays for the JIT and the connections
            create(admin, provisioning, cluster, server, template, "staging", "warm-up", "first apply, cold");
            String first = create(admin, provisioning, cluster, server, template, "development", "bench",
                    "first apply, warm");
            long start;
            long took;
            for (int i = 0; i < 2; i++) {
                start = System.nanoTime();
                String again = api.post("/api/v1/runs/" + first + "/replay", admin.accessToken(), null).json()
                        .path("id").asString();
                JsonNode replayed = provisioning.await(admin, again);
                took = System.nanoTime() - start;
                assertThat(replayed.path("state").asString()).isEqualTo("succeeded");
                assertThat(replayed.path("plan").findValuesAsString("action")).containsOnly("no-op");
                report("re-apply (all no-op) #" + (i + 1), took, replayed);
            }
            start = System.nanoTime();
            String deployment = api.get("/api/v1/runs/" + first, admin.accessToken()).json().path("deployment_id")
                    .asString();
            String preview = api.post("/api/v1/deployments/" + deployment + "/plan",
                    admin.accessToken(), null).json().path("id").asString();
            JsonNode planned = provisioning.await(admin, preview);
            took = System.nanoTime() - start;
            assertThat(planned.path("state").asString()).isEqualTo("succeeded");
            report("preview plan", took, planned);
        }
        finally {
            server.destroy();
        }
    }

    /** Deploys the template into the environment's new account of that namespace; answers the run's id. */
    private String create(Session admin, Provisioning provisioning, KubernetesClient cluster,
            KubernetesMockServer server, String template, String environment, String namespace, String what) {
        String env = provisioning.environment(admin, environment);
        Api.Response account = api.post("/api/v1/cloud-accounts", admin.accessToken(), obj("name", "bench-"
                + UUID.randomUUID(), "provider", "kubernetes", "settings", obj("api_server", server.url("/")
                        .replaceAll("/$", ""), "namespace", namespace), "auth_type", "token", "credentials",
                obj("token", "canopy-bench-token-0123456789")));
        assertThat(api.patch("/api/v1/environments/" + env, admin.accessToken(), obj("cloud_account_id",
                account.json().path("id").asString(), "version", 0)).status()).isEqualTo(200);
        long start = System.nanoTime();
        Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "bench-"
                + UUID.randomUUID(), "template_id", template, "environment_id", env, "inputs",
                obj("message", "hello", "replicas", 2)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String runId = created.json().path("run").path("id").asString();
        JsonNode run = provisioning.await(admin, runId);
        long took = System.nanoTime() - start;
        assertThat(run.path("state").asString()).as(provisioning.log(admin, runId)).isEqualTo("succeeded");
        assertThat(cluster.configMaps().inNamespace(namespace).list().getItems()).hasSize(2 * EACH);
        assertThat(cluster.apps().deployments().inNamespace(namespace).list().getItems()).hasSize(EACH);
        report(what + " (all create), request to succeeded", took, run);
        return runId;
    }

    private static void report(String what, long nanos, JsonNode run) {
        StringBuilder steps = new StringBuilder();
        for (JsonNode s : run.path("steps")) {
            Duration d = Duration.between(Instant.parse(s.path("started_at").asString()),
                    Instant.parse(s.path("finished_at").asString()));
            steps.append("  ").append(s.path("name").asString()).append(' ').append(d.toMillis()).append(" ms");
        }
        System.out.printf("  %-52s %6.2f s%s%n", what, nanos / 1e9, steps);
    }

    private String template(Session admin) {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < EACH; i++) {
            String n = "%03d".formatted(i);
            yaml.append("""
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: config-%1$s, labels: {app: app-%1$s}}
                    data: {message: {{ inputs.message }}, index: "%1$s"}
                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: settings-%1$s}
                    data: {level: info, size: "%1$s"}
                    ---
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: secret-%1$s}
                    type: Opaque
                    stringData: {password: pw-%1$s}
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {name: service-%1$s}
                    spec:
                      selector: {app: app-%1$s}
                      ports: [{name: http, port: 80, targetPort: 8080}]
                    ---
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: app-%1$s}
                    spec:
                      replicas: {{ inputs.replicas }}
                      selector: {matchLabels: {app: app-%1$s}}
                      template:
                        metadata: {labels: {app: app-%1$s}}
                        spec:
                          containers:
                            - name: web
                              image: nginx:1.27
                              ports: [{containerPort: 8080}]
                              envFrom: [{configMapRef: {name: config-%1$s}}]
                    ---
                    """.formatted(n));
        }
        Api.Response created = api.post("/api/v1/templates", admin.accessToken(), obj("name", "Bench "
                + UUID.randomUUID(), "description", "200 objects", "driver", "kubernetes"));
        String id = created.json().path("id").asString();
        Api.Response published = api.upload("/api/v1/templates/" + id + "/versions", admin.accessToken(), "file",
                "t.zip", TemplateArchives.with().manifest(TemplateArchives.manifest("1.0.0", "kubernetes", """
                        type: object
                        properties:
                          message: {type: string}
                          replicas: {type: integer}
                        """)).file("manifests/all.yaml", yaml.toString()).zip());
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        return id;
    }
}
