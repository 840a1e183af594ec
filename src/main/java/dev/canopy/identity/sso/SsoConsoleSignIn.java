package dev.canopy.identity.sso;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.canopy.identity.internal.Issuer;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * "Sign in with <provider>" on the console's sign-in page: the same authorization-code + PKCE login as
 * {@code /api/v1/auth/sso/{slug}/login}, marked as the console's, so the shared callback ends it with a console
 * session on the dashboard. A refusal here (no SSO, suspended tenant, provider unreachable) is a console page.
 */
@ConsoleController
class SsoConsoleSignIn {

    private static final String SLUG = "[a-z0-9][a-z0-9-]{1,62}";

    private final SsoLogin login;
    private final SsoAudit audit;
    private final Issuer issuer;

    SsoConsoleSignIn(SsoLogin login, SsoAudit audit, Issuer issuer) {
        this.login = login;
        this.audit = audit;
        this.issuer = issuer;
    }

    @GetMapping("/sign-in/sso/start")
    String start(@RequestParam(required = false) @Nullable String tenant, HttpServletRequest request,
            HttpServletResponse response) {
        if (tenant == null || !tenant.matches(SLUG)) {
            throw SsoConfiguring.notConfigured();
        }
        var attempt = new LoginAttempt();
        try {
            SsoLogin.Started started = login.begin(tenant, "/", issuer.current() + SsoLoginController.CALLBACK,
                    attempt, true);
            response.addHeader(HttpHeaders.SET_COOKIE, SsoLoginController.stateCookie(started.state(),
                    SsoLogin.STATE_LIFETIME, request));
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            return "redirect:" + started.authorizationUrl();
        }
        catch (ApiException refusal) {
            audit.refused(SsoLoginController.facts(request), attempt, refusal, "auth.sso_login_refused");
            throw refusal;
        }
    }
}
