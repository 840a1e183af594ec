package dev.canopy.provisioning.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;

import dev.canopy.cloud.CloudAccountCredentials;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Deploys a version's ARM template ({@code azuredeploy.json}, parameters from {@code azuredeploy.parameters.json}
 * and the inputs) with the Azure Resource Manager REST API, as the environment's azure cloud account's service
 * principal.
 * <p>
 * Scope: the account's {@code resource_group} setting, else the manifest's {@code x-arm.resource_group}; a manifest
 * with {@code x-arm.scope: subscription} (and {@code x-arm.location}) deploys at the subscription. The ARM
 * deployment is named {@code canopy-<deployment id>}, so every run of a deployment is the same ARM deployment. Plan
 * is What-If, apply a PUT of the deployment polled to its end (outputs from its {@code properties.outputs}), cancel
 * ARM's cancel, destroy deletes the deployment's {@code outputResources} in reverse order and then its record.
 */
@Component
class ArmDriver implements ProvisioningDriver {

    static final String TEMPLATE = "azuredeploy.json";
    static final String PARAMETERS = "azuredeploy.parameters.json";
    static final String MANIFEST = "canopy.yaml";
    private static final String DEPLOYMENTS = "/providers/Microsoft.Resources/deployments/";
    private static final Pattern NAME = Pattern.compile("[-\\w._()]{1,90}");
    private static final Pattern LOCATION = Pattern.compile("[a-zA-Z0-9]{1,40}");
    private static final Set<String> FINAL = Set.of("succeeded", "failed", "canceled");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final JsonNode NULL = JsonNodeFactory.instance.nullNode();

    private final CloudAccountCredentials accounts;
    private final URI login;
    private final URI endpoint;
    private final Duration interval;
    private final Duration timeout;

    ArmDriver(CloudAccountCredentials accounts,
            @Value("${canopy.cloud.azure.login-endpoint:https://login.microsoftonline.com}") String login,
            @Value("${canopy.drivers.arm.endpoint:https://management.azure.com}") String endpoint,
            @Value("${canopy.drivers.arm.poll-interval:5s}") String interval,
            @Value("${canopy.drivers.arm.timeout:3h}") String timeout) {
        this.interval = DurationStyle.detectAndParse(interval);
        this.accounts = accounts;
        this.login = URI.create(login);
        this.endpoint = URI.create(endpoint);
        this.timeout = DurationStyle.detectAndParse(timeout);
    }

    @Override
    public String key() {
        return "arm";
    }

    @Override
    public Availability availability() {
        // it only speaks HTTP; whether Azure takes the run depends on the environment's account
        return new Availability(true, "HTTP to Azure Resource Manager (" + ArmClient.base(endpoint)
                + "); needs an azure cloud account (service principal) and a resource group");
    }

    @Override
    public DriverResult plan(DriverRun run) {
        Target target = Target.read(run);
        ArmClient arm = client(run);
        run.log().info("what-if of " + target.name() + " at " + target.describe());
        ArmClient.Answer answer = arm.expect(arm.post(arm.uri(target.deploymentPath() + "/whatIf",
                ArmClient.API_VERSION), target.body(false)), "What-If of " + target.name());
        if (answer.status() == 202) {
            answer = arm.expect(arm.follow(answer, "What-If of " + target.name()), "What-If of " + target.name());
        }
        JsonNode result = answer.body();
        if (result.path("status").asString("").equalsIgnoreCase("failed") || result.path("error").isObject()) {
            throw new DriverFailure("What-If of " + target.name() + " failed: " + ArmClient.describe(
                    result.path("error"), result), false);
        }
        List<DriverResult.Change> changes = new ArrayList<>();
        for (JsonNode change : result.path("properties").path("changes")) {
            DriverResult.Change c = normalised(change);
            if (change.path("changeType").asString("").equals("Unsupported")) {
                run.log().line("stdout", "warn", c.address() + ": What-If cannot tell ("
                        + change.path("unsupportedReason").asString("no reason given") + ")");
            }
            run.log().line("stdout", "info", c.action() + " " + c.address());
            changes.add(c);
        }
        return new DriverResult(changes, JsonNodeFactory.instance.objectNode());
    }

    @Override
    public DriverResult apply(DriverRun run) {
        Target target = Target.read(run);
        ArmClient arm = client(run);
        URI deployment = arm.uri(target.deploymentPath(), ArmClient.API_VERSION);
        ArmClient.Answer existing = arm.expect(arm.get(deployment), "Reading " + target.name(), 404);
        String state = existing.body().path("properties").path("provisioningState").asString("");
        if (existing.status() != 404 && !state.isEmpty() && !FINAL.contains(state.toLowerCase(Locale.ROOT))) {
            // an earlier attempt's deployment is still running (its worker died): wait for it, do not start another
            run.log().info("resuming " + target.name() + ", which is " + state);
        }
        else {
            run.log().info("deploying " + target.name() + " to " + target.describe());
            arm.expect(arm.put(deployment, target.body(true)), "Deploying " + target.name());
        }
        ArmClient.Answer done;
        try {
            done = arm.poll(deployment, "Deployment " + target.name(), a -> {
                String s = a.body().path("properties").path("provisioningState").asString("");
                return FINAL.contains(s.toLowerCase(Locale.ROOT));
            });
        }
        catch (DriverFailure.Canceled e) {
            cancel(run, arm, target);
            throw e;
        }
        JsonNode properties = done.body().path("properties");
        String outcome = properties.path("provisioningState").asString("");
        if (!outcome.equalsIgnoreCase("succeeded")) {
            throw new DriverFailure("Deployment " + target.name() + " ended " + outcome + ": " + ArmClient.describe(
                    properties.path("error"), properties.path("error")), false);
        }
        for (JsonNode resource : properties.path("outputResources")) {
            run.log().line("stdout", "info", "deployed " + address(resource.path("id").asString("")));
        }
        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        for (var e : properties.path("outputs").properties()) {
            // a secureString or secureObject output has no value in ARM's answer: it is not Canopy's to keep
            if (e.getValue().has("value")) {
                outputs.set(e.getKey(), e.getValue().get("value"));
            }
        }
        return new DriverResult(List.of(), outputs);
    }

    @Override
    public DriverResult destroy(DriverRun run) {
        Target target = Target.read(run);
        ArmClient arm = client(run);
        URI deployment = arm.uri(target.deploymentPath(), ArmClient.API_VERSION);
        ArmClient.Answer found = arm.expect(arm.get(deployment), "Reading " + target.name(), 404);
        if (found.status() == 404) {
            run.log().info(target.name() + " does not exist at " + target.describe() + "; nothing to remove");
            return DriverResult.nothing();
        }
        List<String> ids = new ArrayList<>();
        found.body().path("properties").path("outputResources").forEach(r -> ids.add(r.path("id").asString("")));
        Map<String, String> versions = new HashMap<>(target.apiVersions());
        List<DriverResult.Change> changes = new ArrayList<>();
        for (String id : ids.reversed()) {
            if (run.cancel().raised()) {
                throw new DriverFailure.Canceled();
            }
            String path = checkedId(id, target);
            String version = apiVersion(arm, target, id, versions);
            String what = "Deleting " + address(id);
            ArmClient.Answer deleted = arm.expect(arm.delete(arm.uri(path, version)), what, 404);
            if (deleted.status() == 202) {
                arm.expect(arm.follow(deleted, what), what, 404);
            }
            run.log().line("stdout", "info", (deleted.status() == 404 ? "already gone " : "deleted ") + address(id));
            changes.add(new DriverResult.Change("delete", address(id), NULL, NULL));
        }
        String what = "Deleting the deployment record " + target.name();
        ArmClient.Answer record = arm.expect(arm.delete(deployment), what, 404);
        if (record.status() == 202) {
            arm.expect(arm.follow(record, what), what, 404);
        }
        run.log().info("deleted the deployment record " + target.name());
        return new DriverResult(changes, JsonNodeFactory.instance.objectNode());
    }

    /** Asks ARM to cancel the running deployment and waits, within the cancel grace, until it says it stopped. */
    private static void cancel(DriverRun run, ArmClient arm, Target target) {
        ArmClient stopping = arm.stopping(run.cancelGrace());
        try {
            ArmClient.Answer answer = stopping.post(stopping.uri(target.deploymentPath() + "/cancel",
                    ArmClient.API_VERSION), null);
            if (answer.status() / 100 != 2) {
                // 409 DeploymentCannotBeCanceled: it had already ended
                run.log().line("stdout", "warn", "ARM did not cancel " + target.name() + ": "
                        + ArmClient.describe(answer.body().path("error"), answer.body()));
                return;
            }
            run.log().info("asked ARM to cancel " + target.name());
            ArmClient.Answer ended = stopping.poll(stopping.uri(target.deploymentPath(), ArmClient.API_VERSION),
                    "Canceling " + target.name(), a -> FINAL.contains(a.body().path("properties")
                            .path("provisioningState").asString("").toLowerCase(Locale.ROOT)));
            run.log().info(target.name() + " is " + ended.body().path("properties").path("provisioningState")
                    .asString(""));
        }
        catch (DriverFailure e) {
            run.log().line("stdout", "warn", "canceling " + target.name() + ": " + e.getMessage());
        }
    }

    /** One What-If change as Canopy's: create, delete, update (Modify, Deploy, Unsupported) or no-op. */
    static DriverResult.Change normalised(JsonNode change) {
        String address = address(change.path("resourceId").asString(""));
        String type = change.path("changeType").asString("");
        JsonNode before = change.path("before").isObject() ? change.get("before") : NULL;
        JsonNode after = change.path("after").isObject() ? change.get("after") : NULL;
        return switch (type) {
            case "Create" -> new DriverResult.Change("create", address, NULL, after);
            case "Delete" -> new DriverResult.Change("delete", address, before, NULL);
            case "NoChange", "Ignore" -> new DriverResult.Change("no-op", address, NULL, NULL);
            case "Modify" -> {
                if (change.path("delta").isArray() && !change.path("delta").isEmpty()) {
                    ObjectNode b = JsonNodeFactory.instance.objectNode();
                    ObjectNode a = JsonNodeFactory.instance.objectNode();
                    flatten(change.path("delta"), "", b, a);
                    yield new DriverResult.Change("update", address, b, a);
                }
                yield new DriverResult.Change("update", address, before, after);
            }
            // Deploy: redeployed, changes unknown; Unsupported: What-If cannot tell. Approvers see both.
            default -> new DriverResult.Change("update", address, before, after);
        };
    }

    /** What-If's property changes by dotted path, children of arrays and objects included. */
    private static void flatten(JsonNode delta, String prefix, ObjectNode before, ObjectNode after) {
        for (JsonNode d : delta) {
            String path = prefix.isEmpty() ? d.path("path").asString("") : prefix + "." + d.path("path").asString("");
            if (d.path("children").isArray() && !d.path("children").isEmpty()) {
                flatten(d.path("children"), path, before, after);
                continue;
            }
            before.set(path, d.has("before") ? d.get("before") : NULL);
            after.set(path, d.has("after") ? d.get("after") : NULL);
        }
    }

    /** A resource id without its scope: {@code Microsoft.Storage/storageAccounts/web}. */
    static String address(String resourceId) {
        int providers = resourceId.toLowerCase(Locale.ROOT).lastIndexOf("/providers/");
        if (providers >= 0) {
            return resourceId.substring(providers + "/providers/".length());
        }
        String[] parts = resourceId.split("/");
        return parts.length >= 2 ? parts[parts.length - 2] + "/" + parts[parts.length - 1] : resourceId;
    }

    /** The resource's id as a path Canopy sends its token to: in the account's subscription, nothing odd in it. */
    private static String checkedId(String id, Target target) {
        String prefix = "/subscriptions/" + target.subscription() + "/";
        if (!id.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT))
                || !id.matches("[A-Za-z0-9/_.()\\-~!$'*+,;=:@ ]+") || id.contains("/../") || id.endsWith("/..")
                || id.contains("//")) {
            throw new DriverFailure("The deployment lists a resource Canopy does not delete: " + id, false);
        }
        return id.replace(" ", "%20");
    }

    /**
     * The api-version to delete a resource with: the one the template declares for its type, else the newest
     * stable one its resource provider lists.
     */
    private static String apiVersion(ArmClient arm, Target target, String id, Map<String, String> known) {
        String type = type(id);
        String version = known.get(type.toLowerCase(Locale.ROOT));
        if (version != null) {
            return version;
        }
        if (type.equalsIgnoreCase("Microsoft.Resources/resourceGroups")) {
            return ArmClient.API_VERSION;
        }
        String namespace = type.substring(0, type.indexOf('/'));
        String rest = type.substring(type.indexOf('/') + 1);
        ArmClient.Answer provider = arm.expect(arm.get(arm.uri("/subscriptions/" + target.subscription()
                + "/providers/" + namespace, ArmClient.API_VERSION)), "Reading the resource provider " + namespace);
        for (JsonNode t : provider.body().path("resourceTypes")) {
            if (t.path("resourceType").asString("").equalsIgnoreCase(rest)) {
                for (JsonNode v : t.path("apiVersions")) {
                    if (!v.asString("").contains("preview")) {
                        known.put(type.toLowerCase(Locale.ROOT), v.asString());
                        return v.asString();
                    }
                }
                if (!t.path("apiVersions").isEmpty()) {
                    return t.path("apiVersions").get(0).asString();
                }
            }
        }
        throw new DriverFailure("Cannot tell which api-version deletes " + address(id) + ": the resource provider "
                + namespace + " does not list " + rest, false);
    }

    /** {@code Microsoft.Storage/storageAccounts/blobServices} of {@code .../providers/Microsoft.Storage/...}. */
    static String type(String id) {
        String rest = address(id);
        if (!id.toLowerCase(Locale.ROOT).contains("/providers/")) {
            return "Microsoft.Resources/resourceGroups";
        }
        String[] parts = rest.split("/");
        StringBuilder type = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i += 2) {
            type.append('/').append(parts[i]);
        }
        return type.toString();
    }

    private ArmClient client(DriverRun run) {
        Map<String, String> env = run.environment();
        String tenant = env.get("CANOPY_CREDENTIAL_TENANT_ID");
        String clientId = env.get("CANOPY_CREDENTIAL_CLIENT_ID");
        String secret = env.get("CANOPY_CREDENTIAL_CLIENT_SECRET");
        if (tenant == null || clientId == null || secret == null) {
            throw new DriverFailure("The azure cloud account needs a service principal (tenant_id, client_id and "
                    + "client_secret) for the ARM driver", false);
        }
        for (URI uri : List.of(login, endpoint)) {
            accounts.refusal(uri).ifPresent(why -> {
                throw new DriverFailure("The ARM driver's endpoint is not one Canopy may connect to: " + why, false);
            });
        }
        return new ArmClient(login, endpoint, tenant, clientId, secret, run.cancel(), interval, timeout);
    }

    /** Where and what a run deploys: scope, name, template and parameters; nothing has been sent yet. */
    record Target(String subscription, String resourceGroup, String location, String name, ObjectNode template,
            ObjectNode parameters, UUID deploymentId) {

        static Target read(DriverRun run) {
            Map<String, String> env = run.environment();
            if (!"azure".equals(env.get("CANOPY_PROVIDER"))) {
                throw new DriverFailure("The ARM driver needs the environment to use an azure cloud account.", false);
            }
            String subscription = env.get("CANOPY_SETTING_SUBSCRIPTION_ID");
            if (subscription == null || !subscription.matches("[0-9a-fA-F-]{36}")) {
                throw new DriverFailure("The azure cloud account has no subscription_id", false);
            }
            JsonNode arm = manifest(run.workDirectory()).path("x-arm");
            String own = env.get("CANOPY_SETTING_RESOURCE_GROUP");
            String named = arm.path("resource_group").asString(null);
            String scope = arm.path("scope").asString("resource_group");
            String group;
            if (scope.equals("subscription")) {
                if (own != null) {
                    throw new DriverFailure("The template deploys at the subscription, but the environment's azure "
                            + "account is limited to the resource group " + own, false);
                }
                group = null;
            }
            else if (own != null) {
                if (named != null && !named.equalsIgnoreCase(own)) {
                    throw new DriverFailure("The template names the resource group " + named + "; the environment's "
                            + "azure account only deploys into " + own, false);
                }
                group = own;
            }
            else if (named != null) {
                group = named;
            }
            else {
                throw new DriverFailure("Neither the azure cloud account (setting resource_group) nor the template "
                        + "(x-arm.resource_group in " + MANIFEST + ") names the resource group to deploy into", false);
            }
            if (group != null && !NAME.matcher(group).matches()) {
                throw new DriverFailure("'" + group + "' is not a resource group name", false);
            }
            String location = arm.path("location").asString(null);
            if (location != null && !LOCATION.matcher(location).matches()) {
                throw new DriverFailure("'" + location + "' is not an Azure location", false);
            }
            if (group == null && location == null) {
                throw new DriverFailure("A subscription deployment needs x-arm.location in " + MANIFEST, false);
            }
            ObjectNode template = object(run.workDirectory().resolve(TEMPLATE), TEMPLATE);
            ObjectNode parameters = parameters(run, template);
            return new Target(subscription.toLowerCase(Locale.ROOT), group, location, "canopy-" + run.deploymentId(),
                    template, parameters, run.deploymentId());
        }

        String describe() {
            return resourceGroup == null ? "subscription " + subscription + " (" + location + ")"
                    : "resource group " + resourceGroup;
        }

        String deploymentPath() {
            return "/subscriptions/" + subscription + (resourceGroup == null ? "" : "/resourcegroups/"
                    + resourceGroup) + DEPLOYMENTS + name;
        }

        /** The deployment's body: the template inline, its parameters, incremental mode, Canopy's tag. */
        ObjectNode body(boolean tagged) {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            if (resourceGroup == null) {
                body.put("location", location);
            }
            ObjectNode properties = body.putObject("properties");
            properties.set("template", template);
            properties.set("parameters", parameters);
            // Incremental: what else lives in the resource group is left alone (Complete would delete it)
            properties.put("mode", "Incremental");
            if (tagged) {
                body.putObject("tags").put("canopy-deployment", deploymentId.toString());
            }
            return body;
        }

        /** The api-version the template declares per resource type (lower case), nested resources included. */
        Map<String, String> apiVersions() {
            Map<String, String> versions = new HashMap<>();
            collect(template.path("resources"), "", versions);
            return versions;
        }

        private static void collect(JsonNode resources, String parent, Map<String, String> versions) {
            for (JsonNode r : resources.isObject() ? resources.values() : resources) {
                String type = r.path("type").asString("");
                if (type.isEmpty()) {
                    continue;
                }
                // a nested resource may give its type relative to its parent's ("blobServices")
                String full = parent.isEmpty() || type.split("/")[0].contains(".") ? type : parent + "/" + type;
                if (r.path("apiVersion").isString()) {
                    versions.putIfAbsent(full.toLowerCase(Locale.ROOT), r.path("apiVersion").asString());
                }
                collect(r.path("resources"), full, versions);
            }
        }

        /** The parameters file's, then each input that names one of the template's parameters. */
        private static ObjectNode parameters(DriverRun run, ObjectNode template) {
            ObjectNode parameters = JsonNodeFactory.instance.objectNode();
            Path file = run.workDirectory().resolve(PARAMETERS);
            if (Files.isRegularFile(file)) {
                JsonNode given = object(file, PARAMETERS).path("parameters");
                if (!given.isObject()) {
                    throw new DriverFailure(PARAMETERS + " has no parameters object", false);
                }
                parameters.setAll((ObjectNode) given);
            }
            Map<String, String> declared = new HashMap<>();
            template.path("parameters").propertyNames().forEach(n -> declared.put(n.toLowerCase(Locale.ROOT), n));
            for (var input : run.inputs().properties()) {
                if (input.getValue().isNull()) {
                    continue; // no value: the template's defaultValue (or the parameters file's) applies
                }
                String name = declared.get(input.getKey().toLowerCase(Locale.ROOT));
                if (name == null) {
                    // ARM refuses parameters its template does not declare
                    run.log().info("input " + input.getKey() + " is not a parameter of " + TEMPLATE + "; not passed");
                    continue;
                }
                parameters.remove(name);
                parameters.putObject(name).set("value", input.getValue());
            }
            return parameters;
        }

        private static JsonNode manifest(Path work) {
            Path file = work.resolve(MANIFEST);
            try {
                JsonNode tree = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
                return tree == null ? JsonNodeFactory.instance.objectNode() : tree;
            }
            catch (IOException | JacksonException e) {
                throw new DriverFailure("Cannot read " + MANIFEST + ": " + e.getMessage(), false);
            }
        }

        private static ObjectNode object(Path file, String name) {
            if (!Files.isRegularFile(file)) {
                throw new DriverFailure("The template version has no " + name + " for the ARM driver.", false);
            }
            try {
                JsonNode tree = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
                if (tree instanceof ObjectNode object) {
                    return object;
                }
            }
            catch (IOException | JacksonException e) {
                // said below
            }
            throw new DriverFailure(name + " is not a JSON object", false);
        }
    }
}
