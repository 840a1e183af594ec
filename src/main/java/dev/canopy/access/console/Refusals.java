package dev.canopy.access.console;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.web.ApiException;
import jakarta.servlet.http.HttpServletResponse;

/** How the access pages turn the management classes' refusals into forms with errors, as the other pages do. */
final class Refusals {

    private Refusals() {
    }

    /**
     * A savepoint for a change whose refusal comes from a failed statement (a taken name): the request's
     * transaction stays usable for the page that explains it.
     */
    static TransactionTemplate savepoint(PlatformTransactionManager transactions) {
        var template = new TransactionTemplate(transactions);
        template.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        return template;
    }

    /**
     * The errors to show next to the form's fields, with the response status: 422 for fields that break the
     * rules, the API's own status for other refusals. Field names like {@code permissions[3]} name the field
     * {@code permissions}, which is one group of checkboxes in the form.
     */
    static FormErrors shown(ApiException e, HttpServletResponse response, String fallbackField) {
        response.setStatus("VALIDATION_FAILED".equals(e.code()) ? HttpStatus.UNPROCESSABLE_CONTENT.value()
                : e.status().value());
        if (e.errors().isEmpty()) {
            return e.status() == HttpStatus.CONFLICT && e.code().endsWith("_TAKEN")
                    ? new FormErrors().field(fallbackField, e.getMessage())
                    : new FormErrors().global(e.getMessage());
        }
        var errors = new FormErrors();
        e.errors().forEach(error -> errors.field(error.field().replaceAll("\\[\\d+]$", ""), error.message()));
        return errors;
    }

    /** A form's version field: required, a number, else 400 naming it (as the API answers). */
    static long version(@Nullable String value) {
        try {
            return Long.parseLong(value == null ? "" : value.trim());
        }
        catch (NumberFormatException e) {
            throw ApiException.invalidField("version", "is required");
        }
    }

    /** An id in a path or a form: anything that is not one names nothing here, so 404 with the given code. */
    static UUID id(@Nullable String value, ApiException notFound) {
        if (value == null || value.length() != 36) {
            throw notFound;
        }
        try {
            return UUID.fromString(value);
        }
        catch (IllegalArgumentException e) {
            throw notFound;
        }
    }

    /** Empty or blank text as absent. */
    static @Nullable String text(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
