package dev.canopy.cloud.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The HTTP calls of the provider checks, with connect and request timeouts, turning network failures into a
 * {@link CheckResult} that says what happened without any secret.
 */
final class HttpChecks {

    /** An answer, or the failure that stood in for one. */
    record Answer(int status, String body, CheckResult failure) {

        boolean failed() {
            return failure != null;
        }
    }

    private final HttpClient client;
    private final Duration timeout;

    HttpChecks(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    Duration timeout() {
        return timeout;
    }

    Answer postForm(URI uri, Map<String, String> form, Map<String, String> headers) {
        String body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return post(uri, body, headers);
    }

    Answer post(URI uri, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String text = response.body();
            return new Answer(response.statusCode(), text.length() > 65536 ? text.substring(0, 65536) : text, null);
        }
        catch (HttpConnectTimeoutException e) {
            return failure("Timed out connecting to " + where(uri) + " after " + timeout.toSeconds() + " s");
        }
        catch (HttpTimeoutException e) {
            return failure("No answer from " + where(uri) + " within " + timeout.toSeconds() + " s");
        }
        catch (ConnectException e) {
            return failure("Cannot connect to " + where(uri) + " (connection refused or unreachable)");
        }
        catch (IOException e) {
            return failure("Cannot reach " + where(uri) + ": " + describe(e));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failure("Interrupted while calling " + where(uri));
        }
    }

    static String where(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName()
                : message.length() > 200 ? message.substring(0, 200) : message;
    }

    private static Answer failure(String detail) {
        return new Answer(0, "", CheckResult.failed(detail));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
