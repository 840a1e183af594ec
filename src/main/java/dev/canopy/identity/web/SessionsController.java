package dev.canopy.identity.web;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.web.Audited;
import dev.canopy.identity.internal.Session;
import dev.canopy.identity.internal.Sessions;
import dev.canopy.identity.internal.SignIn;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** The caller's own sessions and password: see where you are signed in, end sessions, change the password. */
@RestController
@RequestMapping("/api/v1/auth")
class SessionsController {

    private final Sessions sessions;
    private final SignIn signIn;

    SessionsController(Sessions sessions, SignIn signIn) {
        this.sessions = sessions;
        this.signIn = signIn;
    }

    /** {@code mfa}: how the user proved themselves beyond the password ({@code totp}, {@code recovery_code}). */
    record SessionView(UUID id, UUID tenantId, Instant createdAt, Instant lastSeenAt, Instant expiresAt,
            @Nullable String ip, @Nullable String lastSeenIp, @Nullable String userAgent, boolean current,
            @Nullable String mfa) {
    }

    record PasswordChange(@NotBlank @Size(max = 1024) String currentPassword,
            @NotBlank @Size(max = 1024) String newPassword) {
    }

    @GetMapping("/sessions")
    Page<SessionView> list(@AuthenticationPrincipal CanopyPrincipal principal) {
        List<SessionView> items = sessions.liveOf(principal.userId()).stream()
                .map(s -> view(s, principal))
                .toList();
        return new Page<>(items, null);
    }

    @DeleteMapping("/sessions/{id}")
    @Audited(action = "auth.session_revoked", resource = "session")
    ResponseEntity<Void> end(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        signIn.endSession(principal, id);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/logout-all")
    @Audited(action = "auth.logout_all", resource = "user")
    ResponseEntity<Void> logoutEverywhere(@AuthenticationPrincipal CanopyPrincipal principal) {
        signIn.logoutEverywhere(principal);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/password")
    @Audited(action = "auth.password_changed", failure = "auth.password_change_failed", resource = "user")
    ResponseEntity<Void> changePassword(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody PasswordChange body) {
        signIn.changePassword(principal, body.currentPassword(), body.newPassword());
        return ResponseEntity.noContent().build();
    }

    private static SessionView view(Session s, CanopyPrincipal principal) {
        return new SessionView(s.id(), s.tenantId(), s.createdAt(), s.lastSeenAt(), s.expiresAt(), s.ip(),
                s.lastSeenIp(), s.userAgent(), s.id().equals(principal.sessionId()), s.mfa());
    }
}
