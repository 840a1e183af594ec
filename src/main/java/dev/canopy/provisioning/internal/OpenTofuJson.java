package dev.canopy.provisioning.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the engines' machine-readable output means to Canopy: {@code show -json} of a plan as the normalised change
 * list, {@code -json} UI lines as log lines, {@code output -json} as outputs. Values the engine marks sensitive
 * never leave it ({@code (sensitive)}), values it only knows after apply say so.
 */
final class OpenTofuJson {

    static final String SENSITIVE = "(sensitive)";
    static final String UNKNOWN = "(known after apply)";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Map<String, String> LEVELS = Map.of("trace", "debug", "debug", "debug", "info", "info",
            "warn", "warn", "error", "error");

    private OpenTofuJson() {
    }

    /** The managed resources' changes of a plan ({@code show -json}); data sources' reads are not changes. */
    static List<DriverResult.Change> changes(JsonNode plan) {
        List<DriverResult.Change> changes = new ArrayList<>();
        for (JsonNode resource : plan.path("resource_changes")) {
            if (!resource.path("mode").asString("managed").equals("managed")) {
                continue;
            }
            JsonNode change = resource.path("change");
            String action = action(change.path("actions"));
            if (action == null) {
                continue;
            }
            changes.add(new DriverResult.Change(action, resource.path("address").asString(),
                    shown(change.path("before"), change.path("before_sensitive"), null),
                    shown(change.path("after"), change.path("after_sensitive"), change.path("after_unknown"))));
        }
        return changes;
    }

    private static @Nullable String action(JsonNode actions) {
        List<String> list = new ArrayList<>();
        actions.forEach(a -> list.add(a.asString()));
        if (list.contains("delete") && list.contains("create")) {
            return "replace"; // create-before-destroy or destroy-before-create
        }
        if (list.size() != 1) {
            return list.isEmpty() ? null : "update";
        }
        return switch (list.getFirst()) {
            case "no-op" -> "no-op";
            case "create" -> "create";
            case "update" -> "update";
            // forget leaves the object in place but takes it out of the deployment: for the deployment, it is gone
            case "delete", "forget" -> "delete";
            case "read" -> null;
            default -> "update";
        };
    }

    /** A value with what is sensitive replaced by {@link #SENSITIVE} and what is unknown by {@link #UNKNOWN}. */
    static JsonNode shown(JsonNode value, JsonNode sensitive, @Nullable JsonNode unknown) {
        if (sensitive.isBoolean() && sensitive.asBoolean()) {
            return NODES.stringNode(SENSITIVE);
        }
        if (unknown != null && unknown.isBoolean() && unknown.asBoolean()) {
            return NODES.stringNode(UNKNOWN);
        }
        if (value.isMissingNode()) {
            return NODES.nullNode();
        }
        if (value.isObject()) {
            ObjectNode out = NODES.objectNode();
            value.properties().forEach(e -> out.set(e.getKey(), shown(e.getValue(), sensitive.path(e.getKey()),
                    unknown == null ? null : unknown.path(e.getKey()))));
            if (unknown != null && unknown.isObject()) {
                unknown.properties().forEach(e -> {
                    if (!out.has(e.getKey()) && e.getValue().asBoolean(false)) {
                        out.put(e.getKey(), UNKNOWN);
                    }
                });
            }
            return out;
        }
        if (value.isArray()) {
            ArrayNode out = NODES.arrayNode();
            for (int i = 0; i < value.size(); i++) {
                out.add(shown(value.get(i), sensitive.path(i), unknown == null ? null : unknown.path(i)));
            }
            return out;
        }
        return value;
    }

    /** The outputs of {@code output -json}; sensitive ones are named but not shown. */
    static ObjectNode outputs(JsonNode outputs) {
        ObjectNode out = NODES.objectNode();
        outputs.properties().forEach(e -> out.set(e.getKey(), e.getValue().path("sensitive").asBoolean(false)
                ? NODES.stringNode(SENSITIVE) : e.getValue().path("value")));
        return out;
    }

    /** One {@code -json} UI line as a log line (level, text); a line that is no JSON is kept as it is. */
    static UiLine uiLine(String line) {
        JsonNode event;
        try {
            event = line.startsWith("{") ? JSON.readTree(line) : null;
        }
        catch (JacksonException e) {
            event = null;
        }
        if (event == null || !event.isObject() || !event.has("@message")) {
            return new UiLine("info", line, null);
        }
        String level = LEVELS.getOrDefault(event.path("@level").asString("info"), "info");
        String text = event.path("@message").asString();
        String error = null;
        JsonNode diagnostic = event.path("diagnostic");
        if (diagnostic.isObject()) {
            JsonNode range = diagnostic.path("range");
            if (range.isObject()) {
                text += " (" + range.path("filename").asString() + ":" + range.path("start").path("line").asInt()
                        + ")";
            }
            String detail = diagnostic.path("detail").asString("").replaceAll("\\s*\\n\\s*", " ").strip();
            if (!detail.isEmpty()) {
                text += ": " + detail;
            }
            if (diagnostic.path("severity").asString().equals("error")) {
                error = diagnostic.path("summary").asString() + (detail.isEmpty() ? "" : ": " + detail);
            }
        }
        return new UiLine(level, text, error);
    }

    /** A line for the run's log, and the error it reports if it is an error diagnostic. */
    record UiLine(String level, String text, @Nullable String error) {
    }
}
