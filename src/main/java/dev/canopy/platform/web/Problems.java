package dev.canopy.platform.web;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/** Builds and writes RFC 9457 problem details carrying Canopy's stable {@code code} and the request id. */
@Component
public class Problems {

    private final JsonMapper json;

    public Problems(JsonMapper json) {
        this.json = json;
    }

    public ProblemDetail of(HttpStatusCode status, String code, String detail, HttpServletRequest request) {
        return of(status, code, detail, List.of(), request);
    }

    public ProblemDetail of(HttpStatusCode status, String code, String detail, List<ApiException.FieldError> errors,
            HttpServletRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        decorate(problem, code, errors, request);
        return problem;
    }

    void decorate(ProblemDetail problem, String code, List<ApiException.FieldError> errors,
            HttpServletRequest request) {
        problem.setType(URI.create("urn:canopy:problem:" + code.toLowerCase(Locale.ROOT).replace('_', '-')));
        problem.setProperty("code", code);
        problem.setProperty("request_id", RequestIds.of(request));
        if (!errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
    }

    /** For filters that answer before Spring MVC is reached (authentication, size limits). */
    public void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
