package dev.canopy.notifications;

/**
 * Sends mail. Over SMTP when {@code CANOPY_SMTP_HOST} is set; otherwise messages are written as .eml
 * files under {@code <data-dir>/mail/} (and their recipient and subject logged), so a local user can
 * open them and click their links.
 */
public interface Mailer {

    /** Sends at once; throws {@link MailFailedException} when the message could not be handed over. */
    void send(MailMessage message);

    /** A message could not be sent. Its text is never part of the exception. */
    class MailFailedException extends RuntimeException {

        public MailFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
