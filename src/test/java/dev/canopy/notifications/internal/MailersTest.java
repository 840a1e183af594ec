package dev.canopy.notifications.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.notifications.MailMessage;
import dev.canopy.notifications.Mailer;

/** The two mailers without the application: the .eml drop, and SMTP against a minimal local server. */
class MailersTest {

    private static final MailMessage MESSAGE = new MailMessage("ada@example.com", "Grüße from Canopy",
            "Open https://canopy.example/reset-password?token=abc_DEF-123 once.\n");

    @Test
    void theDropWritesOneReadableMessagePerMail(@TempDir Path dir) throws IOException {
        Mailer drop = new MailDrop(dir.resolve("mail"), "Canopy <no-reply@canopy.local>");

        drop.send(MESSAGE);
        drop.send(MESSAGE);

        List<Path> files;
        try (var listed = Files.list(dir.resolve("mail"))) {
            files = listed.sorted().toList();
        }
        assertThat(files).hasSize(2).allSatisfy(f -> assertThat(f.getFileName().toString())
                .matches("\\d{8}T\\d{6}\\.\\d{3}Z-[0-9a-f-]{36}\\.eml"));
        String eml = Files.readString(files.getFirst());
        assertThat(eml).contains("To: ada@example.com", "From: Canopy <no-reply@canopy.local>",
                "Subject: =?UTF-8?", "https://canopy.example/reset-password?token=abc_DEF-123");
    }

    @Test
    void headerValuesCannotCarryLineBreaks() {
        assertThatThrownBy(() -> new MailMessage("a@example.com\r\nBcc: all@example.com", "Hi", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MailMessage("a@example.com", "Hi\nBcc: all@example.com", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(MESSAGE.toString()).doesNotContain("token");
    }

    @Test
    void smtpHandsTheMessageToTheServer() throws Exception {
        try (var server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> received = CompletableFuture.supplyAsync(() -> converse(server));
            Mailer smtp = new SmtpMailer("127.0.0.1", server.getLocalPort(), "", "", "Canopy <no-reply@canopy.local>");

            smtp.send(MESSAGE);

            List<String> lines = received.get(10, TimeUnit.SECONDS);
            assertThat(lines).anyMatch(l -> l.startsWith("MAIL FROM:<no-reply@canopy.local>"))
                    .anyMatch(l -> l.startsWith("RCPT TO:<ada@example.com>"))
                    .anyMatch(l -> l.contains("token=abc_DEF-123"));
        }
    }

    @Test
    void anUnreachableServerIsAMailFailure() throws IOException {
        int closed;
        try (var server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = server.getLocalPort();
        }
        Mailer smtp = new SmtpMailer("127.0.0.1", closed, "user", "secret", "no-reply@canopy.local");
        assertThatThrownBy(() -> smtp.send(MESSAGE)).isInstanceOf(Mailer.MailFailedException.class)
                .hasMessageNotContaining("token");
    }

    /** Just enough SMTP (RFC 5321) to accept one message; returns every line the client sent. */
    private static List<String> converse(ServerSocket server) {
        List<String> lines = new ArrayList<>();
        try (Socket socket = server.accept()) {
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            reply(out, "220 localhost ESMTP test");
            boolean data = false;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
                if (data) {
                    if (line.equals(".")) {
                        data = false;
                        reply(out, "250 queued");
                    }
                    continue;
                }
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO", "HELO" -> reply(out, "250 localhost");
                    case "DATA" -> {
                        data = true;
                        reply(out, "354 go ahead");
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return lines;
                    }
                    default -> reply(out, "250 OK");
                }
            }
            return lines;
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
