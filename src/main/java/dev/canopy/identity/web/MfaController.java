package dev.canopy.identity.web;

import java.util.Base64;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.web.Audited;
import dev.canopy.identity.internal.MultiFactor;
import dev.canopy.identity.internal.SignIn;
import dev.canopy.platform.security.CanopyPrincipal;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** The caller's own TOTP: enrol, confirm (getting recovery codes), disable. */
@RestController
@RequestMapping("/api/v1/auth/mfa/totp")
class MfaController {

    private final MultiFactor multiFactor;
    private final SignIn signIn;

    MfaController(MultiFactor multiFactor, SignIn signIn) {
        this.multiFactor = multiFactor;
        this.signIn = signIn;
    }

    /** Enrolment takes no input; a body, if sent, must be an empty JSON object. */
    record EnrollRequest() {
    }

    record CodeRequest(@NotNull @Pattern(regexp = "\\d{6}", message = "must be six digits") String code) {
    }

    /** Shown once: the secret as base32 text, as {@code otpauth://} URI, and that URI as a base64 QR PNG. */
    record EnrollmentResponse(String secret, String otpauthUri, String qrPng) {
    }

    /** Shown once: each code completes one login instead of a TOTP code. */
    record RecoveryCodesResponse(List<String> recoveryCodes) {
    }

    @Audited(action = "mfa.enrolled", resource = "user")
    @PostMapping("/enroll")
    ResponseEntity<EnrollmentResponse> enroll(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody(required = false) @Nullable EnrollRequest body) {
        signIn.requireAccountSession(principal);
        MultiFactor.Enrollment enrollment = multiFactor.enroll(principal);
        return noStore(new EnrollmentResponse(enrollment.secret(), enrollment.otpauthUri(),
                Base64.getEncoder().encodeToString(enrollment.qrPng())));
    }

    @Audited(action = "mfa.enabled", resource = "user")
    @PostMapping("/confirm")
    ResponseEntity<RecoveryCodesResponse> confirm(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody CodeRequest body) {
        signIn.requireAccountSession(principal);
        return noStore(new RecoveryCodesResponse(multiFactor.confirm(principal, body.code())));
    }

    @Audited(action = "mfa.disabled", resource = "user")
    @DeleteMapping
    ResponseEntity<Void> disable(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody CodeRequest body) {
        signIn.requireAccountSession(principal);
        multiFactor.disable(principal, body.code());
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "mfa.recovery_codes_regenerated", resource = "user")
    @PostMapping("/recovery-codes")
    ResponseEntity<RecoveryCodesResponse> regenerateRecoveryCodes(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody CodeRequest body) {
        return noStore(new RecoveryCodesResponse(multiFactor.regenerateRecoveryCodes(principal, body.code())));
    }

    private static <T> ResponseEntity<T> noStore(T body) {
        return ResponseEntity.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").body(body);
    }
}
