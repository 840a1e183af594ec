package dev.canopy.identity.console;

import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.web.Audited;
import dev.canopy.identity.internal.ApiKeyDirectory;
import dev.canopy.identity.internal.ConsoleSessions;
import dev.canopy.identity.internal.MultiFactor;
import dev.canopy.identity.internal.Session;
import dev.canopy.identity.internal.Sessions;
import dev.canopy.identity.internal.SignIn;
import dev.canopy.identity.internal.UserAccount;
import dev.canopy.identity.internal.UserAccounts;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.PageRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The signed-in person's own page: name, password, MFA enrolment (QR code, recovery codes shown once),
 * sessions with revoke, and the current tenant's API keys for those who may see them.
 */
@ConsoleController
class ProfilePages {

    static final String VIEW = "console/profile";

    private final UserAccounts users;
    private final TenantTransactions scopes;
    private final SignIn signIn;
    private final Sessions sessions;
    private final ConsoleSessions consoleSessions;
    private final MultiFactor multiFactor;
    private final ApiKeyDirectory apiKeys;
    private final AuditTrail audit;

    ProfilePages(UserAccounts users, TenantTransactions scopes, SignIn signIn, Sessions sessions,
            ConsoleSessions consoleSessions, MultiFactor multiFactor, ApiKeyDirectory apiKeys, AuditTrail audit) {
        this.users = users;
        this.scopes = scopes;
        this.signIn = signIn;
        this.sessions = sessions;
        this.consoleSessions = consoleSessions;
        this.multiFactor = multiFactor;
        this.apiKeys = apiKeys;
        this.audit = audit;
    }

    /** What the page says after an action: a notice, and secrets shown this once. */
    record Outcome(@Nullable String notice, @Nullable String formWithErrors, FormErrors errors,
            MultiFactor.@Nullable Enrollment enrollment, @Nullable List<String> recoveryCodes,
            @Nullable String newApiKey) {

        static Outcome none() {
            return new Outcome(null, null, new FormErrors(), null, null, null);
        }

        static Outcome notice(String notice) {
            return new Outcome(notice, null, new FormErrors(), null, null, null);
        }

        static Outcome failed(String form, FormErrors errors) {
            return new Outcome(null, form, errors, null, null, null);
        }
    }

    @GetMapping("/profile")
    String profile(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(name = "keys_cursor", required = false) @Nullable String keysCursor, Model model) {
        model.addAttribute("keysCursor", keysCursor);
        return render(principal, Outcome.none(), model);
    }

    @Audited(action = "user.profile_updated", resource = "user")
    @PostMapping("/profile/name")
    String rename(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(name = "full_name", required = false) @Nullable String fullName,
            @RequestParam(required = false) @Nullable String version, Model model, HttpServletResponse response) {
        audit.resource("user", principal.userId().toString());
        var errors = new FormErrors().requireText("full_name", fullName, 200);
        if (errors.any()) {
            return failed(principal, "name", errors, HttpStatus.UNPROCESSABLE_CONTENT, model, response);
        }
        long expected = Forms.version(version);
        boolean saved = scopes.asUser(principal.userId(),
                () -> users.update(principal.userId(), expected, fullName.trim(), null));
        if (!saved) {
            return failed(principal, "name", new FormErrors().field("full_name",
                    "Your profile was changed elsewhere; reload the page."), HttpStatus.CONFLICT, model, response);
        }
        return render(principal, Outcome.notice("Your name is saved."), model);
    }

    @Audited(action = "auth.password_changed", failure = "auth.password_change_failed", resource = "user")
    @PostMapping("/profile/password")
    String changePassword(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(name = "current_password", required = false) @Nullable String currentPassword,
            @RequestParam(name = "new_password", required = false) @Nullable String newPassword, Model model,
            HttpServletResponse response) {
        var errors = new FormErrors().requireText("current_password", currentPassword, 1024)
                .requireText("new_password", newPassword, 1024);
        if (errors.any()) {
            return failed(principal, "password", errors, HttpStatus.UNPROCESSABLE_CONTENT, model, response);
        }
        try {
            signIn.changePassword(principal, currentPassword, newPassword);
        }
        catch (ApiException e) {
            return failed(principal, "password", FormErrors.of(e), e.status(), model, response);
        }
        return render(principal, Outcome.notice("Your password is changed; your other sessions have ended."), model);
    }

    @Audited(action = "mfa.enrolled", resource = "user")
    @PostMapping("/profile/mfa/enroll")
    String enroll(@AuthenticationPrincipal CanopyPrincipal principal, Model model, HttpServletResponse response) {
        try {
            MultiFactor.Enrollment enrollment = multiFactor.enroll(principal);
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            return render(principal, new Outcome(null, "mfa", new FormErrors(), enrollment, null, null), model);
        }
        catch (ApiException e) {
            return failed(principal, "mfa", FormErrors.of(e), e.status(), model, response);
        }
    }

    @Audited(action = "mfa.enabled", resource = "user")
    @PostMapping("/profile/mfa/confirm")
    String confirm(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String code, Model model, HttpServletResponse response) {
        if (code == null || !code.trim().matches("\\d{6}")) {
            return failed(principal, "mfa-confirm", new FormErrors().field("code", "must be six digits"),
                    HttpStatus.UNPROCESSABLE_CONTENT, model, response);
        }
        try {
            List<String> codes = multiFactor.confirm(principal, code.trim());
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            return render(principal, new Outcome("Two-step verification is on.", null, new FormErrors(), null, codes,
                    null), model);
        }
        catch (ApiException e) {
            return failed(principal, "mfa-confirm", e.errors().isEmpty()
                    ? new FormErrors().field("code", e.getMessage()) : FormErrors.of(e), e.status(), model, response);
        }
    }

    @Audited(action = "mfa.disabled", resource = "user")
    @PostMapping("/profile/mfa/disable")
    String disable(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String code, Model model, HttpServletResponse response) {
        if (code == null || !code.trim().matches("\\d{6}")) {
            return failed(principal, "mfa-disable", new FormErrors().field("disable_code", "must be six digits"),
                    HttpStatus.UNPROCESSABLE_CONTENT, model, response);
        }
        try {
            multiFactor.disable(principal, code.trim());
        }
        catch (ApiException e) {
            return failed(principal, "mfa-disable", new FormErrors().field("disable_code", e.getMessage()),
                    e.status(), model, response);
        }
        return render(principal, Outcome.notice("Two-step verification is off."), model);
    }

    @Audited(action = "auth.session_revoked", resource = "session")
    @PostMapping("/profile/sessions/{id}/revoke")
    String endSession(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            HttpServletRequest request, HttpServletResponse response) {
        UUID sessionId = Forms.uuid("id", id);
        signIn.endSession(principal, sessionId);
        if (sessionId.equals(principal.sessionId())) {
            consoleSessions.end(request, response);
            return "redirect:/sign-in";
        }
        return "redirect:/profile#sessions";
    }

    @Audited(action = "auth.logout_all", resource = "user")
    @PostMapping("/profile/sessions/revoke-all")
    String endEverySession(@AuthenticationPrincipal CanopyPrincipal principal, HttpServletRequest request,
            HttpServletResponse response) {
        signIn.logoutEverywhere(principal);
        consoleSessions.end(request, response);
        return "redirect:/sign-in";
    }

    @Audited(action = "api_key.created", resource = "api_key")
    @PostMapping("/profile/api-keys")
    String createApiKey(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String name,
            @RequestParam(required = false) @Nullable List<String> roles, Model model, HttpServletResponse response) {
        principal.require(Permissions.API_KEYS_CREATE);
        List<String> chosen = Forms.values(roles);
        var errors = new FormErrors().requireText("key_name", name, 100);
        if (chosen.isEmpty()) {
            errors.field("key_roles", "choose at least one role");
        }
        if (errors.any()) {
            return failed(principal, "api-key", errors, HttpStatus.UNPROCESSABLE_CONTENT, model, response);
        }
        try {
            ApiKeyDirectory.Created created = apiKeys.create(principal, name.trim(), chosen, null);
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            return render(principal, new Outcome("The API key '" + created.key().name() + "' is created.", null,
                    new FormErrors(), null, null, created.secret()), model);
        }
        catch (ApiException e) {
            if (e.status() == HttpStatus.FORBIDDEN && !"PERMISSION_ESCALATION".equals(e.code())) {
                throw e;
            }
            return failed(principal, "api-key", new FormErrors().field("key_roles", e.getMessage()), e.status(),
                    model, response);
        }
    }

    @Audited(action = "api_key.revoked", resource = "api_key")
    @PostMapping("/profile/api-keys/{id}/revoke")
    String revokeApiKey(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        principal.require(Permissions.API_KEYS_DELETE);
        apiKeys.revoke(principal.tenantId(), Forms.uuid("id", id));
        return "redirect:/profile#api-keys";
    }

    private String failed(CanopyPrincipal principal, String form, FormErrors errors, HttpStatus status, Model model,
            HttpServletResponse response) {
        response.setStatus(status.value());
        return render(principal, Outcome.failed(form, errors), model);
    }

    private String render(CanopyPrincipal principal, Outcome outcome, Model model) {
        UserAccount user = users.findById(principal.userId()).orElseThrow();
        model.addAttribute("user", user);
        model.addAttribute("outcome", outcome);
        model.addAttribute("errors", outcome.errors());
        model.addAttribute("mfaActive", multiFactor.active(user.id()));
        if (outcome.enrollment() != null) {
            model.addAttribute("qr", "data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(outcome.enrollment().qrPng()));
        }
        Instant now = Instant.now();
        model.addAttribute("sessions", sessions.liveOf(user.id()).stream()
                .filter(s -> s.live(now))
                .sorted(Comparator.comparing(Session::lastSeenAt).reversed())
                .toList());
        model.addAttribute("currentSession", principal.sessionId());
        if (principal.can(Permissions.API_KEYS_LIST)) {
            String cursor = (String) model.getAttribute("keysCursor");
            var keys = apiKeys.list(principal.tenantId(), PageRequest.of(25, cursor));
            model.addAttribute("apiKeys", keys.items());
            model.addAttribute("keysNext", keys.nextCursor());
        }
        model.addAttribute("roles", RoleChoices.assignable());
        return VIEW;
    }
}
