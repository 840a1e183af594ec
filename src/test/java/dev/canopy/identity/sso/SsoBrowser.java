package dev.canopy.identity.sso;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.canopy.support.Api;

/**
 * A browser's part in the SSO redirect flow, over real HTTP: it starts the login at Canopy, follows the
 * redirect to the provider's authorize endpoint, carries the cookies Canopy set, and calls the callback
 * the provider redirected to. Redirects are never followed automatically, so each hop can be inspected.
 */
final class SsoBrowser {

    private final Api api;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> cookies = new LinkedHashMap<>();

    SsoBrowser(Api api) {
        this.api = api;
    }

    /** The login start: Canopy's answer (a redirect to the provider, or a refusal). */
    Api.Response start(String slug, @Nullable String returnTo) {
        String path = "/api/v1/auth/sso/" + slug + "/login" + (returnTo == null ? "" : "?return_to=" + returnTo);
        return remember(api.send("GET", path, null, null, Map.of()));
    }

    /** Follows Canopy's redirect to the provider, which signs the user in and redirects to the callback URL. */
    String authorize(Api.Response started) {
        assertThat(started.status()).as(started.toString()).isEqualTo(302);
        Api.Response atProvider = get(started.header("Location"));
        assertThat(atProvider.status()).as(atProvider.toString()).isEqualTo(302);
        String callback = atProvider.header("Location");
        assertThat(callback).startsWith(api.base() + "/api/v1/auth/sso/callback?");
        return callback;
    }

    /** Calls the callback URL (as the provider's redirect makes the browser do), with the cookies set so far. */
    Api.Response callback(String callbackUrl) {
        return remember(api.send("GET", callbackUrl.substring(api.base().length()), null, null, cookieHeader()));
    }

    /** The whole flow; the callback's answer. */
    Api.Response signIn(String slug) {
        return callback(authorize(start(slug, null)));
    }

    /** What the console does after the callback's redirect: trade the refresh cookie for tokens. */
    Api.Response tokens() {
        return api.send("POST", "/api/v1/auth/refresh", null, null, cookieHeader());
    }

    @Nullable String cookie(String name) {
        return cookies.get(name);
    }

    void setCookie(String name, String value) {
        cookies.put(name, value);
    }

    void forget(String name) {
        cookies.remove(name);
    }

    static Map<String, String> query(String url) {
        var params = new LinkedHashMap<String, String>();
        String query = URI.create(url).getRawQuery();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    private Map<String, String> cookieHeader() {
        if (cookies.isEmpty()) {
            return Map.of();
        }
        var header = new StringBuilder();
        cookies.forEach((k, v) -> header.append(header.isEmpty() ? "" : "; ").append(k).append('=').append(v));
        return Map.of("Cookie", header.toString());
    }

    private Api.Response remember(Api.Response response) {
        for (String setCookie : response.headerValues("Set-Cookie")) {
            String pair = setCookie.split(";", 2)[0];
            int eq = pair.indexOf('=');
            String name = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            if (value.isEmpty() || setCookie.contains("Max-Age=0")) {
                cookies.remove(name);
            }
            else {
                cookies.put(name, value);
            }
        }
        return response;
    }

    private Api.Response get(String url) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Api.Response(response.statusCode(), response.headers().map(), response.body());
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<String> list(String... values) {
        return List.of(values);
    }
}
