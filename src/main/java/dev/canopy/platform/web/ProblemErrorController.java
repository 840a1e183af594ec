package dev.canopy.platform.web;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Errors that never reached a controller (the container's own, or a filter's) also leave as
 * problem+json, without the exception or its message; a filter's deliberate refusal (an {@link ApiException}, such as
 * a tenant whose schema is being migrated) keeps its own status, code, detail and Retry-After.
 */
@RestController
class ProblemErrorController implements ErrorController {

    private final Problems problems;
    private final ProblemHandler handler;

    ProblemErrorController(Problems problems, ProblemHandler handler) {
        this.problems = problems;
        this.handler = handler;
    }

    @RequestMapping("/error")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        for (Object failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION); failure instanceof Throwable t;
                failure = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ApiException refused) {
                return handler.rejected(refused, request);
            }
        }
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // asked for directly, /error is just a page that does not exist
        HttpStatus status = code == null ? HttpStatus.NOT_FOUND
                : code instanceof Integer value && HttpStatus.resolve(value) != null ? HttpStatus.valueOf(value)
                        : HttpStatus.INTERNAL_SERVER_ERROR;
        String problemCode = status.is5xxServerError() ? "INTERNAL_ERROR"
                : status.name().equals("CONTENT_TOO_LARGE") ? "PAYLOAD_TOO_LARGE" : status.name();
        return ResponseEntity.status(status).body(problems.of(status, problemCode, status.getReasonPhrase(), request));
    }
}
