package dev.canopy.console;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser without a screen, for the console's HTTP-level tests: keeps cookies, does not follow redirects,
 * and posts forms with the CSRF token of the last page it loaded.
 */
final class ConsoleClient {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final Pattern CSRF_META = Pattern.compile("id=\"csrf-token\" hidden data-token=\"([^\"]+)\"");

    private final String base;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;
    private String csrf = "";

    ConsoleClient(int port) {
        this.base = "http://localhost:" + port;
        this.http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    record Page(int status, String body, HttpResponse<String> response) {

        String location() {
            // the path only: Spring may answer with an absolute URL
            return response.headers().firstValue("Location").map(URI::create).map(URI::getPath).orElse("");
        }

        List<String> setCookies() {
            return response.headers().allValues("Set-Cookie");
        }
    }

    Page get(String path) {
        Page page = send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
        remember(page.body());
        return page;
    }

    /** Loads a page of another site (an identity provider), with the cookies this browser has for it. */
    Page getUrl(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    /** Posts a form with the CSRF token of the last page loaded. */
    Page post(String path, String... keysAndValues) {
        var fields = new ArrayList<String>(List.of(keysAndValues));
        fields.add("_csrf");
        fields.add(csrf);
        return postRaw(path, fields.toArray(String[]::new));
    }

    /** Posts exactly these fields: no CSRF token unless given. */
    Page postRaw(String path, String... keysAndValues) {
        var form = new StringBuilder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (!form.isEmpty()) {
                form.append('&');
            }
            form.append(URLEncoder.encode(keysAndValues[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(keysAndValues[i + 1], StandardCharsets.UTF_8));
        }
        Page page = send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build());
        remember(page.body());
        return page;
    }

    /** Posts as htmx does: the CSRF token of the last page in a header, {@code HX-Request: true}, no fields. */
    Page htmxPost(String path) {
        Page page = send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("HX-Request", "true").header("X-CSRF-TOKEN", csrf)
                .POST(HttpRequest.BodyPublishers.ofString("")).build());
        remember(page.body());
        return page;
    }

    /** Posts a file as a multipart form, with the CSRF token of the last page loaded as a field of it. */
    Page upload(String path, String field, String filename, byte[] content) {
        String boundary = "console-test-" + System.nanoTime();
        Page page = send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(dev.canopy.support.Api.multipart(boundary,
                        java.util.Map.of("_csrf", csrf), field, filename, content))).build());
        remember(page.body());
        return page;
    }

    /** Signs in with a password (no MFA) and checks the browser lands on the dashboard. */
    ConsoleClient signIn(String email, String password) {
        get("/sign-in");
        Page page = post("/sign-in", "email", email, "password", password);
        if ((page.status() != 302 && page.status() != 303) || !"/".equals(page.location())) {
            throw new AssertionError("sign-in failed: " + page.status() + " " + page.body());
        }
        return this;
    }

    List<HttpCookie> cookies() {
        return cookies.getCookieStore().getCookies();
    }

    void forgetCookie(String name) {
        cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name)).toList()
                .forEach(c -> cookies.getCookieStore().remove(URI.create(base), c));
    }

    private Page send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Page(response.statusCode(), response.body(), response);
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void remember(String body) {
        Matcher m = CSRF.matcher(body);
        if (m.find()) {
            csrf = m.group(1);
            return;
        }
        Matcher meta = CSRF_META.matcher(body);
        if (meta.find()) {
            csrf = meta.group(1);
        }
    }
}
