package dev.canopy.identity.console;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.canopy.platform.web.Audited;
import dev.canopy.identity.internal.ConsoleCookies;
import dev.canopy.identity.internal.ConsoleSessions;
import dev.canopy.identity.internal.Inviting;
import dev.canopy.identity.internal.MultiFactor;
import dev.canopy.identity.internal.PasswordResets;
import dev.canopy.identity.internal.SignIn;
import dev.canopy.identity.sso.SsoSignInOptions;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Getting in and out of the console: sign in (password, then a TOTP or recovery code when MFA is on; or
 * "Sign in with <provider>" for a tenant with single sign-on, see {@code identity.sso.SsoConsoleSignIn}), sign
 * out, switch tenant, forgotten password, accepting an invitation. Failed attempts answer 4xx, so the audit
 * log records them as failures, as for the API.
 */
@ConsoleController
class SignInPages {

    static final String SIGN_IN = "console/sign-in";
    static final String SIGN_IN_MFA = "console/sign-in-mfa";
    static final String FORGOT_PASSWORD = "console/forgot-password";
    static final String RESET_PASSWORD = "console/reset-password";
    static final String ACCEPT_INVITATION = "console/accept-invitation";

    private static final int MAX_EMAIL = 320;
    private static final int MAX_PASSWORD = 1024;
    private static final int MAX_TOKEN = 200;

    private final SignIn signIn;
    private final ConsoleSessions sessions;
    private final PasswordResets resets;
    private final Inviting inviting;
    private final SsoSignInOptions ssoOptions;

    SignInPages(SignIn signIn, ConsoleSessions sessions, PasswordResets resets, Inviting inviting,
            SsoSignInOptions ssoOptions) {
        this.signIn = signIn;
        this.sessions = sessions;
        this.resets = resets;
        this.inviting = inviting;
        this.ssoOptions = ssoOptions;
    }

    /** The sign-in form; with {@code tenant} (a slug) it offers that tenant's single sign-on, if it has one. */
    @GetMapping("/sign-in")
    String signInForm(@AuthenticationPrincipal @Nullable CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String tenant, Model model, HttpServletResponse response) {
        if (principal != null) {
            return "redirect:/";
        }
        var errors = new FormErrors();
        String slug = blankToNull(tenant);
        if (slug != null) {
            model.addAttribute("tenant", slug.length() > 63 ? slug.substring(0, 63) : slug);
            var option = ssoOptions.forTenant(slug.toLowerCase(java.util.Locale.ROOT));
            if (option.isPresent()) {
                model.addAttribute("sso", option.get());
            }
            else {
                errors.field("tenant", "has no single sign-on; sign in with your email and password");
                response.setStatus(HttpStatus.NOT_FOUND.value());
            }
        }
        model.addAttribute("errors", errors);
        return SIGN_IN;
    }

    @Audited(action = "auth.login", failure = "auth.login_failed", resource = "session")
    @PostMapping("/sign-in")
    String signIn(@RequestParam(required = false) @Nullable String email,
            @RequestParam(required = false) @Nullable String password, Model model, HttpServletRequest request,
            HttpServletResponse response) {
        model.addAttribute("email", email);
        var errors = new FormErrors().requireText("email", email, MAX_EMAIL).requireText("password", password,
                MAX_PASSWORD);
        if (errors.any()) {
            return rejected(model, response, errors, HttpStatus.UNPROCESSABLE_CONTENT, SIGN_IN);
        }
        try {
            return switch (signIn.login(email.trim(), password, null, client(request))) {
                case SignIn.SignedIn signedIn -> {
                    sessions.start(request, response, signedIn);
                    yield "redirect:/";
                }
                case SignIn.MfaRequired mfa -> {
                    ConsoleCookies.write(request, response, ConsoleCookies.MFA, mfa.mfaToken(),
                            MultiFactor.CHALLENGE_LIFETIME);
                    yield "redirect:/sign-in/mfa";
                }
            };
        }
        catch (ApiException e) {
            return rejected(model, response, refusal(e), e.status(), SIGN_IN);
        }
    }

    @GetMapping("/sign-in/mfa")
    String mfaForm(Model model, HttpServletRequest request) {
        if (ConsoleCookies.read(request, ConsoleCookies.MFA).isEmpty()) {
            return "redirect:/sign-in";
        }
        model.addAttribute("errors", new FormErrors());
        return SIGN_IN_MFA;
    }

    @Audited(action = "auth.mfa_verified", failure = "auth.mfa_failed", resource = "session")
    @PostMapping("/sign-in/mfa")
    String verifyMfa(@RequestParam(required = false) @Nullable String code,
            @RequestParam(name = "recovery_code", required = false) @Nullable String recoveryCode, Model model,
            HttpServletRequest request, HttpServletResponse response) {
        String token = ConsoleCookies.read(request, ConsoleCookies.MFA).orElse(null);
        if (token == null || token.length() > MAX_TOKEN) {
            return rejected(model, response, new FormErrors().global("Your sign-in has expired; sign in again."),
                    HttpStatus.UNAUTHORIZED, SIGN_IN);
        }
        code = blankToNull(code);
        recoveryCode = blankToNull(recoveryCode);
        var errors = new FormErrors();
        if ((code == null) == (recoveryCode == null)) {
            errors.field("code", "enter the code from your authenticator app, or a recovery code");
        }
        else if (code != null && !code.matches("\\d{6}")) {
            errors.field("code", "must be six digits");
        }
        else if (recoveryCode != null && recoveryCode.length() > 64) {
            errors.field("recovery_code", "is not a recovery code");
        }
        if (errors.any()) {
            return rejected(model, response, errors, HttpStatus.UNPROCESSABLE_CONTENT, SIGN_IN_MFA);
        }
        try {
            SignIn.SignedIn signedIn = signIn.verifyMfa(token, code, recoveryCode, client(request));
            ConsoleCookies.clear(request, response, ConsoleCookies.MFA);
            sessions.start(request, response, signedIn);
            return "redirect:/";
        }
        catch (ApiException e) {
            if ("MFA_TOKEN_INVALID".equals(e.code())) {
                ConsoleCookies.clear(request, response, ConsoleCookies.MFA);
                return rejected(model, response, FormErrors.of(e), e.status(), SIGN_IN);
            }
            FormErrors shown = "MFA_CODE_INVALID".equals(e.code())
                    ? new FormErrors().field(code != null ? "code" : "recovery_code", e.getMessage())
                    : refusal(e);
            return rejected(model, response, shown, e.status(), SIGN_IN_MFA);
        }
    }

    @Audited(action = "auth.logout", resource = "session")
    @PostMapping("/sign-out")
    String signOut(@AuthenticationPrincipal CanopyPrincipal principal, HttpServletRequest request,
            HttpServletResponse response) {
        signIn.logout(principal);
        sessions.end(request, response);
        return "redirect:/sign-in";
    }

    /** Moves the browser's session into another tenant; every page is then computed for that tenant. */
    @Audited(action = "auth.tenant_switched", failure = "auth.tenant_switch_failed", resource = "session")
    @PostMapping("/switch-tenant")
    String switchTenant(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(name = "tenant_id", required = false) @Nullable String tenantId,
            HttpServletRequest request, HttpServletResponse response) {
        UUID target = Forms.uuid("tenant_id", tenantId);
        sessions.start(request, response, signIn.switchTenant(principal, target, client(request)));
        return "redirect:/";
    }

    @GetMapping("/forgot-password")
    String forgotForm(Model model) {
        model.addAttribute("errors", new FormErrors());
        return FORGOT_PASSWORD;
    }

    @Audited(action = "auth.password_reset_requested", resource = "user")
    @PostMapping("/forgot-password")
    String forgot(@RequestParam(required = false) @Nullable String email, Model model,
            HttpServletResponse response) {
        model.addAttribute("email", email);
        var errors = new FormErrors().requireText("email", email, MAX_EMAIL);
        if (!errors.any() && !email.contains("@")) {
            errors.field("email", "must be an email address");
        }
        if (errors.any()) {
            return rejected(model, response, errors, HttpStatus.UNPROCESSABLE_CONTENT, FORGOT_PASSWORD);
        }
        resets.request(email.trim());
        // the same answer whether or not the address has an account
        model.addAttribute("sent", true);
        model.addAttribute("errors", new FormErrors());
        return FORGOT_PASSWORD;
    }

    @GetMapping("/reset-password")
    String resetForm(@RequestParam(required = false) @Nullable String token, Model model) {
        model.addAttribute("token", token);
        model.addAttribute("errors", new FormErrors());
        return RESET_PASSWORD;
    }

    @Audited(action = "auth.password_reset_completed", failure = "auth.password_reset_failed", resource = "user")
    @PostMapping("/reset-password")
    String reset(@RequestParam(required = false) @Nullable String token,
            @RequestParam(name = "new_password", required = false) @Nullable String newPassword, Model model,
            HttpServletResponse response) {
        model.addAttribute("token", token);
        var errors = new FormErrors().requireText("token", token, MAX_TOKEN)
                .requireText("new_password", newPassword, MAX_PASSWORD);
        if (errors.any()) {
            return rejected(model, response, errors, HttpStatus.UNPROCESSABLE_CONTENT, RESET_PASSWORD);
        }
        try {
            resets.confirm(token, newPassword);
        }
        catch (ApiException e) {
            return rejected(model, response, FormErrors.of(e), e.status(), RESET_PASSWORD);
        }
        model.addAttribute("done", true);
        model.addAttribute("errors", new FormErrors());
        return RESET_PASSWORD;
    }

    @GetMapping("/accept-invitation")
    String acceptForm(@RequestParam(required = false) @Nullable String token, Model model,
            HttpServletResponse response) {
        model.addAttribute("errors", new FormErrors());
        return showInvitation(token, model, response);
    }

    @Audited(action = "invitation.accepted", failure = "invitation.accept_failed", resource = "invitation")
    @PostMapping("/accept-invitation")
    String accept(@RequestParam(required = false) @Nullable String token,
            @RequestParam(name = "full_name", required = false) @Nullable String fullName,
            @RequestParam(required = false) @Nullable String password, Model model, HttpServletResponse response) {
        model.addAttribute("fullName", fullName);
        var errors = new FormErrors().requireText("password", password, MAX_PASSWORD);
        if (fullName != null && fullName.length() > 200) {
            errors.field("full_name", "must be at most 200 characters");
        }
        if (token == null || token.isBlank() || token.length() > MAX_TOKEN) {
            errors.global("This invitation link is incomplete; open the link from the mail again.");
        }
        if (errors.any()) {
            model.addAttribute("errors", errors);
            showInvitation(token, model, response);
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            return ACCEPT_INVITATION;
        }
        try {
            Inviting.Accepted accepted = inviting.accept(token, blankToNull(fullName), password);
            model.addAttribute("accepted", accepted.tenant().name());
            model.addAttribute("errors", new FormErrors());
            return ACCEPT_INVITATION;
        }
        catch (ApiException e) {
            model.addAttribute("errors", FormErrors.of(e));
            showInvitation(token, model, response);
            response.setStatus(e.status().value());
            return ACCEPT_INVITATION;
        }
    }

    private String showInvitation(@Nullable String token, Model model, HttpServletResponse response) {
        model.addAttribute("token", token);
        var preview = token == null || token.isBlank() || token.length() > MAX_TOKEN ? null
                : inviting.preview(token).orElse(null);
        if (preview == null) {
            response.setStatus(HttpStatus.NOT_FOUND.value());
        }
        model.addAttribute("invitation", preview);
        return ACCEPT_INVITATION;
    }

    /** Lockouts and throttling say when to try again; other refusals say what went wrong. */
    private static FormErrors refusal(ApiException e) {
        if (e.status() == HttpStatus.TOO_MANY_REQUESTS) {
            long minutes = Math.max(1, (e.retryAfter().toSeconds() + 59) / 60);
            return new FormErrors().global(e.getMessage() + " You can try again in " + minutes
                    + (minutes == 1 ? " minute." : " minutes."));
        }
        return FormErrors.of(e);
    }

    private static String rejected(Model model, HttpServletResponse response, FormErrors errors, HttpStatus status,
            String view) {
        model.addAttribute("errors", errors);
        response.setStatus(status.value());
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        return view;
    }

    private static SignIn.Client client(HttpServletRequest request) {
        return SignIn.Client.of(request);
    }

    static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

}
