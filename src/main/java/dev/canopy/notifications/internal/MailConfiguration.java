package dev.canopy.notifications.internal;

import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.canopy.notifications.Mailer;

/** SMTP when a host is configured ({@code CANOPY_SMTP_HOST}), else the local mail drop. */
@Configuration(proxyBeanMethods = false)
class MailConfiguration {

    @Bean
    Mailer mailer(@Value("${canopy.smtp.host:}") String host, @Value("${canopy.smtp.port:587}") int port,
            @Value("${canopy.smtp.username:}") String username, @Value("${canopy.smtp.password:}") String password,
            @Value("${canopy.smtp.from:}") String from, @Value("${canopy.data-dir}") Path dataDir) {
        String sender = from.isBlank() ? "Canopy <no-reply@canopy.local>" : from;
        if (host.isBlank()) {
            return new MailDrop(dataDir.resolve("mail"), sender);
        }
        return new SmtpMailer(host, port, username, password, sender);
    }
}
