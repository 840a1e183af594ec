package dev.canopy.identity.web;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.web.Audited;
import dev.canopy.identity.internal.PasswordResets;
import dev.canopy.identity.internal.SelfRegistration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Getting into an account without signing in: password reset, and (when the deployment allows it)
 * signing up with email verification. Requests that mail a link answer 202 the same way whether or not
 * the address has an account.
 */
@RestController
@RequestMapping("/api/v1/auth")
class AccountRecoveryController {

    private final PasswordResets resets;
    private final SelfRegistration registration;

    AccountRecoveryController(PasswordResets resets, SelfRegistration registration) {
        this.resets = resets;
        this.registration = registration;
    }

    record ResetRequest(@NotBlank @Email @Size(max = 320) String email) {
    }

    record ResetConfirmation(@NotBlank @Size(max = 200) String token, @NotBlank @Size(max = 1024) String newPassword) {
    }

    record SignUp(@NotBlank @Email @Size(max = 320) String email,
            @NotBlank @Size(max = 200) @Pattern(regexp = ".*\\S.*") String fullName,
            @NotBlank @Size(max = 1024) String password) {
    }

    record Verification(@NotBlank @Size(max = 200) String token) {
    }

    @Audited(action = "auth.password_reset_requested", resource = "user")
    @PostMapping("/password-reset")
    ResponseEntity<Void> requestReset(@Valid @RequestBody ResetRequest body) {
        resets.request(body.email().trim());
        return ResponseEntity.accepted().build();
    }

    @Audited(action = "auth.password_reset_completed", failure = "auth.password_reset_failed", resource = "user")
    @PostMapping("/password-reset/confirm")
    ResponseEntity<Void> confirmReset(@Valid @RequestBody ResetConfirmation body) {
        resets.confirm(body.token(), body.newPassword());
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "auth.registered", failure = "auth.registration_failed", resource = "user")
    @PostMapping("/register")
    ResponseEntity<Void> register(@Valid @RequestBody SignUp body) {
        registration.register(body.email().trim(), body.fullName().trim(), body.password());
        return ResponseEntity.accepted().build();
    }

    @Audited(action = "auth.email_verified", failure = "auth.email_verification_failed", resource = "user")
    @PostMapping("/verify-email")
    ResponseEntity<Void> verify(@Valid @RequestBody Verification body) {
        registration.verify(body.token());
        return ResponseEntity.noContent().build();
    }
}
