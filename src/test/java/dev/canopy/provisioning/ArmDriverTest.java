package dev.canopy.provisioning;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.CloudProviders;
import dev.canopy.support.FakeResourceManager;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.TemplateArchives;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Templates of the ARM driver against {@link FakeResourceManager}, a local Azure Resource Manager with the REST
 * reference's shapes whose tokens come from the local Entra token endpoint: the effects are its recorded calls and
 * the resources it keeps.
 */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class ArmDriverTest extends ApiTest {

    static final String INPUTS = """
            type: object
            required: [storageName, adminPassword]
            properties:
              storageName: {type: string}
              sku: {type: string, default: Standard_LRS}
              adminPassword: {type: string, writeOnly: true}
              note: {type: string}
            """;

    static final String TEMPLATE = """
            {
              "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
              "contentVersion": "1.0.0.0",
              "parameters": {
                "storageName": {"type": "string"},
                "sku": {"type": "string", "allowedValues": ["Standard_LRS", "Standard_GRS", "Premium_LRS"]},
                "adminPassword": {"type": "securestring"},
                "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
                "tlsVersion": {"type": "string"}
              },
              "resources": [
                {
                  "type": "Microsoft.Storage/storageAccounts",
                  "apiVersion": "2023-01-01",
                  "name": "[parameters('storageName')]",
                  "location": "[parameters('location')]",
                  "sku": {"name": "[parameters('sku')]"},
                  "kind": "StorageV2",
                  "properties": {"minimumTlsVersion": "[parameters('tlsVersion')]"}
                },
                {
                  "type": "Microsoft.Sql/servers",
                  "apiVersion": "2022-05-01-preview",
                  "name": "[concat(parameters('storageName'), '-sql')]",
                  "location": "[parameters('location')]",
                  "properties": {"administratorLogin": "canopy", "administratorLoginPassword": "[parameters('adminPassword')]"}
                }
              ],
              "outputs": {
                "blobEndpoint": {
                  "type": "string",
                  "value": "[reference(resourceId('Microsoft.Storage/storageAccounts', parameters('storageName'))).primaryEndpoints.blob]"
                },
                "sqlServerId": {"type": "string", "value": "[resourceId('Microsoft.Sql/servers', concat(parameters('storageName'), '-sql'))]"},
                "password": {"type": "securestring", "value": "[parameters('adminPassword')]"}
              }
            }
            """;

    static final String PARAMETERS = """
            {
              "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
              "contentVersion": "1.0.0.0",
              "parameters": {"tlsVersion": {"value": "TLS1_2"}, "sku": {"value": "Standard_GRS"}}
            }
            """;

    static final String GROUP = "rg-canopy";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    final FakeResourceManager arm = CloudProviders.instance().arm();
    Provisioning provisioning;
    Session admin;
    String development;
    String subscription;
    String clientId;

    @BeforeEach
    void setUp() {
        provisioning = new Provisioning(api);
        admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        development = provisioning.environment(admin, "development");
        subscription = UUID.randomUUID().toString();
        clientId = UUID.randomUUID().toString();
        arm.resourceGroup(subscription, GROUP, "westeurope");
        link(development, "development", subscription, GROUP, clientId, "s3cr3t~" + UUID.randomUUID(), true);
    }

    /** An azure account (service principal the token endpoint accepts unless told not to) used by the environment. */
    private void link(String environmentId, String environment, String subscriptionId, String group, String client,
            String secret, boolean accepted) {
        if (accepted) {
            CloudProviders.instance().acceptAzure(client, secret);
        }
        Map<String, Object> settings = group == null ? obj("subscription_id", subscriptionId)
                : obj("subscription_id", subscriptionId, "resource_group", group);
        Api.Response account = api.post("/api/v1/cloud-accounts", admin.accessToken(), obj("name", "azure-"
                + UUID.randomUUID(), "provider", "azure", "settings", settings, "auth_type", "service_principal", "credentials", obj("tenant_id",
                                UUID.randomUUID().toString(), "client_id", client, "client_secret", secret),
                "environments", List.of(environment)));
        assertThat(account.status()).as(account.toString()).isEqualTo(201);
        JsonNode env = api.get("/api/v1/environments/" + environmentId, admin.accessToken()).json();
        Api.Response linked = api.patch("/api/v1/environments/" + environmentId, admin.accessToken(), obj(
                "cloud_account_id", account.json().path("id").asString(), "version", env.path("version").asLong()));
        assertThat(linked.status()).as(linked.toString()).isEqualTo(200);
    }

    @Test
    void applyDeploysTheTemplateWithTheInputsAsParametersPlanComparesAndDestroyDeletesWhatItMade() {
        String template = template(TemplateArchives.with().file("azuredeploy.json", TEMPLATE)
                .file("azuredeploy.parameters.json", PARAMETERS));
        String name = "canopy" + Long.toString(System.nanoTime() % 1_000_000_000L);
        String password = "P@ss-" + UUID.randomUUID();
        Api.Response created = deploy(template, obj("storageName", name, "adminPassword", password, "note", "hi"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String deployment = created.json().path("id").asString();
        String runId = created.json().path("run").path("id").asString();
        JsonNode run = provisioning.await(admin, runId);
        String log = provisioning.log(admin, runId);
        assertThat(run.path("state").asString()).as(log).isEqualTo("succeeded");

        String storageId = "/subscriptions/" + subscription + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.Storage/storageAccounts/" + name;
        String sqlId = "/subscriptions/" + subscription + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.Sql/servers/" + name + "-sql";
        assertThat(arm.resourceIds(subscription)).containsExactlyInAnyOrder(storageId, sqlId);
        JsonNode storage = arm.resource(storageId).orElseThrow();
        assertThat(storage.path("sku").path("name").asString()).as("the input over the parameters file")
                .isEqualTo("Standard_LRS");
        assertThat(storage.path("properties").path("minimumTlsVersion").asString()).isEqualTo("TLS1_2");
        assertThat(storage.path("location").asString()).isEqualTo("westeurope");

        // the plan is What-If's, normalised
        assertThat(run.path("plan").findValuesAsString("action")).containsExactly("create", "create");
        assertThat(run.path("plan").findValuesAsString("address")).containsExactly(
                "Microsoft.Storage/storageAccounts/" + name, "Microsoft.Sql/servers/" + name + "-sql");

        String deploymentPath = "/subscriptions/" + subscription + "/resourcegroups/" + GROUP
                + "/providers/Microsoft.Resources/deployments/canopy-" + deployment;
        List<FakeResourceManager.Call> calls = arm.calls(subscription);
        assertThat(calls).extracting(c -> c.method() + " " + c.path()).contains("POST " + deploymentPath
                + "/whatIf", "PUT " + deploymentPath);
        FakeResourceManager.Call put = calls.stream().filter(c -> c.method().equals("PUT")).findFirst().orElseThrow();
        assertThat(put.query()).isEqualTo("api-version=2021-04-01");
        JsonNode body = put.json();
        assertThat(body.path("properties").path("template")).isEqualTo(JSON.readTree(TEMPLATE));
        assertThat(body.path("properties").path("mode").asString()).isEqualTo("Incremental");
        JsonNode parameters = body.path("properties").path("parameters");
        assertThat(parameters.propertyNames()).containsExactlyInAnyOrder("storageName", "sku", "adminPassword",
                "tlsVersion");
        assertThat(parameters.path("adminPassword").path("value").asString()).isEqualTo(password);
        assertThat(parameters.path("storageName").path("value").asString()).isEqualTo(name);
        assertThat(body.path("tags").path("canopy-deployment").asString()).isEqualTo(deployment);
        for (FakeResourceManager.Call call : calls) {
            assertThat(call.authorization()).startsWith("Bearer ");
            assertThat(CloudProviders.instance().azureTokenHolder(call.authorization().substring(7)))
                    .as("a token of the account's service principal").isEqualTo(clientId);
        }

        JsonNode deployed = api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json();
        assertThat(deployed.path("status").asString()).isEqualTo("active");
        assertThat(deployed.path("outputs").path("blobEndpoint").asString())
                .isEqualTo("https://" + name + ".blob.core.windows.net/");
        assertThat(deployed.path("outputs").path("sqlServerId").asString()).isEqualTo(sqlId);
        assertThat(deployed.path("outputs").has("password")).as("secure outputs have no value").isFalse();
        assertThat(log).contains("deployed Microsoft.Storage/storageAccounts/" + name,
                "input note is not a parameter of azuredeploy.json");
        assertThat(log + run + deployed).doesNotContain(password);

        // nothing changed: What-If says so
        JsonNode same = plan(deployment);
        assertThat(same.path("plan").findValuesAsString("action")).as(same.path("plan").toString())
                .containsExactly("no-op", "no-op");
        assertThat(api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("drift_status")
                .asString()).isEqualTo("in_sync");

        // someone lowers the TLS version in the portal
        arm.edit(storageId, "minimumTlsVersion", "TLS1_0");
        JsonNode drifted = plan(deployment);
        JsonNode change = drifted.path("plan").path(0);
        assertThat(change.path("action").asString()).as(drifted.path("plan").toString()).isEqualTo("update");
        assertThat(change.path("before").path("properties.minimumTlsVersion").asString()).isEqualTo("TLS1_0");
        assertThat(change.path("after").path("properties.minimumTlsVersion").asString()).isEqualTo("TLS1_2");
        assertThat(drifted.path("plan").path(1).path("action").asString()).isEqualTo("no-op");
        assertThat(api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("drift_status")
                .asString()).as("a plan that would change something finds the deployment drifted").isEqualTo("drifted");
        assertThat(drifted.toString() + provisioning.log(admin, drifted.path("id").asString()))
                .doesNotContain(password);

        Api.Response destroy = api.delete("/api/v1/deployments/" + deployment, admin.accessToken());
        assertThat(destroy.status()).as(destroy.toString()).isEqualTo(202);
        String destroyId = destroy.json().path("id").asString();
        JsonNode destroyed = provisioning.await(admin, destroyId);
        assertThat(destroyed.path("state").asString()).as(provisioning.log(admin, destroyId)).isEqualTo("succeeded");
        assertThat(arm.resourceIds(subscription)).isEmpty();
        assertThat(arm.deploymentExists(subscription, GROUP, "canopy-" + deployment)).isFalse();
        List<String> deletes = arm.calls(subscription).stream().filter(c -> c.method().equals("DELETE"))
                .map(c -> c.path() + "?" + c.query()).toList();
        assertThat(deletes).containsExactly(sqlId + "?api-version=2022-05-01-preview",
                storageId + "?api-version=2023-01-01", deploymentPath + "?api-version=2021-04-01");
        assertThat(provisioning.log(admin, destroyId)).contains("deleted Microsoft.Sql/servers/" + name + "-sql",
                "deleted Microsoft.Storage/storageAccounts/" + name, "deleted the deployment record");
    }

    @Test
    void cancelAsksArmToCancelTheRunningDeploymentAndTheRunEndsCanceled() {
        arm.hold(subscription);
        String template = template(TemplateArchives.with().file("azuredeploy.json", TEMPLATE)
                .file("azuredeploy.parameters.json", PARAMETERS));
        Api.Response created = deploy(template, obj("storageName", "canopyheld", "adminPassword", "x-12345678"));
        String runId = created.json().path("run").path("id").asString();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (arm.calls(subscription).stream().noneMatch(c -> c.method().equals("PUT"))) {
            assertThat(System.nanoTime()).as("the deployment was sent").isLessThan(deadline);
            Provisioning.sleep(50);
        }
        Provisioning.sleep(300); // it polls the running deployment
        Api.Response cancel = api.post("/api/v1/runs/" + runId + "/cancel", admin.accessToken(), null);
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
        JsonNode run = provisioning.await(admin, runId, "canceled");
        assertThat(run.path("state").asString()).isEqualTo("canceled");
        String path = "/subscriptions/" + subscription + "/resourcegroups/" + GROUP
                + "/providers/Microsoft.Resources/deployments/canopy-" + created.json().path("id").asString();
        assertThat(arm.calls(subscription)).extracting(c -> c.method() + " " + c.path())
                .contains("POST " + path + "/cancel");
        assertThat(provisioning.log(admin, runId)).contains("asked ARM to cancel", "is Canceled");
        assertThat(arm.resourceIds(subscription)).isEmpty();
        arm.release(subscription);
    }

    @Test
    void armErrorsFailTheRunWithArmsMessageAndPassingTroubleIsRetried() {
        // a value ARM's validation refuses: the run fails with ARM's message and nothing is deployed
        String good = template(TemplateArchives.with().file("azuredeploy.json", TEMPLATE)
                .file("azuredeploy.parameters.json", PARAMETERS));
        JsonNode refused = failedRun(good, obj("storageName", "canopyfail", "adminPassword", "x-12345678", "sku",
                "Cheapest"));
        assertThat(refused.path("error").asString()).contains("HTTP 400", "InvalidTemplate",
                "The provided value 'Cheapest' for the template parameter 'sku'", "Standard_LRS,Standard_GRS");
        assertThat(arm.calls(subscription)).noneMatch(c -> c.method().equals("PUT"));

        // a deployment ARM accepts and then fails: its details are the run's error, and it is not retried
        JsonNode failed = failedRun(good, "Not_A_Storage_Name");
        assertThat(failed.path("error").asString()).contains("ended Failed", "DeploymentFailed",
                "AccountNameInvalid", "Not_A_Storage_Name is not a valid storage account name");
        assertThat(arm.calls(subscription).stream().filter(c -> c.method().equals("PUT"))).hasSize(1);
        assertThat(arm.resourceIds(subscription)).isEmpty();

        // ARM unavailable for a moment: the attempt fails retryably and the next one deploys
        arm.failNext(subscription, 503, 429);
        Api.Response created = deploy(good, obj("storageName", "canopyretry", "adminPassword", "x-12345678"));
        String runId = created.json().path("run").path("id").asString();
        JsonNode run = provisioning.await(admin, runId);
        String log = provisioning.log(admin, runId);
        assertThat(run.path("state").asString()).as(log).isEqualTo("succeeded");
        assertThat(log).contains("HTTP 503", "ServiceUnavailable", "HTTP 429", "attempt 3 of 3");
        assertThat(arm.resourceIds(subscription)).hasSize(2);
    }

    @Test
    void aServicePrincipalEntraRefusesFailsTheRunWithEntrasAnswer() {
        String staging = provisioning.environment(admin, "staging");
        String other = UUID.randomUUID().toString();
        arm.resourceGroup(other, GROUP, "westeurope");
        String secret = "wrong~" + UUID.randomUUID();
        link(staging, "staging", other, GROUP, UUID.randomUUID().toString(), secret, false);
        String template = template(TemplateArchives.with().file("azuredeploy.json", TEMPLATE)
                .file("azuredeploy.parameters.json", PARAMETERS));
        Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "arm-"
                + UUID.randomUUID(), "template_id", template, "environment_id", staging, "inputs", obj(
                        "storageName", "canopyrefused", "adminPassword", "x-12345678")));
        String runId = created.json().path("run").path("id").asString();
        JsonNode run = provisioning.await(admin, runId, "failed");
        assertThat(run.path("error").asString()).contains("Microsoft Entra ID refused", "HTTP 401",
                "invalid_client", "AADSTS7000215");
        assertThat(arm.calls(other)).isEmpty();
        assertThat(provisioning.log(admin, runId) + run).doesNotContain(secret);
    }

    @Test
    void aSubscriptionTemplateMakesAResourceGroupAndDestroyDeletesIt() {
        String staging = provisioning.environment(admin, "staging");
        String other = UUID.randomUUID().toString();
        link(staging, "staging", other, null, clientId, "s3cr3t~" + UUID.randomUUID(), true);
        String groupName = "rg-made-" + UUID.randomUUID().toString().substring(0, 8);
        String id = publish(TemplateArchives.with().file("azuredeploy.json", SUBSCRIPTION_TEMPLATE),
                "type: object\nproperties:\n  groupName: {type: string}\n",
                "x-arm: {scope: subscription, location: northeurope}\n");
        Api.Response created = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "arm-"
                + UUID.randomUUID(), "template_id", id, "environment_id", staging, "inputs", obj("groupName",
                        groupName)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String deployment = created.json().path("id").asString();
        String runId = created.json().path("run").path("id").asString();
        assertThat(provisioning.await(admin, runId).path("state").asString()).as(provisioning.log(admin, runId))
                .isEqualTo("succeeded");
        String groupId = "/subscriptions/" + other + "/resourceGroups/" + groupName;
        assertThat(arm.resourceIds(other)).containsExactly(groupId);
        FakeResourceManager.Call put = arm.calls(other).stream().filter(c -> c.method().equals("PUT")).findFirst()
                .orElseThrow();
        assertThat(put.path()).isEqualTo("/subscriptions/" + other
                + "/providers/Microsoft.Resources/deployments/canopy-" + deployment);
        assertThat(put.json().path("location").asString()).isEqualTo("northeurope");
        assertThat(api.get("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("outputs")
                .path("groupId").asString()).isEqualTo(groupId);

        String destroyId = api.delete("/api/v1/deployments/" + deployment, admin.accessToken()).json().path("id")
                .asString();
        assertThat(provisioning.await(admin, destroyId).path("state").asString())
                .as(provisioning.log(admin, destroyId)).isEqualTo("succeeded");
        assertThat(arm.resourceIds(other)).isEmpty();
        assertThat(arm.calls(other)).extracting(c -> c.method() + " " + c.path() + "?" + c.query())
                .contains("DELETE " + groupId + "?api-version=2022-09-01");

        // an account limited to a resource group does not deploy at the subscription, nor into another group
        JsonNode refused = failedRun(publish(TemplateArchives.with().file("azuredeploy.json",
                SUBSCRIPTION_TEMPLATE), "type: object\nproperties:\n  groupName: {type: string}\n",
                "x-arm: {scope: subscription, location: northeurope}\n"), obj("groupName", "rg-x"));
        assertThat(refused.path("error").asString()).contains("deploys at the subscription", GROUP);
        JsonNode elsewhere = failedRun(publish(TemplateArchives.with().file("azuredeploy.json", TEMPLATE)
                .file("azuredeploy.parameters.json", PARAMETERS), INPUTS, "x-arm: {resource_group: rg-other}\n"),
                obj("storageName", "canopyother", "adminPassword", "x-12345678"));
        assertThat(elsewhere.path("error").asString()).contains("names the resource group rg-other",
                "only deploys into " + GROUP);
        assertThat(arm.calls(subscription)).isEmpty();
    }

    static final String SUBSCRIPTION_TEMPLATE = """
            {
              "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
              "contentVersion": "1.0.0.0",
              "parameters": {"groupName": {"type": "string"}},
              "resources": [
                {"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2022-09-01",
                 "name": "[parameters('groupName')]", "location": "northeurope", "tags": {"team": "a"}}
              ],
              "outputs": {
                "groupId": {"type": "string", "value": "[resourceId('Microsoft.Resources/resourceGroups', parameters('groupName'))]"}
              }
            }
            """;

    @Test
    void templatesThatAreNotArmTemplatesAreRefusedAtUpload() {
        String id = api.post("/api/v1/templates", admin.accessToken(), obj("name", "Storage " + UUID.randomUUID(),
                "description", "Storage on Azure", "driver", "arm")).json().path("id").asString();
        Map<String, TemplateArchives> bad = Map.of(
                "not JSON", TemplateArchives.with().file("azuredeploy.json", "{\"$schema\": \"x\", resources: ["),
                "no $schema", TemplateArchives.with().file("azuredeploy.json", "{\"resources\": []}"),
                "no resources", TemplateArchives.with().file("azuredeploy.json", "{\"$schema\": \"x\"}"),
                "a list", TemplateArchives.with().file("azuredeploy.json", "[]"),
                "duplicate keys", TemplateArchives.with().file("azuredeploy.json",
                        "{\"$schema\": \"x\", \"resources\": [], \"resources\": []}"),
                "no template", TemplateArchives.with().file("template.json", TEMPLATE),
                "parameters not an object", TemplateArchives.with().file("azuredeploy.json", TEMPLATE)
                        .file("azuredeploy.parameters.json", "{\"parameters\": []}"),
                "a parameter nothing fills", TemplateArchives.with().file("azuredeploy.json", TEMPLATE.replace(
                        "\"tlsVersion\": {\"type\": \"string\"}", "\"tlsVersion\": {\"type\": \"string\"}, "
                                + "\"tier\": {\"type\": \"string\"}")).file("azuredeploy.parameters.json", PARAMETERS));
        for (var e : bad.entrySet()) {
            Api.Response refused = api.upload("/api/v1/templates/" + id + "/versions", admin.accessToken(), "file",
                    "template.zip", e.getValue().manifest(TemplateArchives.manifest("1.0.0", "arm", INPUTS)).zip());
            assertProblem(refused, 400, "ARM_TEMPLATE_INVALID");
            assertThat(refused.json().path("errors").isArray()).as(e.getKey()).isTrue();
            if (e.getKey().equals("a parameter nothing fills")) {
                assertThat(refused.json().path("errors").findValuesAsString("field"))
                        .containsExactly("azuredeploy.json.parameters.tier");
            }
        }
        for (String arm : List.of("x-arm: {scope: tenant}", "x-arm: {resource_group: \"a/b\"}",
                "x-arm: {scope: subscription}", "x-arm: {colour: blue}", "x-arm: [1]")) {
            Api.Response refused = api.upload("/api/v1/templates/" + id + "/versions", admin.accessToken(), "file",
                    "template.zip", TemplateArchives.with().file("azuredeploy.json", TEMPLATE).manifest(
                            TemplateArchives.manifest("1.0.0", "arm", INPUTS) + arm + "\n").zip());
            assertProblem(refused, 400, "ARM_TEMPLATE_INVALID");
            assertThat(refused.json().path("errors").findValuesAsString("field")).as(arm)
                    .allMatch(f -> f.startsWith("x-arm"));
        }
        Api.Response fine = api.upload("/api/v1/templates/" + id + "/versions", admin.accessToken(), "file",
                "template.zip", TemplateArchives.with().file("azuredeploy.json", TEMPLATE).file(
                        "azuredeploy.parameters.json", PARAMETERS).manifest(TemplateArchives.manifest("1.0.0", "arm",
                                INPUTS) + "x-arm: {resource_group: rg-1}\n").zip());
        assertThat(fine.status()).as(fine.toString()).isEqualTo(201);
    }

    @Test
    void anEnvironmentWithoutAnAzureAccountIsRefusedWhenTheDeploymentIsRequested() {
        String template = template(TemplateArchives.with().file("azuredeploy.json", TEMPLATE)
                .file("azuredeploy.parameters.json", PARAMETERS));
        Map<String, Object> inputs = obj("storageName", "canopynone", "adminPassword", "x-12345678");
        String production = provisioning.environment(admin, "production");
        Api.Response none = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "arm-"
                + UUID.randomUUID(), "template_id", template, "environment_id", production, "inputs", inputs));
        assertProblem(none, 422, "CLOUD_ACCOUNT_REQUIRED");
        assertThat(none.json().path("detail").asString()).contains("arm", "azure", "has none");

        Api.Response cluster = api.post("/api/v1/cloud-accounts", admin.accessToken(), obj("name", "cluster-"
                + UUID.randomUUID(), "provider", "kubernetes", "settings", obj("api_server", "https://k8s.example",
                        "namespace", "team-a"), "auth_type", "token", "credentials", obj("token",
                                "canopy-test-token-0123456789"), "environments", List.of("staging")));
        String staging = provisioning.environment(admin, "staging");
        JsonNode env = api.get("/api/v1/environments/" + staging, admin.accessToken()).json();
        assertThat(api.patch("/api/v1/environments/" + staging, admin.accessToken(), obj("cloud_account_id",
                cluster.json().path("id").asString(), "version", env.path("version").asLong())).status())
                .isEqualTo(200);
        Api.Response kubernetes = api.post("/api/v1/deployments", admin.accessToken(), obj("name", "arm-"
                + UUID.randomUUID(), "template_id", template, "environment_id", staging, "inputs", inputs));
        assertProblem(kubernetes, 422, "CLOUD_ACCOUNT_PROVIDER_MISMATCH");
        assertThat(kubernetes.json().path("detail").asString()).contains("uses the kubernetes account");
        assertThat(api.get("/api/v1/deployments?limit=200", admin.accessToken()).json().path("items")
                .findValuesAsString("template_id")).doesNotContain(template);
    }

    @Test
    void anAzureAccountsResourceGroupMustBeAResourceGroupName() {
        for (String group : List.of("a/b", "x".repeat(91), "", "rg?x")) {
            Api.Response refused = api.post("/api/v1/cloud-accounts", admin.accessToken(), obj("name", "azure-"
                    + UUID.randomUUID(), "provider", "azure", "settings", obj("subscription_id", subscription,
                            "resource_group", group), "auth_type", "service_principal", "credentials", obj(
                                    "tenant_id", UUID.randomUUID().toString(), "client_id", clientId,
                                    "client_secret", "s3cr3t"), "environments", List.of("development")));
            assertProblem(refused, 400, "VALIDATION_FAILED");
            assertThat(refused.json().path("errors").findValuesAsString("field")).as(group)
                    .containsExactly("settings.resource_group");
        }
        Api.Response wrongType = api.post("/api/v1/cloud-accounts", admin.accessToken(), obj("name", "azure-"
                + UUID.randomUUID(), "provider", "azure", "settings", obj("subscription_id", subscription,
                        "resource_group", 7), "auth_type", "service_principal", "credentials", obj("tenant_id",
                                UUID.randomUUID().toString(), "client_id", clientId, "client_secret", "s3cr3t"),
                "environments", List.of("development")));
        assertThat(wrongType.status()).as(wrongType.toString()).isEqualTo(400);
    }

    @Test
    void theArmDriverIsListedAsAvailable() {
        Api.Response drivers = api.get("/api/v1/drivers", fixtures.userIn(fixtures.tenant(), "member")
                .accessToken());
        assertThat(drivers.status()).as(drivers.toString()).isEqualTo(200);
        JsonNode arm = null;
        for (JsonNode d : drivers.json().path("items")) {
            if (d.path("key").asString().equals("arm")) {
                arm = d;
            }
        }
        assertThat(arm).as(drivers.toString()).isNotNull();
        assertThat(arm.path("available").asBoolean()).isTrue();
        assertThat(arm.path("detail").asString()).contains("Azure Resource Manager", "azure cloud account");
    }

    private JsonNode plan(String deployment) {
        Api.Response preview = api.post("/api/v1/deployments/" + deployment + "/plan", admin.accessToken(), null);
        assertThat(preview.status()).as(preview.toString()).isEqualTo(202);
        String id = preview.json().path("id").asString();
        JsonNode planned = provisioning.await(admin, id);
        assertThat(planned.path("state").asString()).as(provisioning.log(admin, id)).isEqualTo("succeeded");
        return planned;
    }

    private JsonNode failedRun(String template, String storageName) {
        return failedRun(template, obj("storageName", storageName, "adminPassword", "x-12345678"));
    }

    private JsonNode failedRun(String template, Map<String, Object> inputs) {
        Api.Response created = deploy(template, inputs);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String runId = created.json().path("run").path("id").asString();
        return provisioning.await(admin, runId, "failed");
    }

    private String template(TemplateArchives archive) {
        return publish(archive, INPUTS, "");
    }

    private String publish(TemplateArchives archive, String inputs, String extra) {
        Api.Response created = api.post("/api/v1/templates", admin.accessToken(), obj("name", "Storage "
                + UUID.randomUUID(), "description", "Storage on Azure", "driver", "arm"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().path("id").asString();
        Api.Response published = api.upload("/api/v1/templates/" + id + "/versions", admin.accessToken(), "file",
                "template.zip", archive.manifest(TemplateArchives.manifest("1.0.0", "arm", inputs) + extra).zip());
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        return id;
    }

    private Api.Response deploy(String template, Map<String, Object> inputs) {
        return api.post("/api/v1/deployments", admin.accessToken(), obj("name", "arm-" + UUID.randomUUID(),
                "template_id", template, "environment_id", development, "inputs", inputs));
    }
}
