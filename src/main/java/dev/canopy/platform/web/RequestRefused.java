package dev.canopy.platform.web;

import java.time.Instant;

import jakarta.servlet.http.HttpServletRequest;

/**
 * A request refused before any handler saw it: throttled sign-in traffic (429), a body over the limit (413), a
 * bearer token that is not valid (401). Such refusals are what an attack produces by the thousand, so the audit
 * module counts them per source and minute instead of recording each.
 */
public record RequestRefused(Kind kind, String source, int status, String code, String method, String path,
        Instant at) {

    public enum Kind {
        THROTTLED("throttled"), BODY_TOO_LARGE("body_too_large"), TOKEN_INVALID("token_invalid");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        /** As the audit record names it. */
        public String key() {
            return key;
        }
    }

    public static RequestRefused of(Kind kind, HttpServletRequest request, int status, String code) {
        return new RequestRefused(kind, request.getRemoteAddr(), status, code, request.getMethod(),
                request.getRequestURI(), Instant.now());
    }
}
