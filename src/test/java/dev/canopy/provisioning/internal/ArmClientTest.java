package dev.canopy.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.node.JsonNodeFactory;

/** The ARM client's long-running operations and errors against a small local server speaking ARM's answers. */
class ArmClientTest {

    HttpServer server;
    final List<String> seen = new CopyOnWriteArrayList<>();
    final AtomicInteger polls = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/login/", e -> reply(e, 200, "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
                + "\"access_token\":\"tok-1\"}", null, null));
        server.createContext("/arm/", e -> {
            seen.add(e.getRequestMethod() + " " + e.getRequestURI() + " " + e.getRequestHeaders()
                    .getFirst("Authorization"));
            String path = e.getRequestURI().getPath();
            switch (path) {
                case "/arm/slow" -> reply(e, 202, "", url("/arm/status"), "1");
                case "/arm/status" -> reply(e, polls.incrementAndGet() < 2 ? 202 : 200,
                        polls.get() < 2 ? "" : "{\"status\":\"Succeeded\"}", null, "1");
                case "/arm/async" -> {
                    e.getResponseHeaders().set("Azure-AsyncOperation", url("/arm/operation"));
                    reply(e, 202, "", null, "0");
                }
                case "/arm/operation" -> reply(e, 200, polls.incrementAndGet() < 2 ? "{\"status\":\"InProgress\"}"
                        : "{\"status\":\"Failed\",\"error\":{\"code\":\"Conflict\",\"message\":\"in use\"}}", null,
                        "0");
                case "/arm/elsewhere" -> reply(e, 202, "", "http://other.example/steal", "0");
                case "/arm/conflict" -> reply(e, 409, "{\"error\":{\"code\":\"DeploymentActive\",\"message\":"
                        + "\"still active\",\"details\":[{\"code\":\"Inner\",\"message\":\"why\"}]}}", null, null);
                default -> reply(e, 503, "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"later\"}}", null,
                        null);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private ArmClient client(CancelSignal cancel) {
        return new ArmClient(URI.create(url("/login")), URI.create(url("/arm")), "tenant", "client", "secret",
                cancel, Duration.ofMillis(100), Duration.ofMinutes(1));
    }

    @Test
    void aLongRunningOperationIsFollowedAsRetryAfterAsksWithTheToken() {
        ArmClient arm = client(new CancelSignal());
        long start = System.nanoTime();
        ArmClient.Answer done = arm.follow(arm.post(arm.uri("/slow", "2021-04-01"),
                JsonNodeFactory.instance.objectNode()), "What-If");
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body().path("status").asString()).isEqualTo("Succeeded");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("two waits of Retry-After: 1")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertThat(seen).hasSize(3).allMatch(s -> s.endsWith("Bearer tok-1"));
        assertThat(seen.getFirst()).startsWith("POST /arm/slow?api-version=2021-04-01");
    }

    @Test
    void anOperationWithOnlyAzureAsyncOperationIsPolledToItsStatus() {
        ArmClient arm = client(new CancelSignal());
        ArmClient.Answer accepted = arm.delete(arm.uri("/async", "2023-01-01"));
        assertThatThrownBy(() -> arm.follow(accepted, "Deleting x")).isInstanceOf(DriverFailure.class)
                .hasMessage("Deleting x ended Failed: Conflict: in use");
        assertThat(seen).hasSize(3);
        assertThat(seen.get(2)).startsWith("GET /arm/operation");
    }

    @Test
    void aLocationOutsideTheEndpointIsNotFollowed() {
        ArmClient arm = client(new CancelSignal());
        ArmClient.Answer accepted = arm.post(arm.uri("/elsewhere", "2021-04-01"), null);
        assertThatThrownBy(() -> arm.follow(accepted, "Deleting x")).isInstanceOf(DriverFailure.class)
                .hasMessageContaining("Location outside").matches(e -> !((DriverFailure) e).retryable());
        assertThat(seen).hasSize(1);
    }

    @Test
    void armErrorsSayTheirCodesAndOnlyServerTroubleIsRetryable() {
        ArmClient arm = client(new CancelSignal());
        assertThatThrownBy(() -> arm.expect(arm.get(arm.uri("/conflict", "2021-04-01")), "Deploying d"))
                .isInstanceOf(DriverFailure.class)
                .hasMessage("Deploying d: Azure Resource Manager answered HTTP 409: DeploymentActive: still active "
                        + "(Inner: why)")
                .matches(e -> !((DriverFailure) e).retryable());
        assertThatThrownBy(() -> arm.expect(arm.get(arm.uri("/down", "2021-04-01")), "Deploying d"))
                .hasMessageContaining("HTTP 503: ServiceUnavailable: later")
                .matches(e -> ((DriverFailure) e).retryable());
    }

    @Test
    void aCancelEndsTheWait() {
        CancelSignal cancel = new CancelSignal();
        ArmClient arm = client(cancel);
        ArmClient.Answer accepted = arm.post(arm.uri("/slow", "2021-04-01"), null);
        Thread.ofVirtual().start(() -> {
            Provisioning.sleep(200);
            cancel.raise();
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> arm.follow(accepted, "What-If")).isInstanceOf(DriverFailure.Canceled.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
    }

    private static void reply(HttpExchange e, int status, String body, String location, String retryAfter)
            throws IOException {
        e.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        e.getResponseHeaders().set("Content-Type", "application/json");
        if (location != null) {
            e.getResponseHeaders().set("Location", location);
        }
        if (retryAfter != null) {
            e.getResponseHeaders().set("Retry-After", retryAfter);
        }
        e.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Sleeps without the checked exception. */
    private static final class Provisioning {
        static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
