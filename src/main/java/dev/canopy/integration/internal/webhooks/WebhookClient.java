package dev.canopy.integration.internal.webhooks;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.canopy.integration.internal.webhooks.Deliveries.Attempt;
import dev.canopy.integration.internal.webhooks.WebhookAddresses.Destination;
import dev.canopy.platform.StartupRefusedException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;

/**
 * Sends one webhook request: a POST to the address {@link WebhookAddresses} checked (so the connection goes where
 * the check looked), with the URL's host name in the Host header, the TLS server name and the certificate check.
 * Vert.x rather than the JDK's client, which resolves names itself and cannot be given the address. Connect and
 * whole-request timeouts; redirects are not followed; only the first {@link #MAX_BODY} bytes of an answer are kept.
 * Connections are kept alive per address and host name, so a busy receiver is not handshaken with per event.
 */
@Component
class WebhookClient implements DisposableBean {

    static final int MAX_BODY = 2048;

    private final Duration requestTimeout;
    private final Vertx vertx;
    private final HttpClient client;

    WebhookClient(@Value("${canopy.webhooks.connect-timeout}") Duration connectTimeout,
            @Value("${canopy.webhooks.request-timeout}") Duration requestTimeout,
            @Value("${canopy.webhooks.workers}") int workers,
            @Value("${canopy.webhooks.trusted-certificates:}") String trustedCertificates) {
        this.requestTimeout = requestTimeout;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        var options = new HttpClientOptions().setConnectTimeout((int) connectTimeout.toMillis())
                .setSsl(true).setVerifyHost(true).setForceSni(true).setKeepAlive(true)
                .setKeepAliveTimeout(30).setMaxRedirects(0);
        if (!trustedCertificates.isBlank()) {
            options.setTrustOptions(TrustOptions.wrap(trust(Path.of(trustedCertificates))));
        }
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(Math.max(1, workers)));
    }

    Attempt post(Destination destination, String body, Map<String, String> headers) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(destination.uri().toString())
                .setServer(SocketAddress.inetSocketAddress(destination.port(),
                        destination.address().getHostAddress()))
                .setFollowRedirects(false)
                .setIdleTimeout(requestTimeout.toMillis());
        headers.forEach(request::putHeader);
        AtomicReference<@Nullable HttpClientRequest> sent = new AtomicReference<>();
        long started = System.nanoTime();
        CompletableFuture<Attempt> answered = new CompletableFuture<>();
        // on one Vert.x context, so the answer's handlers are set in the task that hands over the answer, before
        // its body and end can arrive (from this thread, they were set in a later task, after a short answer ended)
        vertx.runOnContext(start -> exchange(request, body, started, sent)
                .onSuccess(answered::complete).onFailure(answered::completeExceptionally));
        try {
            return answered.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            HttpClientRequest r = sent.get();
            if (r != null) {
                r.reset();
            }
            return failure(started, "No complete answer within " + requestTimeout.toSeconds() + " s");
        }
        catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof io.netty.channel.ConnectTimeoutException) {
                return failure(started, "Timed out connecting");
            }
            if (cause instanceof ConnectException) {
                return failure(started, "Cannot connect (connection refused or unreachable)");
            }
            if (cause.getClass().getSimpleName().contains("Timeout")) {
                return failure(started, "No complete answer within " + requestTimeout.toSeconds() + " s");
            }
            return failure(started, "Cannot reach the receiver: " + describe(cause));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failure(started, "Interrupted");
        }
    }

    private Future<Attempt> exchange(RequestOptions request, String body, long started,
            AtomicReference<@Nullable HttpClientRequest> sent) {
        return client.request(request)
                .compose(r -> {
                    sent.set(r);
                    return r.send(Buffer.buffer(body));
                })
                .compose(response -> {
                    Promise<Attempt> answer = Promise.promise();
                    Buffer kept = Buffer.buffer();
                    response.handler(chunk -> {
                        int room = MAX_BODY - kept.length();
                        if (room > 0) {
                            kept.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
                        }
                    });
                    response.exceptionHandler(answer::tryFail);
                    response.endHandler(end -> answer.tryComplete(new Attempt(response.statusCode(), text(kept),
                            millis(started), null)));
                    return answer.future();
                });
    }

    @Override
    public void destroy() {
        Future<Void> closed = vertx.close();
        closed.toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS);
    }

    private static Attempt failure(long started, String error) {
        return new Attempt(null, null, millis(started), error);
    }

    private static int millis(long started) {
        return (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - started) / 1_000_000);
    }

    private static String text(Buffer kept) {
        // a cut in the middle of a UTF-8 sequence becomes one replacement character, not an error
        return new String(kept.getBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("\u0000", "");
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName()
                : message.length() > 200 ? message.substring(0, 200) : message;
    }

    /** The JDK's trusted authorities and, besides them, the certificates of the PEM file. */
    private static TrustManagerFactory trust(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            int n = 0;
            for (var manager : defaults.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate issuer : x509.getAcceptedIssuers()) {
                        store.setCertificateEntry("jdk-" + n++, issuer);
                    }
                }
            }
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("extra-" + n++, certificate);
            }
            TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            combined.init(store);
            return combined;
        }
        catch (IOException | GeneralSecurityException e) {
            throw new StartupRefusedException("canopy.webhooks.trusted-certificates (" + pem + ") cannot be read as "
                    + "PEM certificates: " + e.getMessage(), "Point it at a PEM file of CA certificates, or unset it.");
        }
    }
}
