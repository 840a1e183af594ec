package dev.canopy.platform.web;

import java.time.Duration;
import java.util.List;

import org.springframework.http.HttpStatus;

/** A request that cannot be served, with the HTTP status and stable {@code code} its problem+json carries. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final List<FieldError> errors;
    private Duration retryAfter = Duration.ZERO;

    public ApiException(HttpStatus status, String code, String detail) {
        this(status, code, detail, List.of());
    }

    public ApiException(HttpStatus status, String code, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.errors = List.copyOf(errors);
    }

    public static ApiException notFound(String code, String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, code, detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, "FORBIDDEN", detail);
    }

    public static ApiException badRequest(String code, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, code, detail);
    }

    public static ApiException invalidField(String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "The request has invalid fields.",
                List.of(new FieldError(field, message)));
    }

    public static ApiException conflict(String code, String detail) {
        return new ApiException(HttpStatus.CONFLICT, code, detail);
    }

    /** 429 {@code TOO_MANY_REQUESTS}, answered with a {@code Retry-After} header. */
    public static ApiException tooManyRequests(String detail, Duration retryAfter) {
        var e = new ApiException(HttpStatus.TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS", detail);
        e.retryAfter = retryAfter.isNegative() ? Duration.ZERO : retryAfter;
        return e;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** The same refusal, telling the client when to ask again ({@code Retry-After}). */
    public ApiException retryAfter(Duration after) {
        this.retryAfter = after.isNegative() ? Duration.ZERO : after;
        return this;
    }

    public static ApiException unauthorized(String code, String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, code, detail);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** One invalid field of a request. */
    public record FieldError(String field, String message) {
    }
}
