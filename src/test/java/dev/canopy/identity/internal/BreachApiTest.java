package dev.canopy.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.canopy.platform.StartupRefusedException;

/** The optional k-anonymity breach look-up, against a local server with the range API's shape. */
class BreachApiTest {

    private HttpServer server;
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<String> padding = new CopyOnWriteArrayList<>();
    /** What the range endpoint does: 0 answers, 1 answers 503, 2 answers after 3 s. */
    private final AtomicInteger mode = new AtomicInteger();
    private volatile String breachedHash = "";

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/range/", exchange -> {
            paths.add(exchange.getRequestURI().getRawPath());
            padding.add(String.valueOf(exchange.getRequestHeaders().getFirst("Add-Padding")));
            if (mode.get() == 2) {
                try {
                    Thread.sleep(3000);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String prefix = exchange.getRequestURI().getRawPath().substring("/range/".length());
            StringBuilder body = new StringBuilder("0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n");
            if (breachedHash.startsWith(prefix)) {
                body.append(breachedHash.substring(5)).append(":3861493\r\n");
            }
            // padding lines have count 0 and list nothing
            body.append("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0");
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(mode.get() == 1 ? 503 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        new BreachApiSetup("http://127.0.0.1:" + server.getAddress().getPort() + "/", Duration.ofMillis(800));
    }

    @AfterEach
    void stop() {
        PasswordPolicy.useBreachApi(null);
        server.stop(0);
    }

    @Test
    void aPasswordTheServiceListsIsRefusedAndOnlyTheHashPrefixLeaves() throws Exception {
        String password = "Zq-" + UUID.randomUUID();
        breachedHash = sha1(password);

        PasswordPolicy.Refusal refusal = PasswordPolicy.refusal(password, "someone@example.com", "Some One");

        assertThat(refusal).isNotNull();
        assertThat(refusal.code()).isEqualTo(PasswordPolicy.TOO_COMMON);
        assertThat(paths).containsExactly("/range/" + breachedHash.substring(0, 5));
        assertThat(padding).containsExactly("true");
        assertThat(PasswordPolicy.refusal("Zq-" + UUID.randomUUID(), null, null)).as("not listed").isNull();
        // a suffix that matches only a padding line (count 0) lists nothing
        assertThat(new BreachApi(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Duration.ofSeconds(1)).breached("not the password")).isFalse();
    }

    @Test
    void aFailingOrSlowServiceAcceptsThePasswordWithinItsTimeout() throws Exception {
        String password = "Zq-" + UUID.randomUUID();
        breachedHash = sha1(password);
        mode.set(1);
        assertThat(PasswordPolicy.refusal(password, null, null)).as("HTTP 503: fails open").isNull();
        mode.set(2);
        Instant start = Instant.now();
        assertThat(PasswordPolicy.refusal(password, null, null)).as("too slow: fails open").isNull();
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofMillis(2500));
        server.stop(0);
        assertThat(PasswordPolicy.refusal(password, null, null)).as("unreachable: fails open").isNull();
    }

    @Test
    void theShippedListAndTheOtherRulesComeFirstAndUnsetMeansOff() throws Exception {
        assertThat(PasswordPolicy.refusal("password1234", null, null)).isNotNull();
        assertThat(PasswordPolicy.refusal("short", null, null)).isNotNull();
        assertThat(paths).as("no call for what the list already refuses").isEmpty();

        new BreachApiSetup("", Duration.ofSeconds(2));
        String password = "Zq-" + UUID.randomUUID();
        breachedHash = sha1(password);
        assertThat(PasswordPolicy.refusal(password, null, null)).isNull();
        assertThat(paths).isEmpty();
        for (String bad : List.of("ftp://example.com", "not a url", "https://")) {
            assertThatThrownBy(() -> new BreachApiSetup(bad, Duration.ofSeconds(2))).as(bad)
                    .isInstanceOf(StartupRefusedException.class);
        }
        assertThatThrownBy(() -> new BreachApiSetup("https://api.pwnedpasswords.com", Duration.ofSeconds(30)))
                .isInstanceOf(StartupRefusedException.class);
    }

    private static String sha1(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)))
                .toUpperCase(Locale.ROOT);
    }
}
