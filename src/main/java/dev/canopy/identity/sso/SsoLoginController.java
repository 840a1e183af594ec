package dev.canopy.identity.sso;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.ModelAndView;

import dev.canopy.identity.internal.ConsoleSessions;
import dev.canopy.identity.internal.Issuer;
import dev.canopy.identity.internal.SignIn;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The browser side of SSO: {@code /api/v1/auth/sso/{tenant_slug}/login} (or the console's
 * {@code /sign-in/sso/start}) redirects to the provider, the provider redirects back to
 * {@code /api/v1/auth/sso/callback}, which sets the refresh-token cookie of the new session (as a password login
 * does) and redirects to the app, which then calls {@code /api/v1/auth/refresh}; or, for a login started from the
 * console, sets the console's session cookies and lands on the dashboard.
 */
@RestController
@RequestMapping("/api/v1/auth/sso")
class SsoLoginController {

    static final String CALLBACK = "/api/v1/auth/sso/callback";
    static final String STATE_COOKIE = "canopy_sso_state";
    /** The cookie and path a password login's refresh token uses (see AuthController). */
    static final String REFRESH_COOKIE = "canopy_refresh";
    private static final String SLUG = "[a-z0-9][a-z0-9-]{1,62}";
    /** A path of this site: one leading slash, never two (which would leave the site), no backslashes. */
    private static final String LOCAL_PATH = "/([^/\\\\][^\\\\]{0,498})?";

    private final SsoLogin login;
    private final SsoAudit audit;
    private final Issuer issuer;
    private final ConsoleSessions sessions;
    private final SsoConsolePages consolePages;

    SsoLoginController(SsoLogin login, SsoAudit audit, Issuer issuer, ConsoleSessions sessions,
            SsoConsolePages consolePages) {
        this.login = login;
        this.audit = audit;
        this.issuer = issuer;
        this.sessions = sessions;
        this.consolePages = consolePages;
    }

    @GetMapping("/{slug}/login")
    ResponseEntity<Void> login(@PathVariable String slug,
            @RequestParam(name = "return_to", required = false) @Nullable String returnTo, HttpServletRequest request) {
        String target = returnTo == null || returnTo.isEmpty() ? "/" : returnTo;
        if (!target.matches(LOCAL_PATH) || target.chars().anyMatch(c -> c < 0x21 || c > 0x7E)) {
            throw ApiException.invalidField("return_to", "must be a path of this site, such as /dashboard");
        }
        if (!slug.matches(SLUG)) {
            throw SsoConfiguring.notConfigured();
        }
        var attempt = new LoginAttempt();
        try {
            SsoLogin.Started started = login.begin(slug, target, issuer.current() + CALLBACK, attempt);
            return ResponseEntity.status(HttpStatus.FOUND)
                    .header(HttpHeaders.LOCATION, started.authorizationUrl())
                    .header(HttpHeaders.SET_COOKIE, stateCookie(started.state(), SsoLogin.STATE_LIFETIME, request))
                    .header(HttpHeaders.CACHE_CONTROL, "no-store")
                    .build();
        }
        catch (ApiException refusal) {
            audit.refused(facts(request), attempt, refusal, "auth.sso_login_refused");
            throw refusal;
        }
    }

    /**
     * The provider's redirect back. A login started from the console ends like a console password sign-in (its
     * session cookies, then the dashboard) and its refusals are console pages; one started through the API sets
     * the refresh-token cookie and its refusals are problem+json, as before.
     */
    @GetMapping("/callback")
    @Nullable ModelAndView callback(@RequestParam(required = false) @Nullable String state,
            @RequestParam(required = false) @Nullable String code,
            @RequestParam(required = false) @Nullable String error,
            @CookieValue(name = STATE_COOKIE, required = false) @Nullable String cookieState,
            HttpServletRequest request, HttpServletResponse response) {
        boolean console = SsoLogin.startedFromConsole(state);
        var attempt = new LoginAttempt();
        SsoLogin.Completed completed;
        try {
            completed = login.complete(state, code, error, cookieState, SignIn.Client.of(request), facts(request),
                    attempt);
        }
        catch (ApiException refusal) {
            audit.refused(facts(request), attempt, refusal, "auth.sso_login_refused");
            if (!console) {
                throw refusal;
            }
            response.addHeader(HttpHeaders.SET_COOKIE, stateCookie("", Duration.ZERO, request));
            return consolePages.refused(refusal, response);
        }
        response.addHeader(HttpHeaders.SET_COOKIE, stateCookie("", Duration.ZERO, request));
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (console) {
            sessions.start(request, response, completed.signedIn());
            response.setStatus(HttpStatus.FOUND.value());
            response.setHeader(HttpHeaders.LOCATION, issuer.current() + "/");
            return null;
        }
        response.addHeader(HttpHeaders.SET_COOKIE, refreshCookie(completed.signedIn().refreshToken(), request));
        response.setStatus(HttpStatus.FOUND.value());
        response.setHeader(HttpHeaders.LOCATION, issuer.current() + completed.returnTo());
        return null;
    }

    static SsoAudit.RequestFacts facts(HttpServletRequest request) {
        return new SsoAudit.RequestFacts(request.getRemoteAddr(), request.getHeader(HttpHeaders.USER_AGENT),
                RequestIds.of(request));
    }

    /** Lax, not Strict: the provider's redirect back is a cross-site top-level navigation. */
    static String stateCookie(String value, Duration maxAge, HttpServletRequest request) {
        return ResponseCookie.from(STATE_COOKIE, value).httpOnly(true).secure(request.isSecure()).sameSite("Lax")
                .path("/api/v1/auth/sso").maxAge(maxAge).build().toString();
    }

    private static String refreshCookie(String value, HttpServletRequest request) {
        return ResponseCookie.from(REFRESH_COOKIE, value).httpOnly(true).secure(request.isSecure()).sameSite("Strict")
                .path("/api/v1/auth").maxAge(SignIn.REFRESH_LIFETIME).build().toString();
    }
}
