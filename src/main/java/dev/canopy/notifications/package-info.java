/**
 * Notifications: in-app notifications made from domain events (served at {@code /api/v1/notifications}, live over
 * server-sent events on every instance, behind the console's bell), mail preferences with digests, and outgoing
 * mail. Other modules build a {@link MailMessage} and hand it to {@link OutgoingMail} (sent after their transaction
 * commits) or to the {@link Mailer} itself; they notify users by publishing events whose data names them.
 */
@NullMarked
package dev.canopy.notifications;

import org.jspecify.annotations.NullMarked;
