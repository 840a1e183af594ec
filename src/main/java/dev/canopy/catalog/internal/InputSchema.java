package dev.canopy.catalog.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.networknt.schema.Error;
import com.networknt.schema.Result;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;

import dev.canopy.catalog.InputErrors;
import dev.canopy.catalog.InputErrors.InputError;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A version's {@code inputs} schema (JSON Schema 2020-12), compiled once: checks inputs with networknt's validator
 * (format assertions on, remote {@code $ref}s never fetched), applies defaults, and knows which inputs are secrets.
 */
public final class InputSchema {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false))
                    .schemaRegistryConfig(com.networknt.schema.SchemaRegistryConfig.builder()
                            .pathType(PathType.JSON_POINTER).formatAssertionsEnabled(true).build()));
    private static final Schema META_SCHEMA = REGISTRY
            .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    private static final int MAX_ERRORS = 100;

    private final Schema schema;
    private final JsonNode node;
    private final Set<String> secretPointers;

    private InputSchema(Schema schema, JsonNode node, Set<String> secretPointers) {
        this.schema = schema;
        this.node = node;
        this.secretPointers = secretPointers;
    }

    /** Compiles a manifest's {@code inputs}, refusing what is not a valid 2020-12 schema of an object. */
    public static InputSchema compile(JsonNode inputs) throws InvalidSchemaException {
        List<String> problems = new ArrayList<>();
        for (Error e : META_SCHEMA.validate(inputs)) {
            problems.add(pointerOf(e) + ": " + e.getMessage());
        }
        if (problems.isEmpty() && !"object".equals(inputs.path("type").asString(""))) {
            problems.add("/type: inputs must be a schema of type \"object\"");
        }
        if (!problems.isEmpty()) {
            throw new InvalidSchemaException(problems.subList(0, Math.min(problems.size(), 20)));
        }
        try {
            Schema compiled = REGISTRY.getSchema(inputs);
            compiled.initializeValidators();
            var secrets = new LinkedHashSet<String>();
            collectSecrets(inputs, "", secrets);
            return new InputSchema(compiled, inputs, Set.copyOf(secrets));
        }
        catch (RuntimeException e) {
            // an unresolvable $ref (remote ones are never fetched), an unsupported keyword value
            throw new InvalidSchemaException(List.of(reason(e)));
        }
    }

    /** What the validator could not compile, without the exception's class names. */
    private static String reason(RuntimeException e) {
        String message = String.valueOf(e.getMessage()).replaceAll("(?:[\\w$]+\\.)*\\w*(?:Exception|Error): ", "");
        return e.getMessage() != null && e.getMessage().contains("FileNotFoundException")
                ? "a $ref cannot be resolved: " + message + " (remote references are not fetched)"
                : "cannot be compiled: " + message;
    }

    /** Checks inputs, applying the schema's defaults to {@code inputs} itself. */
    public InputErrors validate(ObjectNode inputs) {
        Result result = schema.walk(inputs, true, context -> context.walkConfig(walk -> walk
                .applyDefaultsStrategy(defaults -> defaults.applyPropertyDefaults(true))));
        List<InputError> errors = new ArrayList<>();
        for (Error e : result.getErrors()) {
            if (errors.size() == MAX_ERRORS) {
                break;
            }
            String pointer = pointerOf(e);
            // a secret's value must never come back, not even inside a message
            String message = isSecret(pointer) ? "is not valid (" + e.getKeyword() + ")" : messageOf(e);
            errors.add(new InputError(pointer, message));
        }
        return new InputErrors(errors.isEmpty(), List.copyOf(errors));
    }

    /** Whether values satisfy a subschema of this one (an {@code if}), as the console's form decides what applies. */
    public static boolean holds(JsonNode subschema, JsonNode values) {
        try {
            return REGISTRY.getSchema(subschema).validate(values).isEmpty();
        }
        catch (RuntimeException e) {
            return false;
        }
    }

    public Set<String> secretPointers() {
        return secretPointers;
    }

    public JsonNode node() {
        return node;
    }

    private boolean isSecret(String pointer) {
        return secretPointers.stream().anyMatch(s -> pointer.equals(s) || pointer.startsWith(s + "/"));
    }

    /** The pointer of the offending input; for a missing required property, the property's own pointer. */
    private static String pointerOf(Error e) {
        String at = e.getInstanceLocation().toString();
        if ("required".equals(e.getKeyword()) && e.getProperty() != null) {
            return at + "/" + escape(e.getProperty());
        }
        // the dependent property that is missing comes first in the message's arguments
        if ("dependentRequired".equals(e.getKeyword()) && e.getArguments() != null && e.getArguments().length > 0) {
            return at + "/" + escape(String.valueOf(e.getArguments()[0]));
        }
        return at;
    }

    /** networknt starts its messages with the location; the pointer already says it. */
    private static String messageOf(Error e) {
        String message = e.getMessage();
        String at = e.getInstanceLocation().toString();
        if (message.startsWith(at + ": ")) {
            message = message.substring(at.length() + 2);
        }
        else if (!at.isEmpty() && message.startsWith(at + " ")) {
            message = message.substring(at.length() + 1);
        }
        return message;
    }

    /**
     * Secrets are properties marked {@code writeOnly} or {@code x-canopy-secret}, found wherever properties are
     * declared (also in {@code if/then/else}, {@code allOf}, {@code dependentSchemas}), since any branch may apply.
     */
    private static void collectSecrets(JsonNode schema, String pointer, Set<String> secrets) {
        if (!schema.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            JsonNode sub = property.getValue();
            String at = pointer + "/" + escape(property.getKey());
            if (sub.path("writeOnly").asBoolean(false) || sub.path("x-canopy-secret").asBoolean(false)) {
                secrets.add(at);
            }
            collectSecrets(sub, at, secrets);
        }
        for (String branch : List.of("if", "then", "else", "not")) {
            collectSecrets(schema.path(branch), pointer, secrets);
        }
        for (String list : List.of("allOf", "anyOf", "oneOf")) {
            for (Iterator<JsonNode> it = schema.path(list).values().iterator(); it.hasNext();) {
                collectSecrets(it.next(), pointer, secrets);
            }
        }
        for (Map.Entry<String, JsonNode> dependent : schema.path("dependentSchemas").properties()) {
            collectSecrets(dependent.getValue(), pointer, secrets);
        }
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /** A manifest's {@code inputs} that is no valid schema, with what is wrong. */
    public static final class InvalidSchemaException extends Exception {

        private final List<String> problems;

        InvalidSchemaException(List<String> problems) {
            super(String.join("; ", problems), null, false, false);
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
