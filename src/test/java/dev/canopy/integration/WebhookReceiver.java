package dev.canopy.integration;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A webhook receiver on this machine: the JDK's HTTPS server with the test certificate for {@code localhost}
 * (which the tests' {@code canopy.webhooks.trusted-certificates} trusts). It records every request and answers each
 * with the status its {@code answers} gives for the request's number (1, 2, ...).
 */
public final class WebhookReceiver implements AutoCloseable {

    /** A request as it arrived. */
    public record Received(Headers headers, String body, long arrivedNanos, Instant arrivedAt) {

        public String header(String name) {
            return headers.getFirst(name);
        }
    }

    private final HttpsServer server;
    // not copy-on-write: a benchmark adds tens of thousands
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile IntUnaryOperator answers;
    private volatile Duration delay = Duration.ZERO;

    public WebhookReceiver(IntUnaryOperator answers) {
        this.answers = answers;
        try {
            server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
            server.setHttpsConfigurator(new HttpsConfigurator(tls()));
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                try (exchange) {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    var arrived = new Received(exchange.getRequestHeaders(), new String(body, StandardCharsets.UTF_8),
                            System.nanoTime(), Instant.now());
                    synchronized (received) {
                        received.add(arrived);
                    }
                    int status = this.answers.applyAsInt(count.incrementAndGet());
                    if (!delay.isZero()) {
                        Thread.sleep(delay);
                    }
                    byte[] answer = ("{\"received\": " + count.get() + ", \"padding\": \"" + "x".repeat(3000) + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(status, answer.length);
                    exchange.getResponseBody().write(answer);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Always 200. */
    public static WebhookReceiver ok() {
        return new WebhookReceiver(n -> 200);
    }

    public String url() {
        return "https://localhost:" + server.getAddress().getPort() + "/hooks/canopy";
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** How many requests arrived, without copying them. */
    public int receivedCount() {
        synchronized (received) {
            return received.size();
        }
    }

    public void answer(IntUnaryOperator answers) {
        this.answers = answers;
    }

    public void delay(Duration delay) {
        this.delay = delay;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static SSLContext tls() {
        try (InputStream in = WebhookReceiver.class.getResourceAsStream("/webhooks/receiver.p12")) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, "changeit".toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, "changeit".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
