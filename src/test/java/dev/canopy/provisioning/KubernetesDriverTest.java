package dev.canopy.provisioning;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.TemplateArchives;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import tools.jackson.databind.JsonNode;

/**
 * Templates of the Kubernetes driver against fabric8's mock API server in CRUD mode (it keeps the objects it is
 * sent): the effects are read back from it with a client of its own.
 */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class KubernetesDriverTest extends ApiTest {

    static final String INPUTS = """
            type: object
            required: [message]
            properties:
              message: {type: string}
              port: {type: integer, default: 8080}
            """;

    static final String CONFIG_MAP = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: web-config
            data:
              message: {{ inputs.message }}
            """;

    static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels: {app: web}
            spec:
              selector: {app: web}
              ports:
                - name: http
                  port: {{ inputs.port }}
            ---
            """;

    static final String OUTPUTS = """
            message: {kind: ConfigMap, name: web-config, path: data.message}
            port: {kind: Service, name: web, path: /spec/ports/0/port}
            """;

    KubernetesMockServer server;
    KubernetesClient cluster;
    Provisioning provisioning;
    Session admin;
    String development;

    @BeforeEach
    void setUp() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        cluster = server.createClient();
        provisioning = new Provisioning(api);
        admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        development = provisioning.environment(admin, "development");
        link(development, server, "development");
    }

    /** A kubernetes account of the mock server's namespace team-a, used by the environment. */
    private void link(String environmentId, KubernetesMockServer to, String environment) {
        Api.Response account = api.post("/api/v1/cloud-accounts", admin.accessToken(), obj("name", "cluster-"
                + UUID.randomUUID(), "provider", "kubernetes", "settings", obj("api_server", to.url("/")
                        .replaceAll("/$", ""), "namespace", "team-a"), "auth_type", "token", "credentials",
                obj("token", "canopy-test-token-0123456789"), "environments", List.of(environment)));
        assertThat(account.status()).as(account.toString()).isEqualTo(201);
        Api.Response linked = api.patch("/api/v1/environments/" + environmentId, admin.accessToken(), obj(
                "cloud_account_id", account.json().path("id").asString(), "version", 0));
        assertThat(linked.status()).as(linked.toString()).isEqualTo(200);
    }

    @AfterEach
    void tearDown() {
        cluster.close();
        server.destroy();
    }

    @Test
    void applyMakesTheObjectsInTheAccountsNamespacePlanSeesNoChangeAndDestroyRemovesThem() {
        String template = template(TemplateArchives.with().file("manifests/10-config.yaml", CONFIG_MAP)
                .file("manifests/20-service.yml", SERVICE).file("outputs.yaml", OUTPUTS));
        String hostile = "a\nkind: Secret\nmetadata: {name: stolen}";

        Api.Response created = deploy(template, obj("message", hostile, "port", 8080));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String deployment = created.json().path("id").asString();
        String runId = created.json().path("run").path("id").asString();
        JsonNode run = provisioning.await(admin, runId);
        assertThat(run.path("state").asString()).as(provisioning.log(admin, runId)).isEqualTo("succeeded");

        ConfigMap config = cluster.configMaps().inNamespace("team-a").withName("web-config").get();
        assertThat(config).isNotNull();
        assertThat(config.getData()).containsExactly(Map.entry("message", hostile));
        assertThat(config.getMetadata().getLabels()).containsEntry("canopy.dev/deployment", deployment);
        Service service = cluster.services().inNamespace("team-a").withName("web").get();
        assertThat(service.getSpec().getPorts().getFirst().getPort()).isEqualTo(8080);
        assertThat(service.getMetadata().getLabels()).containsEntry("app", "web")
                .containsEntry("canopy.dev/deployment", deployment);
        assertThat(cluster.secrets().inAnyNamespace().list().getItems()).as("the input stayed a string").isEmpty();
        assertThat(cluster.configMaps().inNamespace("default").list().getItems()).isEmpty();

        assertThat(run.path("plan").findValuesAsString("action")).containsExactly("create", "create");
        assertThat(provisioning.log(admin, runId)).contains("applied ConfigMap/web-config", "applied Service/web");
        JsonNode deployed = api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json();
        assertThat(deployed.path("status").asString()).isEqualTo("active");
        assertThat(deployed.path("outputs").path("message").asString()).isEqualTo(hostile);
        assertThat(deployed.path("outputs").path("port").asInt()).isEqualTo(8080);

        Api.Response preview = api.post("/api/v1/deployments/" + deployment + "/plan", admin.accessToken(), null);
        assertThat(preview.status()).as(preview.toString()).isEqualTo(202);
        String previewId = preview.json().path("id").asString();
        JsonNode planned = provisioning.await(admin, previewId);
        assertThat(planned.path("state").asString()).as(provisioning.log(admin, previewId)).isEqualTo("succeeded");
        assertThat(planned.path("plan").findValuesAsString("action")).as(planned.path("plan").toString())
                .containsExactly("no-op", "no-op");
        assertThat(planned.path("plan").findValuesAsString("address"))
                .containsExactly("ConfigMap/web-config", "Service/web");

        // someone edits the object, and an object of the deployment is left over from an earlier version
        cluster.configMaps().inNamespace("team-a").withName("web-config").edit(c -> {
            c.getData().put("message", "edited by hand");
            return c;
        });
        cluster.configMaps().inNamespace("team-a").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("old").addToLabels("canopy.dev/deployment", deployment).endMetadata()
                .build()).create();
        String againId = api.post("/api/v1/deployments/" + deployment + "/plan", admin.accessToken(), null).json()
                .path("id").asString();
        JsonNode again = provisioning.await(admin, againId);
        assertThat(again.path("state").asString()).as(provisioning.log(admin, againId)).isEqualTo("succeeded");
        JsonNode changes = again.path("plan");
        assertThat(changes.findValuesAsString("action")).as(changes.toString())
                .containsExactly("update", "no-op", "delete");
        assertThat(changes.path(0).path("before").path("data.message").asString()).isEqualTo("edited by hand");
        assertThat(changes.path(0).path("after").path("data.message").asString()).isEqualTo(hostile);
        assertThat(changes.path(2).path("address").asString()).isEqualTo("ConfigMap/old");

        Api.Response destroy = api.delete("/api/v1/deployments/" + deployment, admin.accessToken());
        assertThat(destroy.status()).as(destroy.toString()).isEqualTo(202);
        String destroyId = destroy.json().path("id").asString();
        JsonNode destroyed = provisioning.await(admin, destroyId);
        assertThat(destroyed.path("state").asString()).as(provisioning.log(admin, destroyId)).isEqualTo("succeeded");
        assertThat(cluster.configMaps().inNamespace("team-a").withName("web-config").get()).isNull();
        assertThat(cluster.services().inNamespace("team-a").withName("web").get()).isNull();
        assertThat(cluster.configMaps().inNamespace("team-a").withName("old").get()).isNull();
        assertThat(provisioning.log(admin, destroyId)).contains("deleted Service/web", "deleted ConfigMap/web-config");
    }

    @Test
    void anotherNamespaceOrAClusterScopedKindIsRefusedAtRequestTimeAndNothingIsMade() {
        String elsewhere = template(TemplateArchives.with().file("manifests/a.yaml", CONFIG_MAP).file(
                "manifests/b.yaml", CONFIG_MAP.replace("web-config", "sneaky").replace("name: sneaky",
                        "name: sneaky\n  namespace: kube-system")));
        assertThat(problem(deploy(elsewhere, obj("message", "hello")), 422, "NAMESPACE_NOT_ALLOWED")
                .path("detail").asString()).contains("manifests/b.yaml", "names the namespace kube-system", "team-a");

        // the namespace an input names is checked as the run would substitute it
        String chosen = template(TemplateArchives.with().file("manifests/a.yaml", CONFIG_MAP.replace(
                "name: web-config", "name: web-config\n  namespace: {{ inputs.message }}")));
        assertProblem(deploy(chosen, obj("message", "kube-system")), 422, "NAMESPACE_NOT_ALLOWED");

        String namespace = template(TemplateArchives.with().file("manifests/a.yaml", CONFIG_MAP).file(
                "manifests/b.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mine\n"));
        assertThat(problem(deploy(namespace, obj("message", "hello")), 422, "NAMESPACE_NOT_ALLOWED")
                .path("detail").asString()).contains("Namespace/mine is cluster-scoped");

        String role = template(TemplateArchives.with().file("manifests/a.yaml", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: everything}
                rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
                """));
        assertThat(problem(deploy(role, obj("message", "hello")), 422, "NAMESPACE_NOT_ALLOWED")
                .path("detail").asString()).contains("ClusterRole/everything is cluster-scoped");

        assertThat(api.get("/api/v1/deployments?limit=200", admin.accessToken()).json().path("items").size())
                .as("no deployment was made").isZero();
        assertThat(cluster.configMaps().inAnyNamespace().list().getItems()).isEmpty();
        assertThat(cluster.namespaces().list().getItems()).isEmpty();
        assertThat(cluster.rbac().clusterRoles().list().getItems()).isEmpty();
    }

    @Test
    void aRunStillRefusesAnotherNamespaceWhenTheAccountChangedAfterTheRequest() {
        String pinned = template(TemplateArchives.with().file("manifests/a.yaml", CONFIG_MAP.replace(
                "name: web-config", "name: web-config\n  namespace: team-a")));
        Api.Response created = deploy(pinned, obj("message", "hello"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String apply = created.json().path("run").path("id").asString();
        assertThat(provisioning.await(admin, apply).path("state").asString()).isEqualTo("succeeded");

        String accountId = api.get("/api/v1/environments/" + development, admin.accessToken()).json()
                .path("cloud_account_id").asString();
        JsonNode account = api.get("/api/v1/cloud-accounts/" + accountId, admin.accessToken()).json();
        Api.Response moved = api.patch("/api/v1/cloud-accounts/" + accountId, admin.accessToken(), obj("settings",
                obj("api_server", account.path("settings").path("api_server").asString(), "namespace", "team-b"),
                "version", account.path("version").asLong()));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        String again = api.post("/api/v1/runs/" + apply + "/replay", admin.accessToken(), null).json().path("id")
                .asString();
        JsonNode failed = provisioning.await(admin, again, "failed");
        assertThat(failed.path("error").asString()).contains("names the namespace team-a",
                "only deploys into team-b");
        assertThat(cluster.configMaps().inNamespace("team-b").list().getItems()).isEmpty();
    }

    @Test
    void aDeploymentItsDriverCannotRunIsRefusedAtRequestTime() {
        String template = template(TemplateArchives.with().file("manifests/a.yaml", CONFIG_MAP));
        String bare = environment("bare-" + UUID.randomUUID().toString().substring(0, 8));
        assertThat(problem(deployInto(template, bare), 422, "CLOUD_ACCOUNT_REQUIRED").path("detail")
                .asString()).contains("kubernetes driver needs a kubernetes cloud account");

        String azure = environment("azure-" + UUID.randomUUID().toString().substring(0, 8));
        Api.Response account = api.post("/api/v1/cloud-accounts", admin.accessToken(), obj("name", "azure-"
                + UUID.randomUUID(), "provider", "azure", "settings", obj("subscription_id", UUID.randomUUID()
                        .toString()), "auth_type", "service_principal", "credentials", obj("tenant_id",
                                UUID.randomUUID().toString(), "client_id", UUID.randomUUID().toString(),
                                "client_secret", "an-azure-client-secret")));
        assertThat(account.status()).as(account.toString()).isEqualTo(201);
        assertThat(api.patch("/api/v1/environments/" + azure, admin.accessToken(), obj("cloud_account_id",
                account.json().path("id").asString(), "version", 0)).status()).isEqualTo(200);
        assertThat(problem(deployInto(template, azure), 422, "CLOUD_ACCOUNT_PROVIDER_MISMATCH")
                .path("detail").asString()).contains("uses the azure account");

        String unnamed = environment("nons-" + UUID.randomUUID().toString().substring(0, 8));
        Api.Response noNamespace = api.post("/api/v1/cloud-accounts", admin.accessToken(), obj("name", "cluster-"
                + UUID.randomUUID(), "provider", "kubernetes", "settings", obj("api_server", server.url("/")
                        .replaceAll("/$", "")), "auth_type", "token", "credentials",
                obj("token", "canopy-test-token-0123456789")));
        assertThat(noNamespace.status()).as(noNamespace.toString()).isEqualTo(201);
        assertThat(api.patch("/api/v1/environments/" + unnamed, admin.accessToken(), obj("cloud_account_id",
                noNamespace.json().path("id").asString(), "version", 0)).status()).isEqualTo(200);
        assertThat(problem(deployInto(template, unnamed), 422, "CLOUD_ACCOUNT_SETTING_MISSING")
                .path("detail").asString()).contains("'namespace'");

        assertThat(api.get("/api/v1/deployments?limit=200", admin.accessToken()).json().path("items").size())
                .as("no deployment was made").isZero();
    }

    @Test
    void unknownInputsAndInvalidObjectsAreRefusedAtRequestTimeAndARefusalOfTheServerFailsTheRun() {
        String unknown = template(TemplateArchives.with().file("manifests/a.yaml", CONFIG_MAP.replace(
                "inputs.message", "inputs.colour")));
        assertThat(problem(deploy(unknown, obj("message", "hello")), 422, "KUBERNETES_MANIFEST_INVALID")
                .path("detail").asString()).contains("unknown input {{ inputs.colour }}");

        String invalid = template(TemplateArchives.with().file("manifests/a.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: "all of them"}
                """));
        assertThat(problem(deploy(invalid, obj("message", "hello")), 422, "KUBERNETES_MANIFEST_INVALID")
                .path("detail").asString()).contains("Service/web is not a valid object");

        // the CRUD mock validates nothing: a mock answering as an API server refusing an object does
        KubernetesMockServer refusing = new KubernetesMockServer(false);
        refusing.init();
        try {
            refusing.expect().patch().withPath("/api/v1/namespaces/team-a/configmaps/web-config?fieldManager=canopy"
                    + "&force=true").andReturn(422, new StatusBuilder().withCode(422).withStatus("Failure")
                            .withReason("Invalid").withMessage("ConfigMap \"web-config\" is invalid: data: Invalid "
                                    + "value").build()).always();
            String staging = provisioning.environment(admin, "staging");
            link(staging, refusing, "staging");
            Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "web-"
                    + UUID.randomUUID(), "template_id", template(TemplateArchives.with().file("manifests/a.yaml",
                            CONFIG_MAP)), "environment_id", staging, "inputs", obj("message", "hello", "port", 1)));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String runId = created.json().path("run").path("id").asString();
            JsonNode failed = provisioning.await(admin, runId, "failed");
            assertThat(failed.path("error").asString()).as(provisioning.log(admin, runId)).contains(
                    "ConfigMap/web-config", "HTTP 422", "ConfigMap \"web-config\" is invalid: data: Invalid value");
        }
        finally {
            refusing.destroy();
        }
        assertThat(cluster.configMaps().inAnyNamespace().list().getItems()).isEmpty();
    }

    @Test
    void aRunCancelledWhileApplyingEndsCanceledAndMakesNoObjectAfterTheCancelPoint() {
        HoldingDispatcher holding = new HoldingDispatcher("/api/v1/namespaces/team-a/configmaps/obj-012");
        KubernetesMockServer slow = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                holding, false);
        slow.init();
        try (KubernetesClient slowCluster = slow.createClient()) {
            String staging = provisioning.environment(admin, "staging");
            link(staging, slow, "staging");
            Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "many-"
                    + UUID.randomUUID(), "template_id", template(TemplateArchives.with().file("manifests/all.yaml",
                            configMaps(40))), "environment_id", staging, "inputs", obj("message", "hello")));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String runId = created.json().path("run").path("id").asString();
            assertThat(holding.awaitReached()).as("the driver reached obj-012").isTrue();

            Api.Response cancel = api.post("/api/v1/runs/" + runId + "/cancel", admin.accessToken(), null);
            assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
            assertThat(cancel.json().path("state").asString()).isEqualTo("cancel_requested");
            // the worker heard the cancel while obj-012 was on its way; then the server answers
            awaitLog(runId, "asked to stop");
            holding.release();

            JsonNode run = provisioning.await(admin, runId);
            assertThat(run.path("state").asString()).as(provisioning.log(admin, runId)).isEqualTo("canceled");
            List<String> made = slowCluster.configMaps().inNamespace("team-a").list().getItems().stream()
                    .map(c -> c.getMetadata().getName()).sorted().toList();
            assertThat(made).as("obj-000 to obj-012, the one being applied when the cancel came")
                    .hasSize(13).startsWith("obj-000").endsWith("obj-012");
            assertThat(provisioning.log(admin, runId)).contains("applied ConfigMap/obj-012")
                    .doesNotContain("applied ConfigMap/obj-013");
        }
        finally {
            holding.release();
            slow.destroy();
        }
    }

    @Test
    void anObjectTheServerRefusesFailsTheRunAtOnceWithItsMessageAndTheObjectsAfterItAreNotMade() {
        RefusingDispatcher refusing = new RefusingDispatcher("/api/v1/namespaces/team-a/configmaps/obj-002");
        KubernetesMockServer strict = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                refusing, false);
        strict.init();
        try (KubernetesClient strictCluster = strict.createClient()) {
            String staging = provisioning.environment(admin, "staging");
            link(staging, strict, "staging");
            Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "refused-"
                    + UUID.randomUUID(), "template_id", template(TemplateArchives.with().file("manifests/all.yaml",
                            configMaps(5))), "environment_id", staging, "inputs", obj("message", "hello")));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String runId = created.json().path("run").path("id").asString();
            JsonNode run = provisioning.await(admin, runId);
            String log = provisioning.log(admin, runId);
            assertThat(run.path("state").asString()).as(log).isEqualTo("failed");
            assertThat(run.path("error").asString()).contains("ConfigMap/obj-002", "HTTP 422",
                    "ConfigMap \"obj-002\" is invalid: data.message: Invalid value");
            assertThat(run.path("attempts").asInt()).as("a refusal is not retried").isEqualTo(1);
            assertThat(log).contains("attempt 1 of 3").doesNotContain("attempt 2 of 3");
            assertThat(strictCluster.configMaps().inNamespace("team-a").list().getItems().stream()
                    .map(c -> c.getMetadata().getName()).sorted()).containsExactly("obj-000", "obj-001");
        }
        finally {
            strict.destroy();
        }
    }

    @Test
    void anUnreachableApiServerIsRetriedThenTheRunGivesUp() {
        KubernetesMockServer gone = new KubernetesMockServer(false);
        gone.init();
        String staging = provisioning.environment(admin, "staging");
        link(staging, gone, "staging");
        gone.destroy(); // nothing listens on its port any more
        Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "gone-"
                + UUID.randomUUID(), "template_id", template(TemplateArchives.with().file("manifests/a.yaml",
                        CONFIG_MAP)), "environment_id", staging, "inputs", obj("message", "hello")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String runId = created.json().path("run").path("id").asString();
        JsonNode run = provisioning.await(admin, runId);
        String log = provisioning.log(admin, runId);
        assertThat(run.path("state").asString()).as(log).isEqualTo("dead_letter");
        assertThat(run.path("error").asString()).contains("gave up after 3 attempts", "cannot reach the API server");
        assertThat(log).contains("attempt 1 of 3", "attempt 2 of 3", "attempt 3 of 3");
    }

    /** {@code count} ConfigMaps obj-000, obj-001, ... in one multi-document file. */
    static String configMaps(int count) {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < count; i++) {
            yaml.append(CONFIG_MAP.replace("web-config", "obj-%03d".formatted(i))).append("---\n");
        }
        return yaml.toString();
    }

    private void awaitLog(String runId, String text) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!provisioning.log(admin, runId).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' in " + provisioning.log(admin, runId));
            }
            Provisioning.sleep(50);
        }
    }

    /** The CRUD mock, holding the apply of one object until the test lets it through. */
    static final class HoldingDispatcher extends KubernetesCrudDispatcher {

        private final String path;
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        HoldingDispatcher(String path) {
            this.path = path;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.getMethod().equals("PATCH") && request.getPath().startsWith(path + "?")) {
                reached.countDown();
                try {
                    // the mock serves one client here, the driver, which waits for this answer anyway
                    released.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.dispatch(request);
        }

        boolean awaitReached() {
            try {
                return reached.await(60, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        void release() {
            released.countDown();
        }
    }

    /** The CRUD mock, answering writes of one object as an API server refusing an invalid object does. */
    static final class RefusingDispatcher extends KubernetesCrudDispatcher {

        private final String path;

        RefusingDispatcher(String path) {
            this.path = path;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String name = path.substring(path.lastIndexOf('/') + 1);
            // the driver's apply patch: refused, it never goes on to a create
            if (request.getMethod().equals("PATCH") && request.getPath().startsWith(path + "?")) {
                return new MockResponse().setResponseCode(422).setHeader("Content-Type", "application/json")
                        .setBody(new KubernetesSerialization().asJson(new StatusBuilder().withCode(422)
                                .withStatus("Failure").withReason("Invalid").withMessage("ConfigMap \"" + name
                                        + "\" is invalid: data.message: Invalid value").build()));
            }
            return super.dispatch(request);
        }
    }

    @Test
    void anApprovedPlanTheClusterNoLongerMatchesWaitsForApprovalAgainAndTheEarlierApprovalNoLongerCounts() {
        String guarded = guardedEnvironment();
        String template = template(TemplateArchives.with().file("manifests/a.yaml", CONFIG_MAP));
        Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "web-"
                + UUID.randomUUID(), "template_id", template, "environment_id", guarded, "inputs",
                obj("message", "as approved")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String runId = created.json().path("run").path("id").asString();
        JsonNode waiting = provisioning.await(admin, runId, "awaiting_approval");
        assertThat(waiting.path("plan").findValuesAsString("action")).containsExactly("create");
        String approvedDigest = waiting.path("plan_digest").asString();

        // while the plan waits, someone makes the object by hand: the approved "create" is not what apply would do
        cluster.configMaps().inNamespace("team-a").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("web-config").endMetadata().addToData("message", "made by hand")
                .build()).create();
        Api.Response approved = api.post("/api/v1/runs/" + runId + "/approvals", admin.accessToken(),
                obj("decision", "approve"));
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
        assertThat(approved.json().path("state").asString()).isEqualTo("approved");

        JsonNode again = provisioning.await(admin, runId, "awaiting_approval");
        assertThat(provisioning.log(admin, runId)).contains("no longer the approved plan");
        assertThat(again.path("plan_digest").asString()).isNotEqualTo(approvedDigest);
        JsonNode change = again.path("plan").path(0);
        assertThat(change.path("action").asString()).isEqualTo("update");
        assertThat(change.path("before").path("data.message").asString()).isEqualTo("made by hand");
        assertThat(change.path("after").path("data.message").asString()).isEqualTo("as approved");
        assertThat(again.path("approvals").findValuesAsString("plan_digest")).containsExactly(approvedDigest);
        assertThat(cluster.configMaps().inNamespace("team-a").withName("web-config").get().getData())
                .as("nothing was applied").containsEntry("message", "made by hand");
        assertThat(api.get("/api/v1/approvals", admin.accessToken()).json().path("items").findValuesAsString("id"))
                .as("back in the approvers' inbox").contains(runId);

        // the earlier approval does not count for the new plan: the same approver decides again
        Api.Response second = api.post("/api/v1/runs/" + runId + "/approvals", admin.accessToken(),
                obj("decision", "approve"));
        assertThat(second.status()).as(second.toString()).isEqualTo(200);
        JsonNode done = provisioning.await(admin, runId);
        assertThat(done.path("state").asString()).as(provisioning.log(admin, runId)).isEqualTo("succeeded");
        assertThat(done.path("approvals").findValuesAsString("plan_digest")).containsExactly(approvedDigest,
                again.path("plan_digest").asString());
        assertThat(cluster.configMaps().inNamespace("team-a").withName("web-config").get().getData())
                .containsEntry("message", "as approved");
    }

    /** An environment on the mock server whose applies need one approval by a tenant admin (self-approval allowed). */
    private String guardedEnvironment() {
        String name = "guarded-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/environments", admin.accessToken(), obj("name", name, "protection",
                obj("required_approvals", 1, "approver_roles", List.of("tenant_admin"), "allow_self_approval",
                        true)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().path("id").asString();
        link(id, server, name);
        return id;
    }

    @Test
    void anApiServerOnAnAddressCanopyMayNotReachFailsTheRun() {
        Api.Response account = api.post("/api/v1/cloud-accounts", admin.accessToken(), obj("name", "metadata-"
                + UUID.randomUUID(), "provider", "kubernetes", "settings", obj("api_server", "http://169.254.169.254",
                        "namespace", "team-a"), "auth_type", "token", "credentials",
                obj("token", "canopy-test-token-0123456789"), "environments", List.of("staging")));
        assertThat(account.status()).as(account.toString()).isEqualTo(201);
        String staging = provisioning.environment(admin, "staging");
        assertThat(api.patch("/api/v1/environments/" + staging, admin.accessToken(), obj("cloud_account_id",
                account.json().path("id").asString(), "version", 0)).status()).isEqualTo(200);
        String template = template(TemplateArchives.with().file("manifests/a.yaml", CONFIG_MAP));
        Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "web-"
                + UUID.randomUUID(), "template_id", template, "environment_id", staging, "inputs",
                obj("message", "hello", "port", 8080)));
        JsonNode run = provisioning.await(admin, created.json().path("run").path("id").asString(), "failed");
        assertThat(run.path("error").asString()).contains("not one Canopy may connect to", "169.254.169.254");
    }

    @Test
    void aChangeBehindCanopysBackIsFoundDriftedAndAReapplyBringsItInSync() {
        JsonNode env = api.get("/api/v1/environments/" + development, admin.accessToken()).json();
        Api.Response checking = api.patch("/api/v1/environments/" + development, admin.accessToken(), obj(
                "drift_check", "PT1S", "version", env.path("version").asLong()));
        assertThat(checking.status()).as(checking.toString()).isEqualTo(200);
        assertThat(checking.json().path("drift_check").asString()).isEqualTo("PT1S");
        String template = template(TemplateArchives.with().file("manifests/10-config.yaml", CONFIG_MAP));
        Api.Response created = deploy(template, obj("message", "as deployed", "port", 8080));
        String deployment = created.json().path("id").asString();
        String apply = created.json().path("run").path("id").asString();
        assertThat(provisioning.await(admin, apply).path("state").asString()).isEqualTo("succeeded");
        JsonNode checked = awaitDrift(deployment, "in_sync", null);
        assertThat(checked.path("drift_checked_at").isNull()).isFalse();

        cluster.configMaps().inNamespace("team-a").withName("web-config").edit(c -> {
            c.getData().put("message", "changed by hand");
            return c;
        });
        JsonNode drifted = awaitDrift(deployment, "drifted", checked.path("drift_checked_at").asString());
        JsonNode change = drifted.path("drift_changes").path(0);
        assertThat(change.path("action").asString()).isEqualTo("update");
        assertThat(change.path("address").asString()).contains("ConfigMap/web-config");
        assertThat(change.toString()).contains("changed by hand", "as deployed");
        assertThat(api.get("/api/v1/deployments?drift=drifted", admin.accessToken()).json().path("items")
                .findValuesAsString("id")).contains(deployment);
        assertThat(api.get("/api/v1/audit-events?limit=200", admin.accessToken()).json().path("items")
                .findValuesAsString("action")).contains("deployment.drifted");
        JsonNode runs = api.get("/api/v1/deployments/" + deployment + "/runs?limit=200", admin.accessToken()).json();
        assertThat(runs.path("items").findValuesAsString("requested_by_email")).contains("system:drift");

        Api.Response reapply = api.post("/api/v1/runs/" + apply + "/replay", admin.accessToken(), null);
        assertThat(reapply.status()).as(reapply.toString()).isEqualTo(202);
        String again = reapply.json().path("id").asString();
        assertThat(provisioning.await(admin, again).path("state").asString()).as(provisioning.log(admin, again))
                .isEqualTo("succeeded");
        assertThat(cluster.configMaps().inNamespace("team-a").withName("web-config").get().getData())
                .containsEntry("message", "as deployed");
        JsonNode after = api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json();
        assertThat(after.path("drift_status").asString()).isEqualTo("in_sync");
        awaitDrift(deployment, "in_sync", after.path("drift_checked_at").asString());
        assertProblem(api.get("/api/v1/deployments?drift=sideways", admin.accessToken()), 400, "VALIDATION_FAILED");
    }

    /** The deployment once a check after {@code since} (any, when null) found it so. */
    private JsonNode awaitDrift(String deployment, String status, String since) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode d = null;
        while (System.nanoTime() < deadline) {
            d = api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json();
            boolean later = since == null || (!d.path("drift_checked_at").isNull()
                    && d.path("drift_checked_at").asString().compareTo(since) > 0);
            if (later && status.equals(d.path("drift_status").asString())) {
                return d;
            }
            Provisioning.sleep(200);
        }
        throw new AssertionError("never " + status + ": " + d);
    }

    @Test
    void theDriversAreListedWithTheirAvailability() {
        Session member = fixtures.userIn(fixtures.tenant(), "member");
        Api.Response drivers = api.get("/api/v1/drivers", member.accessToken());
        assertThat(drivers.status()).as(drivers.toString()).isEqualTo(200);
        JsonNode kubernetes = null;
        for (JsonNode d : drivers.json().path("items")) {
            if (d.path("key").asString().equals("kubernetes")) {
                kubernetes = d;
            }
        }
        assertThat(drivers.json().path("items").findValuesAsString("key")).contains("ansible", "kubernetes");
        assertThat(kubernetes.path("available").asBoolean()).isTrue();
        assertThat(drivers.json().path("items").path(0).path("available").asBoolean()).as(drivers.toString())
                .isTrue();
        assertThat(api.get("/api/v1/drivers", null).status()).isEqualTo(401);
    }

    private JsonNode failedRun(String template) {
        Api.Response created = deploy(template, obj("message", "hello", "port", 8080));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String runId = created.json().path("run").path("id").asString();
        JsonNode run = provisioning.await(admin, runId, "failed");
        assertThat(run.path("state").asString()).isEqualTo("failed");
        return run;
    }

    private String template(TemplateArchives archive) {
        Api.Response created = api.post("/api/v1/templates", admin.accessToken(), obj("name", "Web "
                + UUID.randomUUID(), "description", "A web app on Kubernetes", "driver", "kubernetes"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().path("id").asString();
        Api.Response published = api.upload("/api/v1/templates/" + id + "/versions", admin.accessToken(), "file",
                "template.zip", archive.manifest(TemplateArchives.manifest("1.0.0", "kubernetes", INPUTS)).zip());
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        return id;
    }

    private static JsonNode problem(Api.Response response, int status, String code) {
        assertProblem(response, status, code);
        return response.json();
    }

    private Api.Response deployInto(String template, String environment) {
        return api.post("/api/v1/deployments", admin.accessToken(), obj("name", "web-" + UUID.randomUUID(),
                "template_id", template, "environment_id", environment, "inputs", obj("message", "hello")));
    }

    private String environment(String name) {
        Api.Response created = api.post("/api/v1/environments", admin.accessToken(), obj("name", name));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    private Api.Response deploy(String template, Map<String, Object> inputs) {
        return api.post("/api/v1/deployments", admin.accessToken(), obj("name", "web-" + UUID.randomUUID(),
                "template_id", template, "environment_id", development, "inputs", inputs));
    }
}
