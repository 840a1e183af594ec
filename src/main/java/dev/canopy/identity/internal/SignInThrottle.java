package dev.canopy.identity.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.canopy.platform.web.Problems;
import dev.canopy.platform.web.RequestRefused;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Per-IP throttling of the endpoints that take credentials or tokens from strangers: a fixed window of
 * one minute per address. Over the limit, 429 {@code TOO_MANY_REQUESTS} with {@code Retry-After}.
 * (Per-account protection is the lockout in {@link SignIn}.)
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class SignInThrottle extends OncePerRequestFilter {

    private static final Pattern THROTTLED = Pattern.compile(
            "/api/v1/auth/(login|refresh|mfa/verify|password-reset(/confirm)?|register|verify-email)"
                    + "|/api/v1/invitations/[^/]+/accept"
                    + "|/sign-in(/mfa)?|/forgot-password|/reset-password|/accept-invitation");
    /** The SSO login start writes a row for every stranger's request; its callback spends provider calls. */
    private static final Pattern THROTTLED_GETS = Pattern.compile("/api/v1/auth/sso/([^/]+/login|callback)");
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final int perMinute;
    private final Problems problems;
    private final Cache<String, Window> windows = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(WINDOW)
            .build();

    private final ApplicationEventPublisher events;

    SignInThrottle(@Value("${canopy.auth.throttle.per-ip-per-minute}") int perMinute, Problems problems,
            ApplicationEventPublisher events) {
        this.events = events;
        this.perMinute = perMinute;
        this.problems = problems;
    }

    /** Requests counted for one address since {@code started}. */
    record Window(Instant started, AtomicInteger count) {
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return "POST".equals(request.getMethod()) ? !THROTTLED.matcher(path).matches()
                : !"GET".equals(request.getMethod()) || !THROTTLED_GETS.matcher(path).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Window window = windows.get(request.getRemoteAddr(), ip -> new Window(Instant.now(), new AtomicInteger()));
        if (window.count().incrementAndGet() > perMinute) {
            long retryAfter = Math.max(1, Duration.between(Instant.now(), window.started().plus(WINDOW)).toSeconds() + 1);
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfter));
            // audited as a count per address and minute: a record each would let the attack flood the chain
            events.publishEvent(RequestRefused.of(RequestRefused.Kind.THROTTLED, request,
                    HttpStatus.TOO_MANY_REQUESTS.value(), "TOO_MANY_REQUESTS"));
            if (!request.getRequestURI().startsWith("/api/")) {
                ConsoleSecurityConfiguration.plainPage(response, HttpStatus.TOO_MANY_REQUESTS,
                        "Too many attempts from your address; try again in " + retryAfter + " seconds.");
                return;
            }
            problems.write(response, problems.of(HttpStatus.TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS",
                    "Too many requests from your address; try again in " + retryAfter + " seconds.", request));
            return;
        }
        chain.doFilter(request, response);
    }
}
