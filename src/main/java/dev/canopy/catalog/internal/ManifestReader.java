package dev.canopy.catalog.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads and checks {@code canopy.yaml}; every problem of its fields is listed at once. */
public final class ManifestReader {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final Set<String> KEYS = Set.of("name", "version", "driver", "description", "inputs", "outputs",
            "ui");
    private static final int MAX_MANIFEST = 256 * 1024;

    private ManifestReader() {
    }

    /** The manifest and its compiled input schema, or 400 with the code of what is wrong. */
    public static Parsed read(byte[] yaml) {
        if (yaml.length > MAX_MANIFEST) {
            throw ApiException.badRequest("MANIFEST_INVALID", ArchiveInspection.MANIFEST + " is larger than "
                    + MAX_MANIFEST / 1024 + " KiB.");
        }
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        }
        catch (JacksonException | IllegalArgumentException e) {
            throw ApiException.badRequest("MANIFEST_INVALID", ArchiveInspection.MANIFEST + " is not valid YAML.");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("MANIFEST_INVALID", ArchiveInspection.MANIFEST
                    + " must be a mapping of name, version, driver, inputs, ...");
        }
        var errors = new ArrayList<FieldError>();
        for (String key : root.propertyNames()) {
            if (!KEYS.contains(key) && !key.startsWith("x-")) {
                errors.add(new FieldError(key, "is not a manifest field (use an x- prefix for your own)"));
            }
        }
        String name = text(root, "name", 100, true, errors);
        String description = text(root, "description", 2000, false, errors);
        String versionText = text(root, "version", 128, true, errors);
        String driverKey = text(root, "driver", 40, true, errors);
        JsonNode inputs = root.has("inputs") ? root.get("inputs")
                : JsonNodeFactory.instance.objectNode().put("type", "object");
        if (!inputs.isObject()) {
            errors.add(new FieldError("inputs", "must be a JSON Schema (a mapping)"));
        }
        JsonNode outputs = root.has("outputs") ? root.get("outputs") : JsonNodeFactory.instance.objectNode();
        checkOutputs(outputs, errors);
        JsonNode ui = root.get("ui");
        if (ui != null && !ui.isObject()) {
            errors.add(new FieldError("ui", "must be a mapping of hints"));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "MANIFEST_INVALID",
                    ArchiveInspection.MANIFEST + " has invalid fields.", errors);
        }
        SemVer version = SemVer.parse(versionText).orElseThrow(() -> new ApiException(HttpStatus.BAD_REQUEST,
                "INVALID_VERSION", "'" + versionText + "' is not a semantic version (like 1.4.0 or 2.0.0-rc.1).",
                List.of(new FieldError("version", "must be a semantic version"))));
        Driver driver = Driver.of(driverKey).orElseThrow(() -> new ApiException(HttpStatus.BAD_REQUEST,
                "UNKNOWN_DRIVER", "'" + driverKey + "' is not a driver.",
                List.of(new FieldError("driver", "must be one of " + String.join(", ", Driver.keys())))));
        InputSchema schema;
        try {
            schema = InputSchema.compile(inputs);
        }
        catch (InputSchema.InvalidSchemaException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "INPUTS_SCHEMA_INVALID",
                    "The manifest's inputs are not a valid JSON Schema 2020-12 of an object.",
                    e.problems().stream().map(p -> new FieldError("inputs", p)).toList());
        }
        return new Parsed(new Manifest(name, version, driver, description == null ? "" : description, inputs,
                outputs, ui, (ObjectNode) root), schema);
    }

    /** A manifest with its compiled schema. */
    public record Parsed(Manifest manifest, InputSchema schema) {
    }

    private static @Nullable String text(JsonNode root, String key, int max, boolean required,
            List<FieldError> errors) {
        JsonNode value = root.get(key);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(new FieldError(key, "is required"));
            }
            return null;
        }
        // YAML reads 1.0 as a number; a version must be quoted or have three parts anyway
        if (!value.isString() && !(key.equals("version") && value.isNumber())) {
            errors.add(new FieldError(key, "must be a string"));
            return null;
        }
        String text = value.asString().strip();
        if ((required && text.isEmpty()) || text.length() > max) {
            errors.add(new FieldError(key, "must be 1 to " + max + " characters"));
        }
        return text;
    }

    private static void checkOutputs(JsonNode outputs, List<FieldError> errors) {
        if (!outputs.isObject()) {
            errors.add(new FieldError("outputs", "must be a mapping of output names to their descriptions"));
            return;
        }
        for (Map.Entry<String, JsonNode> output : outputs.properties()) {
            JsonNode value = output.getValue();
            if (!value.isObject() && !value.isString()) {
                errors.add(new FieldError("outputs." + output.getKey(),
                        "must be a description or a mapping (description, type, sensitive)"));
            }
        }
    }
}
