package dev.canopy.platform.web;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error leaves the API as problem+json with a stable {@code code}: Canopy's own rejections,
 * Spring MVC's (404, 405, 415, ...), unreadable or invalid bodies, and, without any detail, failures.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private static final Map<Integer, String> CODES = Map.of(400, "BAD_REQUEST", 401, "UNAUTHENTICATED", 403,
            "FORBIDDEN", 404, "NOT_FOUND", 405, "METHOD_NOT_ALLOWED", 406, "NOT_ACCEPTABLE", 409, "CONFLICT", 413,
            "PAYLOAD_TOO_LARGE", 415, "UNSUPPORTED_MEDIA_TYPE", 503, "UNAVAILABLE");

    private final Problems problems;

    ProblemHandler(Problems problems) {
        this.problems = problems;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> rejected(ApiException e, HttpServletRequest request) {
        var response = ResponseEntity.status(e.status());
        if (e.status() == HttpStatus.TOO_MANY_REQUESTS || e.status() == HttpStatus.SERVICE_UNAVAILABLE) {
            // rounded up: retrying after the stated seconds must succeed
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, e.retryAfter().toSeconds() + 1)));
        }
        return response.body(problems.of(e.status(), e.code(), e.getMessage(), e.errors(),
                request));
    }

    @ExceptionHandler(DuplicateKeyException.class)
    ResponseEntity<ProblemDetail> duplicate(DuplicateKeyException e, HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problems.of(HttpStatus.CONFLICT, "CONFLICT",
                "The request conflicts with an existing resource.", request));
    }

    /**
     * A value the database cannot store (SQLSTATE class 22, "data exception"), such as text with a NUL
     * character, comes from the request: the caller's mistake, not a failure.
     */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> unstorable(DataIntegrityViolationException e, HttpServletRequest request) {
        if (!dataException(e)) {
            return failed(e, request);
        }
        return ResponseEntity.badRequest().body(problems.of(HttpStatus.BAD_REQUEST, "INVALID_VALUE",
                "The request contains a value that cannot be stored, such as text with a NUL character.", request));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> failed(Exception e, HttpServletRequest request) {
        log.error("Request {} {} failed", request.getMethod(), request.getRequestURI(), e);
        return ResponseEntity.internalServerError().body(problems.of(HttpStatus.INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR", "Something went wrong on our side; the request id helps us find out what.",
                request));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Throwable cause = jacksonCause(e);
        if (causedBy(e, RequestBodyLimit.BodyTooLargeException.class)) {
            return problem(HttpStatus.CONTENT_TOO_LARGE, "PAYLOAD_TOO_LARGE", "The request body is too large.",
                    List.of(), request);
        }
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return problem(HttpStatus.BAD_REQUEST, "UNKNOWN_FIELD", "Unknown field '" + unknown.getPropertyName()
                    + "'.", List.of(new ApiException.FieldError(path(unknown), "is not a known field")), request);
        }
        if (cause instanceof InvalidFormatException || cause instanceof MismatchedInputException) {
            var mismatch = (JacksonException) cause;
            String field = path(mismatch);
            return problem(HttpStatus.BAD_REQUEST, "INVALID_TYPE", "A field has the wrong type.",
                    List.of(new ApiException.FieldError(field.isEmpty() ? "$" : field,
                            "has the wrong type or format")), request);
        }
        if (cause instanceof StreamReadException) {
            return problem(HttpStatus.BAD_REQUEST, "MALFORMED_JSON", "The request body is not valid JSON.",
                    List.of(), request);
        }
        return problem(HttpStatus.BAD_REQUEST, "MISSING_BODY", "The request needs a JSON body.", List.of(), request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<ApiException.FieldError> errors = e.getBindingResult().getFieldErrors().stream()
                .map(error -> new ApiException.FieldError(snakeCase(error.getField()),
                        String.valueOf(error.getDefaultMessage())))
                .toList();
        return problem(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "The request has invalid fields.", errors,
                request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<ApiException.FieldError> errors = e.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> new ApiException.FieldError(
                                snakeCase(result.getMethodParameter().getParameterName()),
                                String.valueOf(error.getDefaultMessage()))))
                .toList();
        return problem(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "The request has invalid parameters.", errors,
                request);
    }

    /** A query parameter or path variable that does not convert, such as {@code limit=abc}. */
    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException argument ? argument.getName()
                : e.getPropertyName();
        return problem(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "The request has invalid parameters.",
                List.of(new ApiException.FieldError(snakeCase(name), "has the wrong type or format")), request);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, @Nullable Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            String code = CODES.getOrDefault(status.value(), status.is4xxClientError() ? "BAD_REQUEST" : "ERROR");
            if (problem.getProperties() == null || !problem.getProperties().containsKey("code")) {
                problems.decorate(problem, code, List.of(), servletRequest(request));
            }
        }
        return response;
    }

    private ResponseEntity<Object> problem(HttpStatus status, String code, String detail,
            List<ApiException.FieldError> errors, WebRequest request) {
        return ResponseEntity.status(status).body(problems.of(status, code, detail, errors, servletRequest(request)));
    }

    private static HttpServletRequest servletRequest(WebRequest request) {
        return ((NativeWebRequest) request).getNativeRequest(HttpServletRequest.class);
    }

    private static boolean dataException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The innermost Jackson exception, which says what was wrong with the body. Not simply the most specific
     * cause: a value Jackson could not convert (a malformed timestamp) carries the converter's exception.
     */
    private static Throwable jacksonCause(HttpMessageNotReadableException e) {
        Throwable found = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JacksonException) {
                found = t;
            }
        }
        return found != null ? found : e.getMostSpecificCause();
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String path(JacksonException e) {
        var path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            }
            else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    static String snakeCase(@Nullable String name) {
        return name == null ? "" : name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
