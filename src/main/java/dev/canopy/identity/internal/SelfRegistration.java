package dev.canopy.identity.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.Ids;
import dev.canopy.platform.web.ApiException;

/**
 * Signing up without an invitation, when the deployment allows it ({@code CANOPY_SELF_REGISTRATION=true}).
 * The account is created inactive and without a password; the verification link mailed to the address
 * carries the password chosen at sign-up and activates the account. The answer is the same whether or
 * not the address already has an account (its owner is told by mail instead), and costs the same hash.
 * A new account belongs to no tenant until it accepts an invitation or is added to one.
 */
@Component
public class SelfRegistration {

    public static final Duration VERIFICATION_LIFETIME = Duration.ofHours(24);

    private final boolean enabled;
    private final UserAccounts users;
    private final Registrations registrations;
    private final AccountTokens tokens;
    private final PasswordEncoder passwords;
    private final AccountMail mail;
    private final AuditTrail audit;

    SelfRegistration(@Value("${canopy.self-registration:false}") boolean enabled, UserAccounts users,
            Registrations registrations, AccountTokens tokens, PasswordEncoder passwords, AccountMail mail,
            AuditTrail audit) {
        this.enabled = enabled;
        this.users = users;
        this.registrations = registrations;
        this.tokens = tokens;
        this.passwords = passwords;
        this.mail = mail;
        this.audit = audit;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Refuses with 403 {@code REGISTRATION_DISABLED} unless the deployment allows signing up. */
    public void requireEnabled() {
        if (!enabled) {
            throw new ApiException(HttpStatus.FORBIDDEN, "REGISTRATION_DISABLED",
                    "Signing up is disabled here; ask an administrator for an invitation.");
        }
    }

    public void register(String email, String fullName, String password) {
        requireEnabled();
        PasswordPolicy.check("password", password, email, fullName);
        // hashed whether or not the address is known, so the answer takes as long either way
        String passwordHash = passwords.encode(password);
        UserAccount existing = users.findByEmail(email).orElse(null);
        if (existing == null) {
            UUID id = Ids.newId();
            registrations.insertPending(id, email, fullName);
            audit.resource("user", id.toString());
            sendVerification(id, email, passwordHash);
        }
        else if (registrations.pending(existing.id())) {
            // signed up before and not verified: another link, with this password; earlier links stay valid
            sendVerification(existing.id(), existing.email(), passwordHash);
        }
        else {
            mail.alreadyRegistered(existing.email());
        }
    }

    /** Uses a verification link: the account gets the password chosen with it and becomes active. */
    public void verify(String token) {
        AccountTokens.Used used = tokens.consume(RefreshTokens.hash(token), AccountTokens.Purpose.EMAIL_VERIFICATION)
                .orElseThrow(() -> new ApiException(HttpStatus.BAD_REQUEST, "VERIFICATION_TOKEN_INVALID",
                        "The verification link is unknown, used or expired."));
        UserAccount user = users.findById(used.userId()).orElseThrow();
        audit.actor(AuditRecord.PLATFORM, new Actor.UserActor(user.id(), user.email()));
        audit.resource("user", user.id().toString());
        if (!registrations.pending(user.id())) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "VERIFICATION_TOKEN_INVALID",
                    "The verification link is unknown, used or expired.");
        }
        if (used.passwordHash() != null) {
            users.changePassword(user.id(), used.passwordHash());
        }
        registrations.complete(user.id());
    }

    private void sendVerification(UUID userId, String email, String passwordHash) {
        String token = RefreshTokens.newToken();
        tokens.issue(userId, AccountTokens.Purpose.EMAIL_VERIFICATION, RefreshTokens.hash(token),
                Instant.now().plus(VERIFICATION_LIFETIME), passwordHash);
        mail.verification(email, token, VERIFICATION_LIFETIME);
    }
}
