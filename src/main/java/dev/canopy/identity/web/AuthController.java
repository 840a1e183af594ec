package dev.canopy.identity.web;

import java.time.Duration;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.web.Audited;
import dev.canopy.identity.internal.AccessTokens;
import dev.canopy.identity.internal.MultiFactor;
import dev.canopy.identity.internal.SignIn;
import dev.canopy.identity.internal.SignIn.SignedIn;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Login (with its MFA step), token refresh, tenant switching and logout. */
@RestController
@RequestMapping("/api/v1/auth")
class AuthController {

    static final String REFRESH_COOKIE = "canopy_refresh";
    static final int MAX_REFRESH_TOKEN = 200;

    private final SignIn signIn;

    AuthController(SignIn signIn) {
        this.signIn = signIn;
    }

    record LoginRequest(@NotBlank @Email @Size(max = 320) String email, @NotBlank @Size(max = 1024) String password,
            @Nullable UUID tenantId) {
    }

    record RefreshRequest(@Nullable @Size(max = MAX_REFRESH_TOKEN) String refreshToken) {
    }

    record SwitchTenantRequest(@NotNull UUID tenantId) {
    }

    /** Either a TOTP code (six digits) or a recovery code. */
    record MfaVerifyRequest(@NotBlank @Size(max = 200) String mfaToken,
            @Nullable @Pattern(regexp = "\\d{6}", message = "must be six digits") String code,
            @Nullable @Size(min = 1, max = 64) String recoveryCode) {
    }

    record TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken, UserSummary user,
            TenantSummary tenant, boolean mfaEnrollmentRequired) {

        static TokenResponse of(SignedIn signedIn) {
            return new TokenResponse(signedIn.accessToken(), "Bearer", AccessTokens.LIFETIME.toSeconds(),
                    signedIn.refreshToken(), UserSummary.of(signedIn.user()), TenantSummary.of(signedIn.tenant()),
                    signedIn.mfaEnrollmentRequired());
        }
    }

    /** The password was right and MFA is on: no tokens yet, {@code mfa_token} and a code complete the login. */
    record MfaRequiredResponse(boolean mfaRequired, String mfaToken, long expiresIn) {
    }

    @Audited(action = "auth.login", failure = "auth.login_failed", resource = "session")
    @PostMapping("/login")
    ResponseEntity<?> login(@Valid @RequestBody LoginRequest body, HttpServletRequest request) {
        return switch (signIn.login(body.email(), body.password(), body.tenantId(), client(request))) {
            case SignedIn signedIn -> withCookie(signedIn, request);
            case SignIn.MfaRequired mfa -> ResponseEntity.ok()
                    .header(HttpHeaders.CACHE_CONTROL, "no-store")
                    .body(new MfaRequiredResponse(true, mfa.mfaToken(), MultiFactor.CHALLENGE_LIFETIME.toSeconds()));
        };
    }

    @Audited(action = "auth.mfa_verified", failure = "auth.mfa_failed", resource = "session")
    @PostMapping("/mfa/verify")
    ResponseEntity<TokenResponse> verifyMfa(@Valid @RequestBody MfaVerifyRequest body, HttpServletRequest request) {
        if ((body.code() == null) == (body.recoveryCode() == null)) {
            throw ApiException.invalidField(body.code() == null ? "code" : "recovery_code",
                    "give either code or recovery_code, exactly one");
        }
        return withCookie(signIn.verifyMfa(body.mfaToken(), body.code(), body.recoveryCode(), client(request)),
                request);
    }

    // a refresh continues a session and changes no resource: its failures are audited, its successes are
    // recorded on the session (last_seen_at, last_seen_ip), not as one audit event per user every 15 minutes
    @Audited(action = "auth.refreshed", failure = "auth.refresh_failed", resource = "session", recordSuccess = false)
    @PostMapping("/refresh")
    ResponseEntity<TokenResponse> refresh(@Valid @RequestBody(required = false) @Nullable RefreshRequest body,
            @CookieValue(name = REFRESH_COOKIE, required = false) @Nullable String cookie,
            HttpServletRequest request) {
        String token = body != null && body.refreshToken() != null ? body.refreshToken() : cookie;
        if (token == null || token.isBlank()) {
            throw ApiException.invalidField("refresh_token", "is required (in the body or the cookie)");
        }
        return withCookie(signIn.refresh(token, client(request)), request);
    }

    @Audited(action = "auth.tenant_switched", failure = "auth.tenant_switch_failed", resource = "session")
    @PostMapping("/switch-tenant")
    ResponseEntity<TokenResponse> switchTenant(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody SwitchTenantRequest body, HttpServletRequest request) {
        return withCookie(signIn.switchTenant(principal, body.tenantId(), client(request)), request);
    }

    @Audited(action = "auth.logout", resource = "session")
    @PostMapping("/logout")
    ResponseEntity<Void> logout(@AuthenticationPrincipal CanopyPrincipal principal, HttpServletRequest request) {
        signIn.logout(principal);
        return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, cookie("", Duration.ZERO, request).toString())
                .build();
    }

    private static SignIn.Client client(HttpServletRequest request) {
        return SignIn.Client.of(request);
    }

    static ResponseEntity<TokenResponse> withCookie(SignedIn signedIn, HttpServletRequest request) {
        return ResponseEntity.ok()
                .header(HttpHeaders.SET_COOKIE,
                        cookie(signedIn.refreshToken(), SignIn.REFRESH_LIFETIME, request).toString())
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(TokenResponse.of(signedIn));
    }

    private static ResponseCookie cookie(String value, Duration maxAge, HttpServletRequest request) {
        return ResponseCookie.from(REFRESH_COOKIE, value)
                .httpOnly(true)
                .secure(request.isSecure())
                .sameSite("Strict")
                .path("/api/v1/auth")
                .maxAge(maxAge)
                .build();
    }
}
