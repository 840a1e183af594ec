package dev.canopy.integration.internal.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Which addresses a webhook may reach, and that a name is judged by what it resolves to at each connection. */
class WebhookAddressesTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        }
        catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aNameThatRebindsToLoopbackAfterTheSaveIsRefusedAtConnectTime() {
        var lookups = new AtomicInteger();
        // first answer (the save's check) public, every later one (a connection) the loopback
        var policy = new WebhookAddresses("", host -> new InetAddress[] {
                lookups.getAndIncrement() == 0 ? ip("93.184.215.14") : ip("127.0.0.1") });
        URI url = URI.create("https://rebind.example.net/hook");

        WebhookAddresses.Destination saved = policy.resolve(url);
        assertThat(saved.address()).isEqualTo(ip("93.184.215.14"));
        assertThat(saved.host()).isEqualTo("rebind.example.net");
        assertThat(saved.port()).isEqualTo(443);

        assertThatThrownBy(() -> policy.resolve(url)).isInstanceOf(WebhookAddresses.Refused.class)
                .hasMessageContaining("127.0.0.1").hasMessageContaining("loopback")
                .extracting(e -> ((WebhookAddresses.Refused) e).kind()).isEqualTo("loopback");
        assertThat(lookups).hasValue(2);
    }

    @Test
    void aNameWithOneInternalAddressAmongPublicOnesIsRefused() {
        var policy = new WebhookAddresses("", host -> new InetAddress[] { ip("93.184.215.14"), ip("10.0.0.7") });
        assertThatThrownBy(() -> policy.resolve(URI.create("https://mixed.example.net/")))
                .isInstanceOf(WebhookAddresses.Refused.class).hasMessageContaining("private");
    }

    @Test
    void internalRangesAreRefusedUnlessTheInstallationAllowsThem() {
        var strict = new WebhookAddresses("", InetAddress::getAllByName);
        for (String literal : new String[] { "127.0.0.1", "::1", "10.1.1.1", "172.20.0.1", "192.168.1.1",
                "169.254.169.254", "169.254.10.10", "fe80::1", "fc00::1", "100.64.1.1", "0.0.0.0", "224.0.0.1",
                "fd00:ec2::254" }) {
            assertThat(strict.refusal(ip(literal))).as(literal).isPresent();
        }
        assertThat(strict.refusal(ip("169.254.169.254"))).contains("cloud metadata");
        assertThat(strict.refusal(ip("93.184.215.14"))).isEmpty();
        assertThat(strict.refusal(ip("2606:4700::1111"))).isEmpty();

        var lenient = new WebhookAddresses("127.0.0.1/32, 10.0.0.0/8", InetAddress::getAllByName);
        assertThat(lenient.refusal(ip("127.0.0.1"))).isEmpty();
        assertThat(lenient.refusal(ip("10.200.0.1"))).isEmpty();
        assertThat(lenient.refusal(ip("127.0.0.2"))).contains("loopback");
        assertThat(lenient.refusal(ip("169.254.169.254"))).contains("cloud metadata");
    }

    @Test
    void anUnresolvableNameIsItsOwnKindOfRefusal() {
        var policy = new WebhookAddresses("", host -> {
            throw new UnknownHostException(host);
        });
        assertThatThrownBy(() -> policy.resolve(URI.create("https://nowhere.invalid/")))
                .isInstanceOf(WebhookAddresses.Refused.class)
                .extracting(e -> ((WebhookAddresses.Refused) e).kind()).isEqualTo("unresolvable");
    }
}
