package dev.canopy.identity.web;

import java.net.URI;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Permissions;
import dev.canopy.platform.web.Audited;
import dev.canopy.identity.internal.Invitation;
import dev.canopy.identity.internal.Inviting;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Invitations into the current tenant: send, list the pending ones, revoke; and accepting one with the
 * token from its mail, which needs no sign-in. The token is in the path, as the console's link gives it.
 */
@RestController
@RequestMapping("/api/v1/invitations")
class InvitationsController {

    private final Inviting inviting;

    InvitationsController(Inviting inviting) {
        this.inviting = inviting;
    }

    record InvitationView(UUID id, String email, List<String> roles, Instant createdAt, Instant expiresAt,
            String status) {

        static InvitationView of(Invitation invitation) {
            return new InvitationView(invitation.id(), invitation.email(), invitation.roles(), invitation.createdAt(),
                    invitation.expiresAt(), invitation.status(Instant.now()));
        }
    }

    record CreateInvitation(@NotBlank @Email @Size(max = 320) String email,
            @NotEmpty @Size(max = 20) List<@NotBlank @Size(max = 64) String> roles) {
    }

    record AcceptInvitation(@Nullable @Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*") String fullName,
            @NotBlank @Size(max = 1024) String password) {
    }

    record Accepted(UserSummary user, TenantSummary tenant, boolean accountCreated) {
    }

    @Audited(action = "invitation.created", resource = "invitation")
    @PostMapping
    ResponseEntity<InvitationView> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody CreateInvitation body) {
        principal.require(Permissions.USERS_CREATE);
        Invitation invitation = inviting.invite(principal, body.email().trim(), body.roles());
        return ResponseEntity.created(URI.create("/api/v1/invitations/" + invitation.id()))
                .body(InvitationView.of(invitation));
    }

    @GetMapping
    Page<InvitationView> pending(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        principal.require(Permissions.USERS_LIST);
        Page<Invitation> page = inviting.pending(principal.tenantId(), PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(InvitationView::of).toList(), page.nextCursor());
    }

    @Audited(action = "invitation.revoked", resource = "invitation")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> revoke(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.USERS_DELETE);
        inviting.revoke(principal.tenantId(), id);
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "invitation.accepted", failure = "invitation.accept_failed", resource = "invitation")
    @PostMapping("/{token}/accept")
    Accepted accept(@PathVariable String token, @Valid @RequestBody AcceptInvitation body) {
        Inviting.Accepted accepted = inviting.accept(token, body.fullName(), body.password());
        return new Accepted(UserSummary.of(accepted.user()), TenantSummary.of(accepted.tenant()),
                accepted.accountCreated());
    }
}
