/**
 * Notifications: for now, outgoing mail. Other modules build a {@link MailMessage} and hand it to
 * {@link OutgoingMail} (sent after their transaction commits) or to the {@link Mailer} itself.
 */
@NullMarked
package dev.canopy.notifications;

import org.jspecify.annotations.NullMarked;
