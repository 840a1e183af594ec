package dev.canopy.platform.security;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;

/** An authentication refusal with the status and stable {@code code} the caller should see. */
public class ProblemAuthenticationException extends AuthenticationException {

    private final HttpStatus status;
    private final String code;

    public ProblemAuthenticationException(HttpStatus status, String code, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }
}
