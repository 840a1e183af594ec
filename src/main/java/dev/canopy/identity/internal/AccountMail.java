package dev.canopy.identity.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.springframework.stereotype.Component;

import dev.canopy.notifications.MailMessage;
import dev.canopy.notifications.OutgoingMail;

/**
 * The mails identity sends, each carrying a single-use link under the issuer's base URL. They go out
 * after the request's transaction commits, so a rolled-back request mails nothing. The console serves
 * the linked pages; the API equivalent of each link is named in the text.
 */
@Component
class AccountMail {

    static final String ACCEPT_INVITATION = "/accept-invitation";
    static final String RESET_PASSWORD = "/reset-password";
    static final String VERIFY_EMAIL = "/verify-email";

    private final Issuer issuer;
    private final OutgoingMail outgoing;

    AccountMail(Issuer issuer, OutgoingMail outgoing) {
        this.issuer = issuer;
        this.outgoing = outgoing;
    }

    void invitation(String to, String tenantName, String invitedBy, String token, Instant expiresAt) {
        outgoing.sendAfterCommit(new MailMessage(to, "You are invited to " + oneLine(tenantName) + " on Canopy", """
                %s invited you to join %s on Canopy.

                Accept the invitation here (the link works once, until %s):
                %s

                (API: POST /api/v1/invitations/{token}/accept with the token of the link.)
                If you did not expect this invitation, ignore this message.
                """.formatted(invitedBy, tenantName, expiresAt.truncatedTo(ChronoUnit.MINUTES),
                        link(ACCEPT_INVITATION, token))));
    }

    void passwordReset(String to, String token, Duration validFor) {
        outgoing.sendAfterCommit(new MailMessage(to, "Reset your Canopy password", """
                Someone asked to reset the password of your Canopy account.

                Choose a new password here (the link works once, for %d minutes):
                %s

                (API: POST /api/v1/auth/password-reset/confirm with the token of the link.)
                If it was not you, ignore this message: your password stays as it is.
                """.formatted(validFor.toMinutes(), link(RESET_PASSWORD, token))));
    }

    void verification(String to, String token, Duration validFor) {
        outgoing.sendAfterCommit(new MailMessage(to, "Confirm your email address for Canopy", """
                Welcome to Canopy. Confirm that this address is yours to activate your account
                (the link works once, for %d hours):
                %s

                (API: POST /api/v1/auth/verify-email with the token of the link.)
                If you did not sign up, ignore this message.
                """.formatted(validFor.toHours(), link(VERIFY_EMAIL, token))));
    }

    /** Sign-up with an address that already has an account: tell its owner, reveal nothing to the caller. */
    void alreadyRegistered(String to) {
        outgoing.sendAfterCommit(new MailMessage(to, "Your Canopy account", """
                Someone tried to sign up for Canopy with this address, which already has an account.

                If it was you, sign in, or reset your password if you forgot it:
                %s
                If it was not you, ignore this message.
                """.formatted(issuer.current() + RESET_PASSWORD)));
    }

    private String link(String path, String token) {
        return issuer.current() + path + "?token=" + token;
    }

    private static String oneLine(String text) {
        String flat = text.replaceAll("[\\r\\n]+", " ");
        return flat.length() > 120 ? flat.substring(0, 120) : flat;
    }
}
