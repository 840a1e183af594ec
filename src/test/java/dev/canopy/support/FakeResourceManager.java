package dev.canopy.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Azure Resource Manager as the ARM driver's tests need it, with the request and response shapes of Microsoft's
 * REST reference (api-version 2021-04-01): deployments at resource group and subscription scope ({@code PUT},
 * {@code GET}, {@code DELETE} as a long-running operation, {@code POST .../cancel}), What-If ({@code 202} +
 * {@code Location}, then a {@code WhatIfOperationResult}), {@code DELETE} of a resource by id (long-running, with
 * the api-version its type was made with), resource providers' api-versions, and ARM's {@code {error: {code,
 * message, details}}} answers. Every call needs a bearer token the Entra token endpoint of {@link CloudProviders}
 * issued. It keeps what deployments make (so What-If compares with it and destroy removes it), evaluates the
 * template expressions such templates use ({@code parameters}, {@code variables}, {@code concat}, {@code format},
 * {@code resourceGroup}, {@code subscription}, {@code resourceId}, {@code reference}, {@code uniqueString},
 * {@code toLower}), and records every call.
 */
public final class FakeResourceManager {

    /** One request as it arrived. */
    public record Call(String method, String path, String query, String authorization, String body) {

        public JsonNode json() {
            return body.isEmpty() ? JsonNodeFactory.instance.objectNode() : JSON.readTree(body);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DEPLOYMENTS = "/providers/microsoft.resources/deployments/";
    private static final Pattern STORAGE_NAME = Pattern.compile("[a-z0-9]{3,24}");

    private final CloudProviders tokens;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, ObjectNode> groups = new ConcurrentHashMap<>();
    private final Map<String, Deployment> deployments = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> resources = new ConcurrentHashMap<>();
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final Set<String> holding = ConcurrentHashMap.newKeySet();
    private final Map<String, List<Integer>> failures = new ConcurrentHashMap<>();

    FakeResourceManager(CloudProviders tokens) {
        this.tokens = tokens;
    }

    private static final class Deployment {
        String subscription;
        String group;
        String name;
        ObjectNode request;
        String state;
        int polls;
        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        List<String> outputResources = new ArrayList<>();
        JsonNode error;
    }

    private record Operation(int[] remaining, java.util.function.Supplier<Reply> result) {
    }

    private record Reply(int status, JsonNode body) {
    }

    // ---- what tests arrange and read

    /** A resource group in the subscription, as {@code az group create} would have made it. */
    public void resourceGroup(String subscription, String name, String location) {
        String id = "/subscriptions/" + subscription + "/resourceGroups/" + name;
        ObjectNode group = JsonNodeFactory.instance.objectNode().put("id", id).put("name", name)
                .put("type", "Microsoft.Resources/resourceGroups").put("location", location);
        group.putObject("properties").put("provisioningState", "Succeeded");
        groups.put(id.toLowerCase(Locale.ROOT), group);
    }

    /** Deployments of the subscription stay Running (until cancelled, or {@link #release}). */
    public void hold(String subscription) {
        holding.add(subscription.toLowerCase(Locale.ROOT));
    }

    public void release(String subscription) {
        holding.remove(subscription.toLowerCase(Locale.ROOT));
    }

    /** The subscription's next requests are answered with these statuses (ARM's error for each) before any work. */
    public void failNext(String subscription, Integer... statuses) {
        failures.put(subscription.toLowerCase(Locale.ROOT), new CopyOnWriteArrayList<>(List.of(statuses)));
    }

    /** The calls about the subscription, in order. */
    public List<Call> calls(String subscription) {
        String s = "/subscriptions/" + subscription.toLowerCase(Locale.ROOT) + "/";
        return calls.stream().filter(c -> (c.path().toLowerCase(Locale.ROOT) + "/").contains(s)).toList();
    }

    /** The resources that exist in the subscription (ids as ARM spells them). */
    public List<String> resourceIds(String subscription) {
        String s = "/subscriptions/" + subscription.toLowerCase(Locale.ROOT) + "/";
        return resources.entrySet().stream().filter(e -> e.getKey().startsWith(s))
                .map(e -> e.getValue().path("id").asString()).sorted().toList();
    }

    public Optional<JsonNode> resource(String id) {
        return Optional.ofNullable(resources.get(id.toLowerCase(Locale.ROOT)));
    }

    /** Changes a resource behind the deployment's back (someone in the portal). */
    public void edit(String id, String property, String value) {
        ObjectNode r = resources.get(id.toLowerCase(Locale.ROOT));
        ((ObjectNode) r.get("properties")).put(property, value);
    }

    public boolean deploymentExists(String subscription, String group, String name) {
        return deployments.containsKey(scope(subscription, group) + DEPLOYMENTS + name.toLowerCase(Locale.ROOT));
    }

    // ---- the protocol

    void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getRawPath().substring("/arm".length());
        String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String method = exchange.getRequestMethod();
        calls.add(new Call(method, path, query, authorization == null ? "" : authorization, body));
        Reply reply;
        Map<String, String> headers = new LinkedHashMap<>();
        try {
            reply = route(method, URLDecoder.decode(path, StandardCharsets.UTF_8), query(query), body, headers,
                    authorization, base(exchange));
        }
        catch (RuntimeException e) {
            reply = error(500, "InternalServerError", "The fake failed: " + e);
        }
        byte[] bytes = reply.body() == null ? new byte[0] : JSON.writeValueAsBytes(reply.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private String base(HttpExchange exchange) {
        return "http://" + exchange.getRequestHeaders().getFirst("Host") + "/arm";
    }

    private Reply route(String method, String path, Map<String, String> query, String body,
            Map<String, String> headers, String authorization, String base) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
        }
        if (tokens.azureTokenHolder(authorization.substring("Bearer ".length())) == null) {
            return error(401, "InvalidAuthenticationToken", "The access token is invalid.");
        }
        if (!query.containsKey("api-version")) {
            return error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is "
                    + "required for all requests.");
        }
        Matcher sub = Pattern.compile("(?i)^/subscriptions/([^/]+)").matcher(path);
        if (sub.find()) {
            List<Integer> failing = failures.get(sub.group(1).toLowerCase(Locale.ROOT));
            if (failing != null && !failing.isEmpty()) {
                int status = failing.removeFirst();
                return status == 429 ? error(429, "TooManyRequests", "The request is being throttled.")
                        : error(status, "ServiceUnavailable", "The service is temporarily unavailable.");
            }
        }
        String lower = path.toLowerCase(Locale.ROOT);
        Matcher op = Pattern.compile("^/subscriptions/[^/]+/providers/microsoft\\.resources/operationresults/([^/]+)$")
                .matcher(lower);
        if (op.matches() && method.equals("GET")) {
            return operation(op.group(1), headers, base);
        }
        Matcher provider = Pattern.compile("^/subscriptions/[^/]+/providers/([^/]+)$").matcher(lower);
        if (provider.matches() && method.equals("GET")) {
            return provider(path, provider.group(1));
        }
        Matcher d = Pattern.compile("(?i)^(/subscriptions/([^/]+)(?:/resourcegroups/([^/]+))?)"
                + "/providers/microsoft\\.resources/deployments/([^/]+)(/whatif|/cancel)?$").matcher(path);
        if (d.matches()) {
            String subscription = d.group(2);
            String group = d.group(3);
            String name = d.group(4);
            if (!query.get("api-version").equals("2021-04-01")) {
                return error(400, "InvalidApiVersionParameter", "The api-version '" + query.get("api-version")
                        + "' is invalid.");
            }
            if (group != null && !groups.containsKey(("/subscriptions/" + subscription + "/resourcegroups/" + group)
                    .toLowerCase(Locale.ROOT))) {
                return error(404, "ResourceGroupNotFound", "Resource group '" + group + "' could not be found.");
            }
            String key = (d.group(1) + DEPLOYMENTS + name).toLowerCase(Locale.ROOT);
            String suffix = d.group(5) == null ? "" : d.group(5).toLowerCase(Locale.ROOT);
            return switch (method + suffix) {
                case "POST/whatif" -> whatIf(subscription, group, name, body, headers, base);
                case "POST/cancel" -> cancel(key);
                case "PUT" -> put(key, subscription, group, name, body, headers);
                case "GET" -> get(key);
                case "DELETE" -> deleteDeployment(key, subscription, headers, base);
                default -> error(405, "MethodNotAllowed", "The method " + method + " is not allowed.");
            };
        }
        if (method.equals("DELETE") && (lower.contains("/providers/")
                || lower.matches("^/subscriptions/[^/]+/resourcegroups/[^/]+$"))) {
            return deleteResource(path, query.get("api-version"), headers, base);
        }
        if (method.equals("GET") && resources.containsKey(lower)) {
            return new Reply(200, resources.get(lower));
        }
        return error(404, "ResourceNotFound", "The resource '" + path + "' was not found.");
    }

    private Reply whatIf(String subscription, String group, String name, String body, Map<String, String> headers,
            String base) {
        ObjectNode request = (ObjectNode) JSON.readTree(body);
        Evaluation evaluation;
        try {
            evaluation = evaluate(subscription, group, request);
        }
        catch (InvalidTemplate e) {
            return error(400, "InvalidTemplate", e.getMessage());
        }
        Evaluation planned = evaluation;
        return accepted(subscription, headers, base, () -> {
            ArrayNode changes = JsonNodeFactory.instance.arrayNode();
            Set<String> inTemplate = new java.util.HashSet<>();
            for (ObjectNode desired : planned.resources()) {
                String id = desired.path("id").asString();
                inTemplate.add(id.toLowerCase(Locale.ROOT));
                ObjectNode live = resources.get(id.toLowerCase(Locale.ROOT));
                ObjectNode change = changes.addObject().put("resourceId", id);
                ObjectNode after = desired.deepCopy();
                if (live == null) {
                    change.put("changeType", "Create").set("after", after);
                    continue;
                }
                ArrayNode delta = JsonNodeFactory.instance.arrayNode();
                for (String field : List.of("location", "tags", "sku", "kind", "properties")) {
                    diff(field, desired.path(field), live.path(field), delta);
                }
                change.put("changeType", delta.isEmpty() ? "NoChange" : "Modify").set("before", live.deepCopy());
                change.set("after", after);
                if (!delta.isEmpty()) {
                    change.set("delta", delta);
                }
            }
            if (group != null) {
                String prefix = ("/subscriptions/" + subscription + "/resourceGroups/" + group + "/")
                        .toLowerCase(Locale.ROOT);
                resources.forEach((id, r) -> {
                    if (id.startsWith(prefix) && !inTemplate.contains(id)) {
                        changes.addObject().put("resourceId", r.path("id").asString()).put("changeType", "Ignore");
                    }
                });
            }
            ObjectNode result = JsonNodeFactory.instance.objectNode().put("status", "Succeeded");
            result.putObject("properties").set("changes", changes);
            return new Reply(200, result);
        });
    }

    /** Property changes the deployment would make: the fields the template sets that the resource has otherwise. */
    private static void diff(String path, JsonNode desired, JsonNode live, ArrayNode delta) {
        if (desired.isMissingNode() || desired.isNull()) {
            return;
        }
        if (desired.isObject() && live.isObject()) {
            for (var e : desired.properties()) {
                diff(path + "." + e.getKey(), e.getValue(), live.path(e.getKey()), delta);
            }
            return;
        }
        if (!desired.equals(live)) {
            ObjectNode d = delta.addObject().put("path", path).put("propertyChangeType",
                    live.isMissingNode() ? "Create" : "Modify");
            if (!live.isMissingNode()) {
                d.set("before", live);
            }
            d.set("after", desired);
        }
    }

    private Reply put(String key, String subscription, String group, String name, String body,
            Map<String, String> headers) {
        Deployment existing = deployments.get(key);
        if (existing != null && Set.of("Accepted", "Running").contains(existing.state)) {
            return error(409, "DeploymentActive", "Unable to edit or replace deployment '" + name
                    + "': previous deployment from '" + existing.request.path("timestamp").asString("") + "' is still "
                    + "active (current provisioning state: " + existing.state + ").");
        }
        ObjectNode request = (ObjectNode) JSON.readTree(body);
        if (group == null && !request.path("location").isString()) {
            return error(400, "InvalidDeploymentLocation", "The 'location' property must be specified for a "
                    + "subscription deployment.");
        }
        try {
            evaluate(subscription, group, request);
        }
        catch (InvalidTemplate e) {
            return error(400, "InvalidTemplate", e.getMessage());
        }
        Deployment deployment = new Deployment();
        deployment.subscription = subscription;
        deployment.group = group;
        deployment.name = name;
        deployment.request = request;
        deployment.state = "Accepted";
        deployments.put(key, deployment);
        headers.put("Azure-AsyncOperation", "http://unused/operationStatuses/" + UUID.randomUUID());
        headers.put("Retry-After", "0");
        return new Reply(existing == null ? 201 : 200, view(deployment));
    }

    private Reply get(String key) {
        Deployment deployment = deployments.get(key);
        if (deployment == null) {
            return error(404, "DeploymentNotFound", "Deployment '" + key.substring(key.lastIndexOf('/') + 1)
                    + "' could not be found.");
        }
        synchronized (deployment) {
            if (deployment.state.equals("Accepted")) {
                deployment.state = "Running";
            }
            else if (deployment.state.equals("Running") && !holding.contains(deployment.subscription
                    .toLowerCase(Locale.ROOT)) && ++deployment.polls >= 1) {
                execute(deployment);
            }
        }
        return new Reply(200, view(deployment));
    }

    private Reply cancel(String key) {
        Deployment deployment = deployments.get(key);
        if (deployment == null) {
            return error(404, "DeploymentNotFound", "Deployment could not be found.");
        }
        synchronized (deployment) {
            if (!Set.of("Accepted", "Running").contains(deployment.state)) {
                return error(409, "DeploymentCannotBeCanceled", "The deployment '" + deployment.name + "' cannot be "
                        + "canceled: its provisioning state is " + deployment.state + ".");
            }
            deployment.state = "Canceled";
        }
        return new Reply(204, null);
    }

    private Reply deleteDeployment(String key, String subscription, Map<String, String> headers, String base) {
        Deployment deployment = deployments.get(key);
        if (deployment == null) {
            return new Reply(204, null);
        }
        return accepted(subscription, headers, base, () -> {
            deployments.remove(key);
            return new Reply(204, null);
        });
    }

    private Reply deleteResource(String path, String apiVersion, Map<String, String> headers, String base) {
        String key = path.toLowerCase(Locale.ROOT);
        ObjectNode resource = resources.get(key);
        if (resource == null) {
            return new Reply(204, null);
        }
        if (!resource.path("apiVersion").asString().equals(apiVersion)) {
            return error(400, "NoRegisteredProviderFound", "No registered resource provider found for location '"
                    + resource.path("location").asString() + "' and API version '" + apiVersion + "' for type '"
                    + resource.path("type").asString().split("/", 2)[1] + "'.");
        }
        String subscription = path.split("/")[2];
        return accepted(subscription, headers, base, () -> {
            resources.keySet().removeIf(id -> id.equals(key) || id.startsWith(key + "/"));
            groups.remove(key);
            return new Reply(200, null);
        });
    }

    private Reply provider(String path, String namespace) {
        ObjectNode provider = JsonNodeFactory.instance.objectNode().put("id", path)
                .put("namespace", path.substring(path.lastIndexOf('/') + 1)).put("registrationState", "Registered");
        ArrayNode types = provider.putArray("resourceTypes");
        Map<String, String> seen = new LinkedHashMap<>();
        resources.values().forEach(r -> {
            String type = r.path("type").asString();
            if (type.toLowerCase(Locale.ROOT).startsWith(namespace + "/")) {
                seen.putIfAbsent(type.substring(type.indexOf('/') + 1), r.path("apiVersion").asString());
            }
        });
        seen.forEach((type, version) -> types.addObject().put("resourceType", type).putArray("apiVersions")
                .add(version + "-preview").add(version));
        return new Reply(200, provider);
    }

    /** 202 with a Location the caller polls; the first poll answers 202 again, the next one the result. */
    private Reply accepted(String subscription, Map<String, String> headers, String base,
            java.util.function.Supplier<Reply> result) {
        String id = UUID.randomUUID().toString();
        operations.put(id, new Operation(new int[] {1}, result));
        headers.put("Location", base + "/subscriptions/" + subscription
                + "/providers/Microsoft.Resources/operationResults/" + id + "?api-version=2021-04-01");
        headers.put("Retry-After", "0");
        return new Reply(202, null);
    }

    private Reply operation(String id, Map<String, String> headers, String base) {
        Operation op = operations.get(id);
        if (op == null) {
            return error(404, "OperationNotFound", "The operation '" + id + "' was not found.");
        }
        synchronized (op) {
            if (op.remaining()[0]-- > 0) {
                headers.put("Retry-After", "0");
                return new Reply(202, null);
            }
        }
        operations.remove(id);
        return op.result().get();
    }

    // ---- deployments' work

    private void execute(Deployment deployment) {
        Evaluation evaluation;
        try {
            evaluation = evaluate(deployment.subscription, deployment.group, deployment.request);
        }
        catch (InvalidTemplate e) {
            fail(deployment, "InvalidTemplate", e.getMessage());
            return;
        }
        for (ObjectNode r : evaluation.resources()) {
            if (r.path("type").asString().equalsIgnoreCase("Microsoft.Storage/storageAccounts")
                    && !STORAGE_NAME.matcher(r.path("name").asString()).matches()) {
                fail(deployment, "AccountNameInvalid", r.path("name").asString() + " is not a valid storage "
                        + "account name. Storage account name must be between 3 and 24 characters in length and use "
                        + "numbers and lower-case letters only.");
                return;
            }
        }
        for (ObjectNode r : evaluation.resources()) {
            ObjectNode stored = r.deepCopy();
            ObjectNode properties = stored.path("properties").isObject() ? (ObjectNode) stored.get("properties")
                    : stored.putObject("properties");
            properties.put("provisioningState", "Succeeded");
            if (stored.path("type").asString().equalsIgnoreCase("Microsoft.Storage/storageAccounts")) {
                properties.putObject("primaryEndpoints").put("blob", "https://" + stored.path("name").asString()
                        + ".blob.core.windows.net/");
            }
            String id = stored.path("id").asString();
            if (stored.path("type").asString().equalsIgnoreCase("Microsoft.Resources/resourceGroups")) {
                groups.put(id.toLowerCase(Locale.ROOT), stored);
            }
            resources.put(id.toLowerCase(Locale.ROOT), stored);
            deployment.outputResources.add(id);
        }
        // outputs are evaluated after the resources exist, so reference() sees them
        deployment.outputs = outputs(deployment, evaluation);
        deployment.state = "Succeeded";
    }

    private ObjectNode outputs(Deployment deployment, Evaluation evaluation) {
        ObjectNode outputs = JsonNodeFactory.instance.objectNode();
        JsonNode declared = deployment.request.path("properties").path("template").path("outputs");
        for (var e : declared.properties()) {
            String type = e.getValue().path("type").asString("string");
            ObjectNode output = outputs.putObject(e.getKey()).put("type", capitalised(type));
            if (!type.toLowerCase(Locale.ROOT).startsWith("secure")) {
                output.set("value", evaluation.context().value(e.getValue().path("value")));
            }
        }
        return outputs;
    }

    private static void fail(Deployment deployment, String code, String message) {
        deployment.state = "Failed";
        ObjectNode error = JsonNodeFactory.instance.objectNode().put("code", "DeploymentFailed").put("message",
                "At least one resource deployment operation failed. Please list deployment operations for details. "
                        + "Please see https://aka.ms/arm-deployment-operations for usage details.");
        error.putArray("details").addObject().put("code", code).put("message", message);
        deployment.error = error;
    }

    private ObjectNode view(Deployment d) {
        ObjectNode view = JsonNodeFactory.instance.objectNode().put("id", "/subscriptions/" + d.subscription
                + (d.group == null ? "" : "/resourceGroups/" + d.group) + "/providers/Microsoft.Resources/deployments/"
                + d.name).put("name", d.name).put("type", "Microsoft.Resources/deployments");
        if (d.request.has("location")) {
            view.set("location", d.request.get("location"));
        }
        if (d.request.has("tags")) {
            view.set("tags", d.request.get("tags"));
        }
        ObjectNode properties = view.putObject("properties");
        properties.put("provisioningState", d.state).put("mode", d.request.path("properties").path("mode")
                .asString("Incremental")).put("correlationId", UUID.randomUUID().toString())
                .put("timestamp", java.time.Instant.now().toString());
        ObjectNode parameters = properties.putObject("parameters");
        JsonNode declared = d.request.path("properties").path("template").path("parameters");
        d.request.path("properties").path("parameters").properties().forEach(e -> {
            String type = declared.path(e.getKey()).path("type").asString("string");
            ObjectNode p = parameters.putObject(e.getKey()).put("type", capitalised(type));
            if (!type.toLowerCase(Locale.ROOT).startsWith("secure")) {
                p.set("value", e.getValue().path("value"));
            }
        });
        if (d.state.equals("Succeeded")) {
            properties.set("outputs", d.outputs);
            ArrayNode out = properties.putArray("outputResources");
            d.outputResources.forEach(id -> out.addObject().put("id", id));
        }
        if (d.error != null) {
            properties.set("error", d.error);
        }
        return view;
    }

    private static String capitalised(String type) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "securestring" -> "SecureString";
            case "secureobject" -> "SecureObject";
            case "int" -> "Int";
            case "bool" -> "Bool";
            case "array" -> "Array";
            case "object" -> "Object";
            default -> "String";
        };
    }

    // ---- templates

    private static final class InvalidTemplate extends RuntimeException {
        InvalidTemplate(String message) {
            super("Deployment template validation failed: '" + message + "'.");
        }
    }

    private record Evaluation(List<ObjectNode> resources, Context context) {
    }

    /** Checks the parameters against the template and evaluates its resources. */
    private Evaluation evaluate(String subscription, String group, ObjectNode request) {
        JsonNode template = request.path("properties").path("template");
        if (!template.path("$schema").isString() || !template.has("resources")) {
            throw new InvalidTemplate("The template must have $schema and resources");
        }
        JsonNode given = request.path("properties").path("parameters");
        JsonNode declared = template.path("parameters");
        List<String> unknown = new ArrayList<>();
        for (String name : given.propertyNames()) {
            if (!declared.has(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidTemplate("The template parameters '" + String.join(", ", unknown) + "' in the "
                    + "parameters file are not valid; they are not present in the original template and can therefore "
                    + "not be provided at deployment time. The only supported parameters for this template are '"
                    + String.join(", ", declared.propertyNames()) + "'");
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (var p : declared.properties()) {
            JsonNode value = given.path(p.getKey()).path("value");
            if (value.isMissingNode()) {
                value = p.getValue().path("defaultValue");
            }
            if (value.isMissingNode()) {
                throw new InvalidTemplate("The value for the template parameter '" + p.getKey() + "' at line '1' and "
                        + "column '1' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage "
                        + "details");
            }
            JsonNode allowed = p.getValue().path("allowedValues");
            if (allowed.isArray() && given.path(p.getKey()).has("value")) {
                boolean ok = false;
                for (JsonNode a : allowed) {
                    ok |= a.equals(value);
                }
                if (!ok) {
                    List<String> texts = new ArrayList<>();
                    allowed.forEach(a -> texts.add(a.asString()));
                    throw new InvalidTemplate("The provided value '" + value.asString() + "' for the template "
                            + "parameter '" + p.getKey() + "' at line '1' and column '1' is not valid. The parameter "
                            + "value is not part of the allowed value(s): '" + String.join(",", texts) + "'");
                }
            }
            values.put(p.getKey().toLowerCase(Locale.ROOT), value);
        }
        ObjectNode rg = group == null ? null : groups.get(("/subscriptions/" + subscription + "/resourcegroups/"
                + group).toLowerCase(Locale.ROOT));
        Context context = new Context(this, subscription, rg, values, template.path("variables"));
        for (var p : declared.properties()) {
            // defaults may be expressions ([resourceGroup().location])
            values.put(p.getKey().toLowerCase(Locale.ROOT), context.value(values.get(p.getKey().toLowerCase(
                    Locale.ROOT))));
        }
        List<ObjectNode> list = new ArrayList<>();
        for (JsonNode r : template.path("resources")) {
            ObjectNode evaluated = JsonNodeFactory.instance.objectNode();
            String type = context.value(r.path("type")).asString();
            String name = context.value(r.path("name")).asString();
            evaluated.put("id", context.resourceId(type, name.split("/")));
            evaluated.put("name", name).put("type", type).put("apiVersion", r.path("apiVersion").asString());
            for (String field : List.of("location", "tags", "sku", "kind", "properties")) {
                if (r.has(field)) {
                    evaluated.set(field, context.value(r.get(field)));
                }
            }
            list.add(evaluated);
        }
        return new Evaluation(list, context);
    }

    /** ARM's template language, the part these tests' templates use. */
    private record Context(FakeResourceManager arm, String subscription, ObjectNode group,
            Map<String, JsonNode> parameters, JsonNode variables) {

        JsonNode value(JsonNode node) {
            if (node.isString()) {
                String s = node.asString();
                if (s.startsWith("[[")) {
                    return JsonNodeFactory.instance.stringNode(s.substring(1));
                }
                if (s.startsWith("[") && s.endsWith("]")) {
                    Parser parser = new Parser(s.substring(1, s.length() - 1), this);
                    JsonNode result = parser.expression();
                    parser.end();
                    return result;
                }
                return node;
            }
            if (node.isObject()) {
                ObjectNode copy = JsonNodeFactory.instance.objectNode();
                node.properties().forEach(e -> copy.set(e.getKey(), value(e.getValue())));
                return copy;
            }
            if (node.isArray()) {
                ArrayNode copy = JsonNodeFactory.instance.arrayNode();
                node.forEach(v -> copy.add(value(v)));
                return copy;
            }
            return node;
        }

        String resourceId(String type, String... names) {
            String[] types = type.split("/");
            if (type.equalsIgnoreCase("Microsoft.Resources/resourceGroups")) {
                return "/subscriptions/" + subscription + "/resourceGroups/" + names[0];
            }
            StringBuilder id = new StringBuilder("/subscriptions/" + subscription);
            if (group != null) {
                id.append("/resourceGroups/").append(group.path("name").asString());
            }
            id.append("/providers/").append(types[0]);
            for (int i = 1; i < types.length; i++) {
                id.append('/').append(types[i]).append('/').append(i - 1 < names.length ? names[i - 1] : "");
            }
            return id.toString();
        }

        JsonNode call(String function, List<JsonNode> args) {
            JsonNodeFactory f = JsonNodeFactory.instance;
            return switch (function.toLowerCase(Locale.ROOT)) {
                case "parameters" -> {
                    JsonNode v = parameters.get(args.getFirst().asString().toLowerCase(Locale.ROOT));
                    if (v == null) {
                        throw new InvalidTemplate("The template parameter '" + args.getFirst().asString()
                                + "' is not found");
                    }
                    yield v;
                }
                case "variables" -> value(variables.path(args.getFirst().asString()));
                case "concat" -> {
                    StringBuilder b = new StringBuilder();
                    args.forEach(a -> b.append(a.asString()));
                    yield f.stringNode(b.toString());
                }
                case "format" -> {
                    String text = args.getFirst().asString();
                    for (int i = 1; i < args.size(); i++) {
                        text = text.replace("{" + (i - 1) + "}", args.get(i).asString());
                    }
                    yield f.stringNode(text);
                }
                case "tolower" -> f.stringNode(args.getFirst().asString().toLowerCase(Locale.ROOT));
                case "uniquestring" -> {
                    StringBuilder b = new StringBuilder();
                    args.forEach(a -> b.append(a.asString()).append('|'));
                    yield f.stringNode(hash(b.toString()));
                }
                case "resourcegroup" -> group == null ? f.objectNode() : group;
                case "subscription" -> f.objectNode().put("id", "/subscriptions/" + subscription)
                        .put("subscriptionId", subscription);
                case "resourceid" -> {
                    List<String> names = args.subList(1, args.size()).stream().map(JsonNode::asString).toList();
                    yield f.stringNode(resourceId(args.getFirst().asString(), names.toArray(String[]::new)));
                }
                case "reference" -> {
                    ObjectNode r = arm.resources.get(args.getFirst().asString().toLowerCase(Locale.ROOT));
                    yield r == null ? f.objectNode() : r.path("properties");
                }
                default -> throw new InvalidTemplate("The template function '" + function + "' is not valid");
            };
        }

        private static String hash(String text) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < 13; i++) {
                    b.append((char) ('a' + Math.floorMod(d[i], 26)));
                }
                return b.toString();
            }
            catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** expression := primary ('.' name | '[' expression ']')*; primary := 'text' | number | name '(' args ')'. */
    private static final class Parser {
        private final String text;
        private final Context context;
        private int at;

        Parser(String text, Context context) {
            this.text = text;
            this.context = context;
        }

        JsonNode expression() {
            JsonNode value = primary();
            while (true) {
                space();
                if (peek('.')) {
                    at++;
                    value = value.path(name());
                }
                else if (peek('[')) {
                    at++;
                    JsonNode index = expression();
                    expect(']');
                    value = index.isNumber() ? value.path(index.asInt()) : value.path(index.asString());
                }
                else {
                    return value;
                }
            }
        }

        void end() {
            space();
            if (at != text.length()) {
                throw new InvalidTemplate("Unable to parse language expression '" + text + "'");
            }
        }

        private JsonNode primary() {
            space();
            if (peek('\'')) {
                StringBuilder b = new StringBuilder();
                at++;
                while (true) {
                    if (at >= text.length()) {
                        throw new InvalidTemplate("Unterminated string in '" + text + "'");
                    }
                    char c = text.charAt(at++);
                    if (c == '\'') {
                        if (peek('\'')) {
                            b.append('\'');
                            at++;
                            continue;
                        }
                        return JsonNodeFactory.instance.stringNode(b.toString());
                    }
                    b.append(c);
                }
            }
            if (at < text.length() && Character.isDigit(text.charAt(at))) {
                int start = at;
                while (at < text.length() && Character.isDigit(text.charAt(at))) {
                    at++;
                }
                return JsonNodeFactory.instance.numberNode(Integer.parseInt(text.substring(start, at)));
            }
            String function = name();
            expect('(');
            List<JsonNode> args = new ArrayList<>();
            space();
            if (!peek(')')) {
                do {
                    space();
                    if (peek(',')) {
                        at++;
                    }
                    args.add(expression());
                    space();
                }
                while (peek(','));
            }
            expect(')');
            return context.call(function, args);
        }

        private String name() {
            space();
            int start = at;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
                at++;
            }
            if (start == at) {
                throw new InvalidTemplate("Unable to parse language expression '" + text + "'");
            }
            return text.substring(start, at);
        }

        private boolean peek(char c) {
            return at < text.length() && text.charAt(at) == c;
        }

        private void expect(char c) {
            space();
            if (!peek(c)) {
                throw new InvalidTemplate("Unable to parse language expression '" + text + "': expected " + c);
            }
            at++;
        }

        private void space() {
            while (at < text.length() && text.charAt(at) == ' ') {
                at++;
            }
        }
    }

    // ---- helpers

    private static String scope(String subscription, String group) {
        return ("/subscriptions/" + subscription + (group == null ? "" : "/resourcegroups/" + group))
                .toLowerCase(Locale.ROOT);
    }

    private static Map<String, String> query(String query) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return map;
    }

    private static Reply error(int status, String code, String message) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("error").put("code", code).put("message", message);
        return new Reply(status, body);
    }
}
