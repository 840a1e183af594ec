package dev.canopy.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.canopy.catalog.internal.InputSchema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A form for a version's inputs, computed from its JSON Schema and the values typed so far: the top-level
 * properties, plus those of {@code then} or {@code else} as the {@code if} holds for the values, and those of a
 * {@code dependentSchemas} entry once its property is given. Secrets become password inputs and are never filled in.
 */
public record InputsForm(List<Field> fields, ObjectNode values) {

    /** One input of the form. */
    public record Field(String name, String label, @Nullable String description, String kind, List<String> options,
            @Nullable String value, boolean required, boolean secret) {

        public boolean checked() {
            return "true".equals(value);
        }
    }

    /** The form for the schema and the submitted values (form parameters named as the properties). */
    public static InputsForm of(JsonNode schema, Map<String, String> submitted) {
        ObjectNode values = valuesOf(schema, submitted);
        var properties = new LinkedHashMap<String, JsonNode>();
        var required = new LinkedHashSet<String>();
        collect(schema, values, properties, required);
        List<Field> fields = new ArrayList<>();
        properties.forEach((name, property) -> fields.add(field(name, property, values, required.contains(name))));
        return new InputsForm(List.copyOf(fields), values);
    }

    private static void collect(JsonNode schema, ObjectNode values, Map<String, JsonNode> properties,
            Set<String> required) {
        schema.path("properties").properties().forEach(e -> properties.putIfAbsent(e.getKey(), e.getValue()));
        schema.path("required").forEach(r -> required.add(r.asString()));
        JsonNode condition = schema.get("if");
        if (condition != null) {
            JsonNode branch = InputSchema.holds(condition, values) ? schema.get("then") : schema.get("else");
            if (branch != null) {
                collect(branch, values, properties, required);
            }
        }
        schema.path("allOf").forEach(part -> collect(part, values, properties, required));
        schema.path("dependentSchemas").properties().forEach(e -> {
            if (values.has(e.getKey())) {
                collect(e.getValue(), values, properties, required);
            }
        });
        schema.path("dependentRequired").properties().forEach(e -> {
            if (values.has(e.getKey())) {
                e.getValue().forEach(r -> required.add(r.asString()));
            }
        });
    }

    /** Typed values as the schema declares them; a number that does not parse stays text so its error shows. */
    private static ObjectNode valuesOf(JsonNode schema, Map<String, String> submitted) {
        ObjectNode values = JsonNodeFactory.instance.objectNode();
        var declared = new LinkedHashMap<String, JsonNode>();
        collectDeclared(schema, declared);
        submitted.forEach((name, raw) -> {
            JsonNode property = declared.get(name);
            if (property == null || raw == null || raw.isBlank()) {
                return;
            }
            String type = property.path("type").asString("string");
            switch (type) {
                case "integer" -> {
                    try {
                        values.put(name, Long.parseLong(raw.strip()));
                    }
                    catch (NumberFormatException e) {
                        values.put(name, raw);
                    }
                }
                case "number" -> {
                    try {
                        values.put(name, Double.parseDouble(raw.strip()));
                    }
                    catch (NumberFormatException e) {
                        values.put(name, raw);
                    }
                }
                case "boolean" -> values.put(name, "true".equals(raw) || "on".equals(raw));
                default -> values.put(name, raw);
            }
        });
        return values;
    }

    /** Every property declared anywhere in the schema, so values of branches not yet shown are kept typed. */
    private static void collectDeclared(JsonNode schema, Map<String, JsonNode> declared) {
        if (!schema.isObject()) {
            return;
        }
        schema.path("properties").properties().forEach(e -> declared.putIfAbsent(e.getKey(), e.getValue()));
        for (String branch : List.of("then", "else")) {
            collectDeclared(schema.path(branch), declared);
        }
        schema.path("allOf").forEach(part -> collectDeclared(part, declared));
        schema.path("dependentSchemas").properties().forEach(e -> collectDeclared(e.getValue(), declared));
    }

    private static Field field(String name, JsonNode property, ObjectNode values, boolean required) {
        boolean secret = property.path("writeOnly").asBoolean(false) || property.path("x-canopy-secret").asBoolean(false);
        List<String> options = new ArrayList<>();
        property.path("enum").forEach(o -> options.add(o.asString()));
        String type = property.path("type").asString("string");
        String kind = secret ? "password" : !options.isEmpty() ? "select" : switch (type) {
            case "boolean" -> "checkbox";
            case "integer", "number" -> "number";
            default -> "text";
        };
        JsonNode current = values.get(name);
        JsonNode fallback = property.get("default");
        String value = secret ? null : current != null ? current.asString() : fallback != null ? fallback.asString()
                : null;
        String label = property.path("title").asString(name);
        JsonNode description = property.get("description");
        return new Field(name, label, description == null ? null : description.asString(), kind, List.copyOf(options),
                value, required, secret);
    }
}
