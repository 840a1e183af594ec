package dev.canopy.platform.console;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.web.ApiException;

/**
 * What a console form did wrong: messages per field (shown next to the field, named as the API names it)
 * and one for the form as a whole. Pages render it as {@code errors}.
 */
public final class FormErrors {

    private final Map<String, String> fields = new LinkedHashMap<>();
    private @Nullable String global;

    /** The errors an API rejection carries: its field errors, or its message for the whole form. */
    public static FormErrors of(ApiException e) {
        var errors = new FormErrors();
        if (e.errors().isEmpty()) {
            errors.global = e.getMessage();
        }
        e.errors().forEach(error -> errors.field(error.field(), error.message()));
        return errors;
    }

    public FormErrors field(String field, String message) {
        fields.putIfAbsent(field, message);
        return this;
    }

    /** Checks a required text field: present, not blank, at most {@code max} characters. */
    public FormErrors requireText(String field, @Nullable String value, int max) {
        if (value == null || value.isBlank()) {
            field(field, "is required");
        }
        else if (value.length() > max) {
            field(field, "must be at most " + max + " characters");
        }
        return this;
    }

    public FormErrors global(String message) {
        global = message;
        return this;
    }

    public boolean any() {
        return global != null || !fields.isEmpty();
    }

    public boolean has(String field) {
        return fields.containsKey(field);
    }

    public @Nullable String get(String field) {
        return fields.get(field);
    }

    public Map<String, String> getFields() {
        return fields;
    }

    public @Nullable String getGlobal() {
        return global;
    }
}
