package dev.canopy.catalog;

import java.util.List;

/** The outcome of checking inputs against a version's schema: {@code {valid, errors: [{pointer, message}]}}. */
public record InputErrors(boolean valid, List<InputError> errors) {

    /** One violation, located by the JSON Pointer of the offending input ({@code ""} for the whole object). */
    public record InputError(String pointer, String message) {
    }
}
