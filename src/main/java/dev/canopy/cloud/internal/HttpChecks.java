package dev.canopy.cloud.internal;

import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import dev.canopy.cloud.internal.AddressPolicy.Destination;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * The HTTP calls of the provider checks, with connect and request timeouts, turning network failures into a
 * {@link CheckResult} that says what happened without any secret. Each call resolves its host once through the
 * {@link AddressPolicy} and connects to that address ({@link RequestOptions#setServer}), while the Host header,
 * the TLS server name and the certificate check still use the host name. Vert.x rather than the JDK's client:
 * that one resolves names itself and cannot be given the address. Redirects are not followed.
 */
final class HttpChecks implements AutoCloseable {

    /** An answer, or the failure that stood in for one. */
    record Answer(int status, String body, CheckResult failure) {

        boolean failed() {
            return failure != null;
        }
    }

    private static final int MAX_BODY = 65536;

    private final AddressPolicy addresses;
    private final Duration timeout;
    private final Vertx vertx;
    private final HttpClient client;

    HttpChecks(AddressPolicy addresses, Duration timeout) {
        this.addresses = addresses;
        this.timeout = timeout;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeout.toMillis())
                .setVerifyHost(true).setForceSni(true).setKeepAlive(false).setMaxRedirects(0));
    }

    Duration timeout() {
        return timeout;
    }

    AddressPolicy addresses() {
        return addresses;
    }

    Answer postForm(URI uri, Map<String, String> form, Map<String, String> headers) {
        String body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return post(uri, body, headers);
    }

    Answer post(URI uri, String body, Map<String, String> headers) {
        Destination destination = addresses.resolve(uri);
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(uri.toString())
                .setServer(SocketAddress.inetSocketAddress(destination.port(),
                        destination.address().getHostAddress()))
                .setFollowRedirects(false)
                .setIdleTimeout(timeout.toMillis());
        headers.forEach(request::putHeader);
        try {
            return client.request(request)
                    .compose(sent -> sent.send(Buffer.buffer(body)))
                    .compose(response -> response.body().map(answer -> {
                        String text = answer.length() > MAX_BODY ? answer.getString(0, MAX_BODY) : answer.toString();
                        return new Answer(response.statusCode(), text, null);
                    }))
                    .toCompletionStage().toCompletableFuture()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            return failure("No answer from " + where(uri) + " within " + timeout.toSeconds() + " s");
        }
        catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof io.netty.channel.ConnectTimeoutException) {
                return failure("Timed out connecting to " + where(uri) + " after " + timeout.toSeconds() + " s");
            }
            if (cause instanceof ConnectException) {
                return failure("Cannot connect to " + where(uri) + " (connection refused or unreachable)");
            }
            if (cause != null && cause.getClass().getSimpleName().contains("Timeout")) {
                return failure("No answer from " + where(uri) + " within " + timeout.toSeconds() + " s");
            }
            return failure("Cannot reach " + where(uri) + ": " + describe(cause == null ? e : cause));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failure("Interrupted while calling " + where(uri));
        }
    }

    @Override
    public void close() {
        vertx.close();
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
