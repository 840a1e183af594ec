package dev.canopy.identity.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

import dev.canopy.audit.Actor;
import dev.canopy.identity.MemberJoined;
import dev.canopy.identity.UserInvited;
import dev.canopy.access.RoleCatalog;
import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/**
 * Inviting people into a tenant: a single-use token, valid 7 days, is mailed to the address; whoever
 * holds it may accept once, creating an account with a password or, for an address that already has
 * one, proving it with that account's password. The invitation (tenant data) is found from the token
 * through {@code platform.invitation_tokens}, then read under the tenant's row-level security.
 */
@Component
public class Inviting {

    public static final Duration LIFETIME = Duration.ofDays(7);

    private final Invitations invitations;
    private final UserAccounts users;
    private final Memberships memberships;
    private final Registrations registrations;
    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final PasswordEncoder passwords;
    private final AccountMail mail;
    private final AuditTrail audit;
    private final RoleCatalog catalog;
    private final ApplicationEventPublisher events;

    Inviting(Invitations invitations, UserAccounts users, Memberships memberships, Registrations registrations,
            TenantDirectory tenants, TenantTransactions scopes, PasswordEncoder passwords, AccountMail mail,
            AuditTrail audit, RoleCatalog catalog, ApplicationEventPublisher events) {
        this.events = events;
        this.catalog = catalog;
        this.invitations = invitations;
        this.users = users;
        this.memberships = memberships;
        this.registrations = registrations;
        this.tenants = tenants;
        this.scopes = scopes;
        this.passwords = passwords;
        this.mail = mail;
        this.audit = audit;
    }

    /** The outcome of accepting: who joined which tenant, and whether their account was created for it. */
    public record Accepted(UserAccount user, TenantInfo tenant, boolean accountCreated) {
    }

    public Invitation invite(CanopyPrincipal by, String email, List<String> roles) {
        List<String> granted = MemberDirectory.assignable(roles);
        catalog.requireGivable(by, granted);
        TenantInfo tenant = tenants.find(by.tenantId()).orElseThrow();
        String token = RefreshTokens.newToken();
        Instant now = Instant.now();
        var invitation = new Invitation(tenant.id(), Ids.newId(), email, granted, by.userId(), now, now.plus(LIFETIME),
                null, null, null);
        UserAccount existing = users.findByEmail(email).orElse(null);
        scopes.inTenant(tenant.id(), () -> {
            if (existing != null && memberships.find(tenant.id(), existing.id()).isPresent()) {
                throw ApiException.conflict("ALREADY_A_MEMBER", "That user is already a member of this tenant.");
            }
            if (invitations.pendingFor(tenant.id(), email)) {
                throw ApiException.conflict("ALREADY_INVITED",
                        "That address has a pending invitation to this tenant; revoke it first to send a new one.");
            }
            invitations.insert(invitation, RefreshTokens.hash(token));
            events.publishEvent(new UserInvited(tenant.id(), invitation.id(), email, granted, by.userId()));
        });
        audit.resource("invitation", invitation.id().toString());
        mail.invitation(email, tenant.name(), by.email(), token, invitation.expiresAt());
        return invitation;
    }

    public Page<Invitation> pending(UUID tenantId, PageRequest page) {
        return page.page(scopes.inTenant(tenantId, () -> invitations.pending(tenantId, page.after(), page.fetchSize())),
                Invitation::id);
    }

    /** Revokes an invitation of the tenant; revoking one already revoked changes nothing. */
    public void revoke(UUID tenantId, UUID id) {
        scopes.inTenant(tenantId, () -> {
            Invitation invitation = invitations.find(tenantId, id).orElseThrow(Inviting::notFound);
            if (invitation.acceptedAt() != null) {
                throw ApiException.conflict("INVITATION_ALREADY_ACCEPTED", "The invitation was already accepted.");
            }
            invitations.revoke(tenantId, id);
        });
    }

    /** What the accept page shows before the invitee answers: where to, for whom, and whether they have an account. */
    public record Preview(String tenantName, String email, boolean accountExists, String status) {
    }

    /** The invitation behind a token, if the token is one; reading it changes nothing. */
    public java.util.Optional<Preview> preview(String token) {
        return invitations.target(RefreshTokens.hash(token)).flatMap(target -> tenants.find(target.tenantId())
                .flatMap(tenant -> scopes.inTenant(tenant.id(),
                        () -> invitations.find(tenant.id(), target.invitationId()))
                        .map(invitation -> new Preview(tenant.name(), invitation.email(),
                                users.findByEmail(invitation.email()).filter(u -> u.passwordHash() != null)
                                        .isPresent(),
                                invitation.status(Instant.now())))));
    }

    /**
     * Accepts with the token. A new address needs a full name and a password (policy applies); an address
     * with an account needs that account's password and keeps its name; an account without a password
     * (created by an administrator, or signed up and unverified) gets this one, since the token proves the
     * address.
     */
    public Accepted accept(String token, @Nullable String fullName, String password) {
        Invitations.Target target = invitations.target(RefreshTokens.hash(token)).orElseThrow(Inviting::notFound);
        TenantInfo tenant = tenants.find(target.tenantId()).orElseThrow(Inviting::notFound);
        Invitation invitation = scopes.inTenant(tenant.id(), () -> invitations.find(tenant.id(),
                target.invitationId())).orElseThrow(Inviting::notFound);
        audit.actor(tenant.id(), new Actor.Anonymous());
        audit.resource("invitation", invitation.id().toString());
        switch (invitation.status(Instant.now())) {
            case Invitation.ACCEPTED -> throw gone("INVITATION_ALREADY_ACCEPTED", "The invitation was already accepted.");
            case Invitation.REVOKED -> throw gone("INVITATION_REVOKED", "The invitation was revoked.");
            case Invitation.EXPIRED -> throw gone("INVITATION_EXPIRED", "The invitation has expired; ask for a new one.");
            default -> {
            }
        }
        SignIn.requireUsable(tenant);

        UserAccount existing = users.findByEmail(invitation.email()).orElse(null);
        String newPasswordHash = null;
        if (existing == null || existing.passwordHash() == null) {
            if (existing == null && (fullName == null || fullName.isBlank())) {
                throw ApiException.invalidField("full_name", "is required to create your account");
            }
            PasswordPolicy.check("password", password, invitation.email(),
                    existing == null ? fullName : existing.fullName());
            newPasswordHash = passwords.encode(password);
        }
        else if (!passwords.matches(password, existing.passwordHash())) {
            throw ApiException.unauthorized("INVALID_CREDENTIALS",
                    "The password is not that of the existing account of " + invitation.email() + ".");
        }
        boolean pendingRegistration = existing != null && registrations.pending(existing.id());
        if (existing != null && !existing.active() && !pendingRegistration) {
            throw new ApiException(HttpStatus.FORBIDDEN, "ACCOUNT_DISABLED", "The account of "
                    + invitation.email() + " is disabled.");
        }

        UUID userId = existing == null ? Ids.newId() : existing.id();
        String name = fullName == null ? "" : fullName.trim();
        String passwordHash = newPasswordHash;
        scopes.inTenantAsUser(tenant.id(), userId, () -> {
            if (!invitations.claim(tenant.id(), invitation.id())) {
                throw gone("INVITATION_ALREADY_ACCEPTED", "The invitation was already accepted.");
            }
            if (existing == null) {
                users.insert(userId, invitation.email(), name, passwordHash, false);
            }
            else {
                if (passwordHash != null) {
                    users.changePassword(userId, passwordHash);
                }
                registrations.complete(userId);
                if (memberships.find(tenant.id(), userId).isPresent()) {
                    throw ApiException.conflict("ALREADY_A_MEMBER", "You are already a member of this tenant.");
                }
            }
            boolean first = memberships.ofUser(userId).isEmpty();
            memberships.insert(tenant.id(), userId, MemberDirectory.assignable(invitation.roles()), first);
            invitations.acceptedBy(tenant.id(), invitation.id(), userId);
            events.publishEvent(new MemberJoined(tenant.id(), userId, invitation.email(),
                    MemberDirectory.assignable(invitation.roles()), invitation.id()));
            return null;
        });
        UserAccount user = users.findById(userId).orElseThrow();
        audit.actor(tenant.id(), new Actor.UserActor(user.id(), user.email()));
        return new Accepted(user, tenant, existing == null);
    }

    private static ApiException notFound() {
        return ApiException.notFound("INVITATION_NOT_FOUND", "No such invitation.");
    }

    private static ApiException gone(String code, String detail) {
        return new ApiException(HttpStatus.GONE, code, detail);
    }
}
