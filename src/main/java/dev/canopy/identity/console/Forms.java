package dev.canopy.identity.console;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.web.ApiException;

/** Parsing form values the way the API validates JSON: a bad value is a 400 naming the field. */
final class Forms {

    private Forms() {
    }

    static UUID uuid(String field, @Nullable String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalidField(field, "is required");
        }
        try {
            return UUID.fromString(value.trim());
        }
        catch (IllegalArgumentException e) {
            throw ApiException.invalidField(field, "is not an id");
        }
    }

    static long version(@Nullable String value) {
        try {
            return Long.parseLong(value == null ? "" : value.trim());
        }
        catch (NumberFormatException e) {
            throw ApiException.invalidField("version", "is required");
        }
    }

    /** Checkbox values: absent means none. */
    static List<String> values(@Nullable List<String> values) {
        return values == null ? List.of() : values.stream().filter(v -> !v.isBlank()).distinct().toList();
    }
}
