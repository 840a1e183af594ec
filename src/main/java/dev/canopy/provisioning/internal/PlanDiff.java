package dev.canopy.provisioning.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A run's normalised change list as the run page shows it to approvers: per change its action and address, and
 * the fields whose value it changes, before and after as pretty JSON (the plan is stored redacted already). When
 * both sides are objects (the Kubernetes driver's dotted paths, a created object's top-level fields) each field is
 * a row; otherwise the whole value is one.
 */
record PlanDiff(String action, String address, List<Field> fields) {

    /** One changed field; a side is null where the field is absent (a create has no before). */
    record Field(String name, @Nullable String before, @Nullable String after) {
    }

    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    static List<PlanDiff> of(@Nullable JsonNode plan) {
        List<PlanDiff> changes = new ArrayList<>();
        if (plan == null || !plan.isArray()) {
            return changes;
        }
        for (JsonNode c : plan) {
            changes.add(new PlanDiff(c.path("action").asString(""), c.path("address").asString(""),
                    fields(c.path("before"), c.path("after"))));
        }
        return changes;
    }

    private static List<Field> fields(JsonNode before, JsonNode after) {
        List<Field> fields = new ArrayList<>();
        boolean noBefore = absent(before);
        boolean noAfter = absent(after);
        if (noBefore && noAfter) {
            return fields;
        }
        if ((before.isObject() || noBefore) && (after.isObject() || noAfter)) {
            Set<String> names = new LinkedHashSet<>();
            after.propertyNames().forEach(names::add);
            before.propertyNames().forEach(names::add);
            for (String name : names) {
                JsonNode b = before.path(name);
                JsonNode a = after.path(name);
                if (!b.equals(a)) {
                    fields.add(new Field(name, text(b), text(a)));
                }
            }
            return fields;
        }
        fields.add(new Field("", text(before), text(after)));
        return fields;
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull();
    }

    private static @Nullable String text(JsonNode node) {
        return absent(node) ? null : PRETTY.writeValueAsString(node);
    }
}
