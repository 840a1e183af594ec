package dev.canopy.identity.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.web.ApiException;

/**
 * Forgotten passwords: a request mails a single-use token valid 30 minutes to the address if it has an
 * account, and answers the same either way (the mail goes out in the background, after commit); the
 * token then sets a new password and ends every session of the account.
 */
@Component
public class PasswordResets {

    public static final Duration LIFETIME = Duration.ofMinutes(30);

    /** Per-account throttling: at most this many reset mails per account within {@link #LIFETIME}. */
    static final int MAX_MAILS_PER_LIFETIME = 3;

    private final UserAccounts users;
    private final AccountTokens tokens;
    private final Registrations registrations;
    private final Sessions sessions;
    private final Memberships memberships;
    private final TenantTransactions scopes;
    private final PasswordEncoder passwords;
    private final AccountMail mail;
    private final AuditTrail audit;

    PasswordResets(UserAccounts users, AccountTokens tokens, Registrations registrations, Sessions sessions,
            Memberships memberships, TenantTransactions scopes, PasswordEncoder passwords, AccountMail mail,
            AuditTrail audit) {
        this.users = users;
        this.tokens = tokens;
        this.registrations = registrations;
        this.sessions = sessions;
        this.memberships = memberships;
        this.scopes = scopes;
        this.passwords = passwords;
        this.mail = mail;
        this.audit = audit;
    }

    /**
     * Mails a reset link to an account that can use it: an active one, or one whose sign-up is waiting
     * for verification (the link proves the address). A newer link replaces earlier ones.
     */
    public void request(String email) {
        users.findByEmail(email)
                .filter(user -> user.active() || registrations.pending(user.id()))
                // answered the same, but no more mail: a mailbox is not to be flooded through us
                .filter(user -> tokens.issuedSince(user.id(), AccountTokens.Purpose.PASSWORD_RESET,
                        Instant.now().minus(LIFETIME)) < MAX_MAILS_PER_LIFETIME)
                .ifPresent(user -> {
                    String token = RefreshTokens.newToken();
                    tokens.discard(user.id(), AccountTokens.Purpose.PASSWORD_RESET);
                    tokens.issue(user.id(), AccountTokens.Purpose.PASSWORD_RESET, RefreshTokens.hash(token),
                            Instant.now().plus(LIFETIME), null);
                    audit.resource("user", user.id().toString());
                    mail.passwordReset(user.email(), token, LIFETIME);
                });
    }

    /**
     * Sets the new password (policy applies) and ends every session of the account. A refused password
     * rolls the request back, so the link stays usable.
     */
    public void confirm(String token, String newPassword) {
        PasswordPolicy.check("new_password", newPassword);
        UUID userId = tokens.consume(RefreshTokens.hash(token), AccountTokens.Purpose.PASSWORD_RESET)
                .orElseThrow(() -> new ApiException(HttpStatus.BAD_REQUEST, "RESET_TOKEN_INVALID",
                        "The reset link is unknown, used or expired; ask for a new one."))
                .userId();
        UserAccount user = users.findById(userId).orElseThrow();
        PasswordPolicy.check("new_password", newPassword, user.email(), user.fullName());
        audit.actor(homeTenant(userId), new Actor.UserActor(user.id(), user.email()));
        audit.resource("user", user.id().toString());
        users.changePassword(userId, passwords.encode(newPassword));
        registrations.complete(userId);
        sessions.revokeAllOf(userId, null);
    }

    /** Where the account's security events go: its primary tenant, else the platform's own chain. */
    private UUID homeTenant(UUID userId) {
        return scopes.asUser(userId, () -> memberships.ofUser(userId)).stream().findFirst()
                .map(Membership::tenantId).orElse(AuditRecord.PLATFORM);
    }
}
