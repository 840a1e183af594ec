package dev.canopy.notifications;

/**
 * One plain-text mail to one recipient. Header values cannot carry line breaks, so a value taken from a
 * request can never add headers of its own.
 */
public record MailMessage(String to, String subject, String text) {

    public MailMessage {
        if (to.isBlank() || to.length() > 320 || hasLineBreak(to)) {
            throw new IllegalArgumentException("Not a single mail recipient");
        }
        if (subject.length() > 200 || hasLineBreak(subject)) {
            throw new IllegalArgumentException("A mail subject is one line of at most 200 characters");
        }
    }

    private static boolean hasLineBreak(String value) {
        return value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0;
    }

    /** What may be logged about the message: never its text, which can carry a single-use link. */
    @Override
    public String toString() {
        return "MailMessage[to=" + to + ", subject=" + subject + "]";
    }
}
