package dev.canopy.identity.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.util.WebUtils;

import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.internal.SignIn;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Serves a well-formed token refresh without Spring MVC's handler machinery, which took about a fifth of a
 * refresh's Java CPU (docs/benchmarks.md): the refresh is the API's hottest call. Anything else that reaches the
 * refresh path (no JSON body, a body that does not parse, a token too long) continues to
 * {@link AuthController#refresh}, so bad input is answered in one place. Runs after the request's audit
 * filter, inside its transaction, and records what the controller's {@link Audited} says.
 */
@Component
@Order(1) // after AuditedRequests (0), which opens the request's transaction and audit record
class DirectRefresh extends OncePerRequestFilter {

    private static final String PATH = "/api/v1/auth/refresh";
    /** A refresh body is about 70 bytes; larger ones are unusual and take the ordinary path. */
    private static final int MAX_DIRECT_BODY = 1024;

    private final SignIn signIn;
    private final AuditTrail audit;
    private final JsonMapper json;
    private final HandlerExceptionResolver problems;
    private final Audited audited;

    DirectRefresh(SignIn signIn, AuditTrail audit, JsonMapper json,
            @Qualifier("handlerExceptionResolver") HandlerExceptionResolver problems) throws NoSuchMethodException {
        this.signIn = signIn;
        this.audit = audit;
        this.json = json;
        this.problems = problems;
        Method handler = AuthController.class.getDeclaredMethod("refresh", AuthController.RefreshRequest.class,
                String.class, HttpServletRequest.class);
        this.audited = handler.getAnnotation(Audited.class);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        int length = request.getContentLength();
        return !"POST".equals(request.getMethod()) || !PATH.equals(request.getRequestURI()) || length < 1
                || length > MAX_DIRECT_BODY || !isJson(request.getContentType());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // at most MAX_DIRECT_BODY bytes: the container reads no further than the declared length
        byte[] body = request.getInputStream().readAllBytes();
        String token = token(body, request);
        if (token == null) {
            chain.doFilter(new ReadBody(request, body), response);
            return;
        }
        audit.handledAs(audited);
        ServerHttpObservationFilter.findObservationContext(request)
                .ifPresent(metrics -> metrics.setPathPattern(PATH));
        SignIn.SignedIn signedIn;
        try {
            signedIn = signIn.refresh(token, SignIn.Client.of(request));
        }
        catch (ApiException refused) {
            problems.resolveException(request, response, null, refused);
            return;
        }
        // the controller's response, written without its message converters
        ResponseEntity<AuthController.TokenResponse> answer = AuthController.withCookie(signedIn, request);
        answer.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), answer.getBody());
    }

    /** The token to rotate, or null when the controller should look at this request. */
    private @Nullable String token(byte[] body, HttpServletRequest request) {
        AuthController.RefreshRequest parsed;
        try {
            parsed = json.readValue(body, AuthController.RefreshRequest.class);
        }
        catch (JacksonException e) {
            return null;
        }
        String token = parsed != null && parsed.refreshToken() != null ? parsed.refreshToken() : cookie(request);
        return token == null || token.isBlank() || token.length() > AuthController.MAX_REFRESH_TOKEN ? null : token;
    }

    private static @Nullable String cookie(HttpServletRequest request) {
        Cookie cookie = WebUtils.getCookie(request, AuthController.REFRESH_COOKIE);
        return cookie == null ? null : cookie.getValue();
    }

    private static boolean isJson(@Nullable String contentType) {
        try {
            return contentType != null
                    && MediaType.APPLICATION_JSON.isCompatibleWith(MediaType.parseMediaType(contentType));
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The request with the body this filter already read, for the controller to read again. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            var bytes = new ByteArrayInputStream(body);
            return new ServletInputStream() {

                @Override
                public int read() {
                    return bytes.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return bytes.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return bytes.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("The body is already read");
                }
            };
        }
    }
}
