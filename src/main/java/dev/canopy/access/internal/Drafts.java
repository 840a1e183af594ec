package dev.canopy.access.internal;

import java.util.Comparator;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.canopy.platform.web.ApiException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

/**
 * Checks a draft against its constraints outside a JSON request (the console's forms), answering as the API
 * does for {@code @Valid} bodies: 400 {@code VALIDATION_FAILED} with one error per field, named in snake_case.
 */
@Component
public class Drafts {

    private final Validator validator;

    Drafts(Validator validator) {
        this.validator = validator;
    }

    public <T> T check(T draft) {
        var violations = validator.validate(draft);
        if (violations.isEmpty()) {
            return draft;
        }
        List<ApiException.FieldError> errors = violations.stream()
                .sorted(Comparator.comparing((ConstraintViolation<T> v) -> v.getPropertyPath().toString()))
                .map(v -> new ApiException.FieldError(snakeCase(v.getPropertyPath().toString()), v.getMessage()))
                .toList();
        throw new ApiException(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "The request has invalid fields.", errors);
    }

    private static String snakeCase(String path) {
        return path.replace(".<list element>", "").replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
