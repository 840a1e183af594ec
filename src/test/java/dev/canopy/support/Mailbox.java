package dev.canopy.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * The mail the application under test wrote as .eml files ({@code <data-dir>/mail}, no SMTP configured),
 * read back the way a mail program would. Mail goes out after commit in the background, so reads wait.
 */
public final class Mailbox {

    public static final Path DIRECTORY = Path.of("target/test-data/mail");
    private static final Pattern TOKEN = Pattern.compile("[?&]token=([A-Za-z0-9_-]+)");
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private Mailbox() {
    }

    /** One stored message. */
    public record Mail(Path file, String from, String to, String subject, String text) {

        /** The single-use token of the message's link. */
        public String token() {
            Matcher m = TOKEN.matcher(text);
            assertThat(m.find()).as("a link with a token in " + text).isTrue();
            return m.group(1);
        }

        public String link() {
            return text.lines().filter(l -> l.startsWith("http")).findFirst().orElseThrow();
        }
    }

    /** Every message to the address so far, oldest first. */
    public static List<Mail> to(String address) {
        if (!Files.isDirectory(DIRECTORY)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".eml"))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString()))
                    .map(Mailbox::read)
                    .filter(mail -> mail.to().equalsIgnoreCase(address))
                    .toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the address's {@code n}th message (1 is the first) and returns it. */
    public static Mail awaitMessage(String address, int n) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        List<Mail> mails = to(address);
        while (mails.size() < n && System.nanoTime() < deadline) {
            sleep(50);
            mails = to(address);
        }
        assertThat(mails).as("mail to " + address).hasSizeGreaterThanOrEqualTo(n);
        return mails.get(n - 1);
    }

    /** Asserts that the address gets no more than {@code n} messages within a second. */
    public static void assertNoMoreThan(String address, int n) {
        sleep(1000);
        assertThat(to(address)).as("mail to " + address).hasSize(n);
    }

    private static Mail read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            var message = new MimeMessage(Session.getInstance(new Properties()), in);
            return new Mail(file, ((InternetAddress) message.getFrom()[0]).getAddress(),
                    ((InternetAddress) message.getAllRecipients()[0]).getAddress(), message.getSubject(),
                    String.valueOf(message.getContent()));
        }
        catch (IOException | MessagingException e) {
            throw new IllegalStateException("Unreadable mail " + file, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
