package dev.canopy.notifications.internal;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.mail.MailException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;

import dev.canopy.notifications.MailMessage;
import dev.canopy.notifications.Mailer;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * Sends through an SMTP server ({@code CANOPY_SMTP_HOST}, {@code _PORT}, {@code _USERNAME},
 * {@code _PASSWORD}, {@code _FROM}), upgrading to TLS when the server offers STARTTLS. The sender is kept
 * to this class, not published as a bean, so the mail server's health never decides the instance's.
 */
final class SmtpMailer implements Mailer {

    private static final Logger log = LoggerFactory.getLogger(SmtpMailer.class);
    private static final String TIMEOUT_MILLIS = "10000";

    private final JavaMailSenderImpl sender = new JavaMailSenderImpl();
    private final String from;

    SmtpMailer(String host, int port, String username, String password, String from) {
        this.from = from;
        sender.setHost(host);
        sender.setPort(port);
        sender.setDefaultEncoding(StandardCharsets.UTF_8.name());
        Properties properties = sender.getJavaMailProperties();
        if (!username.isBlank()) {
            sender.setUsername(username);
            sender.setPassword(password);
            properties.put("mail.smtp.auth", "true");
        }
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.connectiontimeout", TIMEOUT_MILLIS);
        properties.put("mail.smtp.timeout", TIMEOUT_MILLIS);
        properties.put("mail.smtp.writetimeout", TIMEOUT_MILLIS);
    }

    @Override
    public void send(MailMessage message) {
        try {
            MimeMessage mime = sender.createMimeMessage();
            MimeMessageHelper helper = new MimeMessageHelper(mime, StandardCharsets.UTF_8.name());
            helper.setFrom(from);
            helper.setTo(message.to());
            helper.setSubject(message.subject());
            helper.setText(message.text());
            sender.send(mime);
        }
        catch (MessagingException | MailException e) {
            throw new MailFailedException("The mail to " + message.to() + " could not be sent", e);
        }
        log.info("Mail to {} ({}) sent over SMTP", message.to(), message.subject());
    }
}
