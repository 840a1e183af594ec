package dev.canopy.cloud.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.canopy.platform.StartupRefusedException;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** Which addresses a connection test may reach, and that it connects to the address it checked. */
class AddressPolicyTest {

    private final AddressPolicy byDefault = new AddressPolicy("");

    @Test
    void loopbackPrivateLinkLocalUnspecifiedAndMetadataAddressesAreRefusedByDefault() {
        Map<String, String> refused = Map.ofEntries(
                Map.entry("http://127.0.0.1:6443", "loopback"), Map.entry("http://127.8.9.1", "loopback"),
                Map.entry("http://localhost:6443", "loopback"), Map.entry("https://[::1]:6443", "loopback"),
                Map.entry("http://[::ffff:127.0.0.1]", "loopback"),
                Map.entry("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
                Map.entry("http://[fd00:ec2::254]", "cloud metadata"),
                Map.entry("http://10.0.0.1", "private"), Map.entry("http://172.16.0.1", "private"),
                Map.entry("http://172.31.255.254", "private"), Map.entry("http://192.168.1.1", "private"),
                Map.entry("http://[fc00::1]", "private"), Map.entry("http://[fd12:3456::1]", "private"),
                Map.entry("http://169.254.1.1", "link-local"), Map.entry("http://[fe80::1]", "link-local"),
                Map.entry("http://0.0.0.0", "unspecified"), Map.entry("http://[::]", "unspecified"));
        refused.forEach((url, kind) -> assertThatThrownBy(() -> byDefault.resolve(URI.create(url))).as(url)
                .isInstanceOfSatisfying(AddressPolicy.AddressNotAllowed.class, e -> {
                    assertThat(e.kind()).isEqualTo(kind);
                    assertThat(e.getMessage()).contains("a " + kind + " address")
                            .contains("CANOPY_CLOUD_TEST_ALLOWED_RANGES");
                }));
        for (String url : List.of("https://172.32.0.1", "https://8.8.8.8", "https://[2606:4700::1111]:443")) {
            assertThat(byDefault.resolve(URI.create(url)).address().getHostAddress()).as(url)
                    .isEqualTo(URI.create(url).getHost().replaceAll("[\\[\\]]", "").replace("::1111", ":0:0:0:0:0:1111"));
        }
    }

    @Test
    void anInstallationAllowsListedRangesOnly() {
        var policy = new AddressPolicy("127.0.0.0/8, 10.20.0.0/16 ::1");
        assertThat(policy.resolve(URI.create("http://127.0.0.1:6443")).port()).isEqualTo(6443);
        assertThat(policy.resolve(URI.create("https://10.20.3.4")).port()).isEqualTo(443);
        assertThat(policy.resolve(URI.create("http://[::1]")).port()).isEqualTo(80);
        assertThatThrownBy(() -> policy.resolve(URI.create("http://10.21.0.1")))
                .isInstanceOf(AddressPolicy.AddressNotAllowed.class);
        assertThatThrownBy(() -> policy.resolve(URI.create("http://169.254.169.254")))
                .isInstanceOf(AddressPolicy.AddressNotAllowed.class);
        // the metadata service is refused unless it is listed itself
        assertThat(new AddressPolicy("169.254.169.254/32").resolve(URI.create("http://169.254.169.254")).host())
                .isEqualTo("169.254.169.254");
        for (String bad : List.of("10.0.0.0/33", "example.com/8", "10.0.0.0/x")) {
            assertThatThrownBy(() -> new AddressPolicy(bad)).as(bad).isInstanceOf(StartupRefusedException.class)
                    .hasMessageContaining("canopy.cloud.test.allowed-ranges");
        }
        assertThatThrownBy(() -> byDefault.resolve(URI.create("http://no-such-host.invalid")))
                .isInstanceOf(AddressPolicy.HostUnresolvable.class);
    }

    @Test
    void httpChecksResolveOnceAndConnectToTheCheckedAddress() throws IOException {
        List<String> hosts = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            byte[] body = "{\"access_token\":\"x\"}".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        AtomicInteger lookups = new AtomicInteger();
        // a name no DNS knows: only the policy's one answer can take the request anywhere
        var policy = new AddressPolicy("127.0.0.0/8", pinnedTo(lookups, "provider.canopy.invalid"));
        try (var http = new HttpChecks(policy, Duration.ofSeconds(2))) {
            int port = server.getAddress().getPort();
            HttpChecks.Answer answer = http.post(URI.create("http://provider.canopy.invalid:" + port + "/token"), "a=b",
                    Map.of());
            assertThat(answer.failed()).as(String.valueOf(answer.failure())).isFalse();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(hosts).containsExactly("provider.canopy.invalid:" + port);
            assertThat(lookups).hasValue(1);
        }
        finally {
            server.stop(0);
        }
    }

    @Test
    void kubernetesChecksResolveOnceAndConnectToTheCheckedAddress() {
        KubernetesMockServer server = new KubernetesMockServer(false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try {
            server.expect().get().withPath("/api/v1/namespaces?limit=1")
                    .andReturn(200, new NamespaceListBuilder().build()).always();
            AtomicInteger lookups = new AtomicInteger();
            var policy = new AddressPolicy("127.0.0.0/8", pinnedTo(lookups, "k8s.canopy.invalid"));
            String apiServer = "http://k8s.canopy.invalid:" + server.getPort();
            CheckResult result = new KubernetesCheck(policy, Duration.ofSeconds(3)).check(
                    Map.of("api_server", apiServer), Map.of("token", "t0ken"), "token");
            assertThat(result.ok()).as(result.detail()).isTrue();
            assertThat(result.detail()).contains(apiServer);
            assertThat(lookups).hasValue(1);
        }
        finally {
            server.destroy();
        }
    }

    /** A resolver that knows one name, as 127.0.0.1, and counts its look-ups. */
    private static AddressPolicy.Resolver pinnedTo(AtomicInteger lookups, String name) {
        return host -> {
            lookups.incrementAndGet();
            if (!host.equals(name)) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByAddress(name, new byte[] {127, 0, 0, 1})};
        };
    }
}
