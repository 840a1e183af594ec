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

import dev.canopy.identity.internal.Issuer;
import dev.canopy.identity.internal.SignIn;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.RequestIds;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The browser side of SSO: {@code /api/v1/auth/sso/{tenant_slug}/login} redirects to the provider, the
 * provider redirects back to {@code /api/v1/auth/sso/callback}, which sets the refresh-token cookie of the new
 * session (as a password login does) and redirects to the console, which then calls {@code /api/v1/auth/refresh}.
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

    SsoLoginController(SsoLogin login, SsoAudit audit, Issuer issuer) {
        this.login = login;
        this.audit = audit;
        this.issuer = issuer;
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

    @GetMapping("/callback")
    ResponseEntity<Void> callback(@RequestParam(required = false) @Nullable String state,
            @RequestParam(required = false) @Nullable String code,
            @RequestParam(required = false) @Nullable String error,
            @CookieValue(name = STATE_COOKIE, required = false) @Nullable String cookieState,
            HttpServletRequest request) {
        var attempt = new LoginAttempt();
        try {
            SsoLogin.Completed completed = login.complete(state, code, error, cookieState,
                    SignIn.Client.of(request),
                    facts(request), attempt);
            return ResponseEntity.status(HttpStatus.FOUND)
                    .header(HttpHeaders.LOCATION, issuer.current() + completed.returnTo())
                    .header(HttpHeaders.SET_COOKIE, refreshCookie(completed.signedIn().refreshToken(), request))
                    .header(HttpHeaders.SET_COOKIE, stateCookie("", Duration.ZERO, request))
                    .header(HttpHeaders.CACHE_CONTROL, "no-store")
                    .build();
        }
        catch (ApiException refusal) {
            audit.refused(facts(request), attempt, refusal, "auth.sso_login_refused");
            throw refusal;
        }
    }

    private static SsoAudit.RequestFacts facts(HttpServletRequest request) {
        return new SsoAudit.RequestFacts(request.getRemoteAddr(), request.getHeader(HttpHeaders.USER_AGENT),
                RequestIds.of(request));
    }

    /** Lax, not Strict: the provider's redirect back is a cross-site top-level navigation. */
    private static String stateCookie(String value, Duration maxAge, HttpServletRequest request) {
        return ResponseCookie.from(STATE_COOKIE, value).httpOnly(true).secure(request.isSecure()).sameSite("Lax")
                .path("/api/v1/auth/sso").maxAge(maxAge).build().toString();
    }

    private static String refreshCookie(String value, HttpServletRequest request) {
        return ResponseCookie.from(REFRESH_COOKIE, value).httpOnly(true).secure(request.isSecure()).sameSite("Strict")
                .path("/api/v1/auth").maxAge(SignIn.REFRESH_LIFETIME).build().toString();
    }
}
