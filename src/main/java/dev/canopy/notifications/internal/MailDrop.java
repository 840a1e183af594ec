package dev.canopy.notifications.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Properties;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.notifications.MailMessage;
import dev.canopy.notifications.Mailer;
import dev.canopy.platform.Ids;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * The mailer of a deployment without SMTP: each message becomes an RFC 5322 file
 * {@code <dir>/<timestamp>-<id>.eml} that any mail program opens. Only the recipient and subject are
 * logged; the text may hold a single-use link, which is as secret as a password.
 */
final class MailDrop implements Mailer {

    private static final Logger log = LoggerFactory.getLogger(MailDrop.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path directory;
    private final String from;
    private final Session session = Session.getInstance(new Properties());

    MailDrop(Path directory, String from) {
        this.directory = directory.toAbsolutePath();
        this.from = from;
    }

    @Override
    public void send(MailMessage message) {
        UUID id = Ids.newId();
        Path file = directory.resolve(STAMP.format(java.time.Instant.now()) + "-" + id + ".eml");
        try {
            Files.createDirectories(directory);
            MimeMessage mime = new MimeMessage(session);
            mime.setFrom(new InternetAddress(from));
            mime.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(message.to()));
            mime.setSubject(message.subject(), "UTF-8");
            mime.setText(message.text(), "UTF-8");
            mime.setSentDate(new Date());
            mime.saveChanges();
            mime.setHeader("Message-ID", "<" + id + "@canopy.local>");
            // written beside the final name, then moved: a reader never sees half a message
            Path partial = directory.resolve("." + id + ".part");
            try (OutputStream out = Files.newOutputStream(partial)) {
                mime.writeTo(out);
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (MessagingException | IOException e) {
            throw new MailFailedException("The mail to " + message.to() + " could not be written", e);
        }
        log.info("Mail to {} ({}) written to {}", message.to(), message.subject(), file);
    }
}
