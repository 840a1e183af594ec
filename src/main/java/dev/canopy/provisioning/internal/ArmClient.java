package dev.canopy.provisioning.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The HTTP side of the ARM driver for one run: a token from Microsoft Entra ID's client-credentials grant (renewed
 * when it runs out), calls to Azure Resource Manager with it, ARM's {@code {error: {code, message}}} answers turned
 * into {@link DriverFailure}s (4xx final, 408/429/5xx and unreachable endpoints retryable), and the waits of its
 * long-running operations (honouring {@code Retry-After}, bounded, interrupted by cancel).
 * <p>
 * It only ever talks to the two endpoints it was made with, which the installation configures and the address
 * policy checked: a {@code Location} that ARM answers elsewhere is refused rather than followed with the token.
 */
final class ArmClient {

    static final String API_VERSION = "2021-04-01";
    static final String SCOPE = "https://management.azure.com/.default";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration MIN_WAIT = Duration.ofMillis(100);
    private static final Duration MAX_WAIT = Duration.ofSeconds(60);
    private static final int MAX_BODY_IN_MESSAGE = 300;

    /** An answer of ARM: status, body (JSON, or an empty object) and the headers a poll needs. */
    record Answer(int status, JsonNode body, Optional<String> location, Optional<String> retryAfter,
            Optional<String> asyncOperation) {
    }

    private final HttpClient http;
    private final URI login;
    private final URI endpoint;
    private final String tenant;
    private final String clientId;
    private final String clientSecret;
    private final CancelSignal cancel;
    private final Instant deadline;
    private final Duration interval;
    private String token;
    private Instant tokenExpires = Instant.MIN;

    /** {@code interval}: the wait between polls when ARM's answer names none; {@code timeout}: of each operation. */
    ArmClient(URI login, URI endpoint, String tenant, String clientId, String clientSecret, CancelSignal cancel,
            Duration interval, Duration timeout) {
        this.interval = interval;
        this.login = login;
        this.endpoint = endpoint;
        this.tenant = tenant;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.cancel = cancel;
        this.deadline = Instant.now().plus(timeout);
        // no proxy and no redirects: the token goes to the checked endpoints and nowhere else
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).proxy(HttpClient.Builder.NO_PROXY).build();
    }

    /**
     * This client for the calls that stop a cancelled deployment: they are sent although the run's cancel is raised,
     * and their waits end with the grace period instead.
     */
    ArmClient stopping(Duration grace) {
        ArmClient stopping = new ArmClient(login, endpoint, tenant, clientId, clientSecret, new CancelSignal(),
                interval, grace);
        stopping.token = token;
        stopping.tokenExpires = tokenExpires;
        return stopping;
    }

    /** An ARM URI of the path (already encoded segments) with the api-version. */
    URI uri(String path, String apiVersion) {
        return URI.create(base(endpoint) + path + "?api-version=" + URLEncoder.encode(apiVersion,
                StandardCharsets.UTF_8));
    }

    Answer get(URI uri) {
        return send("GET", uri, null);
    }

    Answer put(URI uri, JsonNode body) {
        return send("PUT", uri, body);
    }

    Answer post(URI uri, JsonNode body) {
        return send("POST", uri, body);
    }

    Answer delete(URI uri) {
        return send("DELETE", uri, null);
    }

    /** The answer when it is 2xx (or one of {@code also}), else the failure ARM's error describes. */
    Answer expect(Answer answer, String what, int... also) {
        if (answer.status() / 100 == 2) {
            return answer;
        }
        for (int s : also) {
            if (answer.status() == s) {
                return answer;
            }
        }
        throw failure(what, answer);
    }

    /**
     * Follows a long-running operation's {@code Location} until it answers something other than 202; the first
     * wait is the one the accepting answer asked for.
     */
    Answer follow(Answer accepted, String what) {
        Answer answer = accepted;
        if (answer.location().isEmpty() && answer.asyncOperation().isPresent()) {
            return operation(answer, what);
        }
        URI next = location(answer, what);
        while (answer.status() == 202) {
            pause(answer, what);
            answer = get(next);
            if (answer.status() == 202 && answer.location().isPresent()) {
                next = location(answer, what);
            }
        }
        return answer;
    }

    /**
     * Some resource providers accept with only {@code Azure-AsyncOperation}: its status resource is polled until
     * its {@code status} is Succeeded (answered as a 200), Failed or Canceled (the operation's error).
     */
    private Answer operation(Answer accepted, String what) {
        URI status = checked(accepted.asyncOperation().orElseThrow(), what);
        Answer answer = accepted;
        while (true) {
            pause(answer, what);
            answer = expect(get(status), what);
            String state = answer.body().path("status").asString("");
            if (state.equalsIgnoreCase("succeeded")) {
                return new Answer(200, answer.body(), Optional.empty(), Optional.empty(), Optional.empty());
            }
            if (state.equalsIgnoreCase("failed") || state.equalsIgnoreCase("canceled")) {
                throw new DriverFailure(what + " ended " + state + ": " + describe(answer.body().path("error"),
                        answer.body()), false);
            }
        }
    }

    /** Polls {@code read} until {@code done} says its answer is final, waiting as ARM asks between polls. */
    Answer poll(URI uri, String what, Function<Answer, Boolean> done) {
        Answer answer = expect(get(uri), what);
        while (!done.apply(answer)) {
            pause(answer, what);
            answer = expect(get(uri), what);
        }
        return answer;
    }

    /** Waits as the answer asks (Retry-After, bounded), checking cancel and the run's deadline. */
    void pause(Answer answer, String what) {
        Duration wait = answer.retryAfter().flatMap(ArmClient::seconds).orElse(interval);
        wait = wait.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
        Instant until = Instant.now().plus(wait);
        while (Instant.now().isBefore(until)) {
            if (cancel.raised()) {
                throw new DriverFailure.Canceled();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new DriverFailure(what + " did not finish within the ARM driver's timeout", true);
            }
            try {
                Thread.sleep(Math.min(50, Math.max(1, Duration.between(Instant.now(), until).toMillis())));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DriverFailure("interrupted while waiting for " + what, true);
            }
        }
    }

    private static Optional<Duration> seconds(String header) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(header.strip())));
        }
        catch (NumberFormatException e) {
            return Optional.empty(); // an HTTP date: ARM sends seconds, and the default wait is as good
        }
    }

    private URI location(Answer answer, String what) {
        String location = answer.location().orElseThrow(() -> new DriverFailure("Azure Resource Manager accepted "
                + what + " without a Location to follow", false));
        return checked(location, what);
    }

    /** An address ARM answered, if it is under the endpoint: the token goes nowhere else. */
    private URI checked(String location, String what) {
        URI uri;
        try {
            uri = URI.create(base(endpoint) + "/").resolve(location).normalize();
        }
        catch (IllegalArgumentException e) {
            throw new DriverFailure("Azure Resource Manager answered an unreadable Location for " + what, false);
        }
        if (uri.getRawPath() == null || uri.getRawPath().contains("/../") || !onEndpoint(uri)) {
            throw new DriverFailure("Azure Resource Manager answered a Location outside " + base(endpoint) + " for "
                    + what + "; Canopy does not send its token there", false);
        }
        return uri;
    }

    private Answer send(String method, URI uri, JsonNode body) {
        if (!onEndpoint(uri)) {
            throw new IllegalArgumentException("not an ARM address: " + uri); // never: every URI is built here
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token()).header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        else {
            request.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("")
                    : HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = exchange(request.build(), "Azure Resource Manager");
        return new Answer(response.statusCode(), json(response.body()), response.headers().firstValue("Location"),
                response.headers().firstValue("Retry-After"), response.headers().firstValue("Azure-AsyncOperation"));
    }

    /** The bearer token, asked for again a minute before the last one runs out. */
    private String token() {
        if (token != null && Instant.now().isBefore(tokenExpires.minusSeconds(60))) {
            return token;
        }
        URI uri = URI.create(base(login) + "/" + URLEncoder.encode(tenant, StandardCharsets.UTF_8)
                + "/oauth2/v2.0/token");
        String form = "grant_type=client_credentials&client_id=" + encode(clientId) + "&client_secret="
                + encode(clientSecret) + "&scope=" + encode(SCOPE);
        HttpResponse<String> response = exchange(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), "Microsoft Entra ID");
        JsonNode answer = json(response.body());
        if (response.statusCode() == 200 && answer.path("access_token").isString()) {
            token = answer.path("access_token").asString();
            tokenExpires = Instant.now().plusSeconds(Math.max(60, answer.path("expires_in").asLong(3600)));
            return token;
        }
        String error = answer.path("error").asString("");
        String description = answer.path("error_description").asString("").lines().findFirst().orElse("");
        boolean retryable = response.statusCode() >= 500 || response.statusCode() == 429;
        throw new DriverFailure("Microsoft Entra ID refused the service principal's token request (HTTP "
                + response.statusCode() + (error.isEmpty() ? "" : ", " + error) + ")"
                + (description.isEmpty() ? "" : ": " + clip(description)), retryable);
    }

    private HttpResponse<String> exchange(HttpRequest request, String who) {
        if (cancel.raised()) {
            throw new DriverFailure.Canceled();
        }
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new DriverFailure("Cannot reach " + who + " at " + request.uri().getScheme() + "://"
                    + request.uri().getRawAuthority() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : clip(e.getMessage())), true);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DriverFailure("interrupted while calling " + who, true);
        }
    }

    /** ARM's error, as a failure of {@code what}: its code and message, and those of its details. */
    static DriverFailure failure(String what, Answer answer) {
        int status = answer.status();
        boolean retryable = status >= 500 || status == 408 || status == 429;
        return new DriverFailure(what + ": Azure Resource Manager answered HTTP " + status + ": "
                + describe(answer.body().path("error"), answer.body()), retryable);
    }

    /** {@code Code: message (Detail: message; ...)} of an ARM error object. */
    static String describe(JsonNode error, JsonNode whole) {
        if (!error.isObject()) {
            String text = whole.isEmpty() ? "no error body" : whole.toString();
            return clip(text);
        }
        String code = error.path("code").asString("");
        String message = error.path("message").asString("");
        List<String> details = new ArrayList<>();
        for (JsonNode d : error.path("details")) {
            details.add(describe(d, d));
        }
        return (code.isEmpty() ? "" : code + ": ") + message + (details.isEmpty() ? ""
                : " (" + String.join("; ", details) + ")");
    }

    private static JsonNode json(String body) {
        if (body == null || body.isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            return JSON.readTree(body);
        }
        catch (JacksonException e) {
            return JsonNodeFactory.instance.objectNode().put("text", clip(body));
        }
    }

    private static String clip(String text) {
        return text.length() > MAX_BODY_IN_MESSAGE ? text.substring(0, MAX_BODY_IN_MESSAGE) + "..." : text;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The configured URI as a prefix: no trailing slash, no query. */
    static String base(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getRawAuthority() + (path.endsWith("/")
                ? path.substring(0, path.length() - 1) : path);
    }

    /** Whether the URI is on the endpoint: same scheme and authority, under its path. */
    private boolean onEndpoint(URI uri) {
        String root = base(endpoint);
        String candidate = uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
        return candidate.equals(root) || candidate.startsWith(root + "/");
    }
}
