package dev.canopy.identity.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A breached-password service with the k-anonymity range API of Have I Been Pwned: {@code GET {base}/range/{first
 * five hex digits of the password's SHA-1}} answers the suffixes of every breached hash with that prefix, one
 * {@code SUFFIX:COUNT} a line, so the service never learns the password or its hash. Padding is asked for (lines of
 * count 0, ignored) so the answer's size says nothing either. It fails open: a slow, failing or unreachable
 * service accepts the password (the shipped list was checked first), because an outage must not block sign-ups,
 * resets and invitations. Redirects are not followed.
 */
final class BreachApi {

    private static final Logger log = LoggerFactory.getLogger(BreachApi.class);
    private static final int MAX_ANSWER = 2 * 1024 * 1024;

    private final String base;
    private final Duration timeout;
    private final HttpClient client;

    BreachApi(URI base, Duration timeout) {
        String text = base.toString();
        this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Whether the service lists the password; false when it cannot say within the timeout. */
    boolean breached(String password) {
        String hash = sha1(password);
        String prefix = hash.substring(0, 5);
        String suffix = hash.substring(5);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/range/" + prefix)).timeout(timeout)
                .header("Add-Padding", "true").header("User-Agent", "Canopy").GET().build();
        try {
            HttpResponse<String> response = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            if (response.statusCode() != 200 || response.body().length() > MAX_ANSWER) {
                log.warn("The breach API answered HTTP {}; the password is accepted", response.statusCode());
                return false;
            }
            return response.body().lines().anyMatch(line -> listed(line, suffix));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        catch (Exception e) {
            log.warn("The breach API could not be asked ({}); the password is accepted", e.getClass().getSimpleName());
            return false;
        }
    }

    private static boolean listed(String line, String suffix) {
        int colon = line.indexOf(':');
        if (colon < 0 || !line.substring(0, colon).strip().equalsIgnoreCase(suffix)) {
            return false;
        }
        try {
            return Long.parseLong(line.substring(colon + 1).strip()) > 0;
        }
        catch (NumberFormatException e) {
            return false;
        }
    }

    private static String sha1(String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(password.getBytes(StandardCharsets.UTF_8))).toUpperCase(Locale.ROOT);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
