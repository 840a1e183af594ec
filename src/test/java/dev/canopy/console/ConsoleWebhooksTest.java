package dev.canopy.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.integration.WebhookReceiver;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.ApiTest;
import dev.canopy.support.AuditLog;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.TenantRef;

/** The console's webhook settings over real HTTP: add (secret shown once), edit, ping, history, redeliver, delete. */
class ConsoleWebhooksTest extends ApiTest {

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    private final WebhookReceiver receiver = WebhookReceiver.ok();

    @AfterEach
    void close() {
        receiver.close();
    }

    private ConsoleClient signedIn(TenantRef tenant, String role) {
        String email = Fixtures.unique("hooks") + "@example.com";
        fixtures.addUser(tenant, email, role);
        return new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
    }

    @Test
    void anAdminAddsAWebhookSeesItsSecretOncePingsRedeliversAndDeletesIt() {
        TenantRef tenant = fixtures.tenant();
        ConsoleClient console = signedIn(tenant, "tenant_admin");
        assertThat(console.get("/").body()).contains("href=\"/settings/webhooks\"");
        String empty = console.get("/settings/webhooks").body();
        assertThat(empty).contains("no webhook yet").contains("href=\"/settings/webhooks/new\"");

        console.get("/settings/webhooks/new");
        var refused = console.post("/settings/webhooks", "url", "http://hooks.example.com/x", "event_types",
                "nothing.happened");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("id=\"url-error\"").contains("must be an https URL");
        var unknown = console.post("/settings/webhooks", "url", receiver.url(), "event_types", "nothing.happened");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.body()).contains("id=\"event_types-error\"").contains("nothing.happened");
        var internal = console.post("/settings/webhooks", "url", "https://10.0.0.8/x", "event_types", "*");
        assertThat(internal.status()).isEqualTo(422);
        assertThat(internal.body()).contains("id=\"url-error\"").contains("private address");
        var oversize = console.post("/settings/webhooks", "url", receiver.url(), "event_types", "*", "secret",
                "s".repeat(300));
        assertThat(oversize.status()).isEqualTo(422);
        assertThat(oversize.body()).contains("id=\"secret-error\"").doesNotContain("s".repeat(300));
        assertThat(console.postRaw("/settings/webhooks", "url", receiver.url(), "event_types", "*").status())
                .as("no CSRF token").isEqualTo(403);

        console.get("/settings/webhooks/new");
        var created = console.post("/settings/webhooks", "url", receiver.url(), "description", "Console hook",
                "event_types", "audit.chain_broken, tenant.created", "enabled", "on");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        Matcher secret = Pattern.compile("data-testid=\"secret\">(whsec_[A-Za-z0-9_-]+)<").matcher(created.body());
        assertThat(secret.find()).as("the secret is shown once").isTrue();
        Matcher id = Pattern.compile("action=\"/settings/webhooks/([0-9a-f-]{36})/ping\"").matcher(created.body());
        assertThat(id.find()).isTrue();
        String path = "/settings/webhooks/" + id.group(1);
        List<AuditLog.Event> audit = AuditLog.ofRequest(scopes, jdbc, tenant.id(),
                created.response().headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(audit).extracting(AuditLog.Event::action).containsExactly("webhook.created");
        assertThat(audit.getFirst().details()).doesNotContain(secret.group(1));

        String detail = console.get(path).body();
        assertThat(detail).contains("Console hook").contains("value=\"audit.chain_broken, tenant.created\"")
                .doesNotContain(secret.group(1)).contains("No deliveries yet");
        assertThat(console.get("/settings/webhooks").body()).contains("data-testid=\"webhook-row\"")
                .doesNotContain(secret.group(1));

        var pinged = console.post(path + "/ping");
        assertThat(pinged.status()).isEqualTo(200);
        assertThat(pinged.body()).contains("answered the ping with 200").contains("webhook.ping")
                .contains("data-testid=\"delivery-status\">delivered<");
        assertThat(receiver.received()).hasSize(1);

        Matcher delivery = Pattern.compile("action=\"(" + Pattern.quote(path) + "/deliveries/[0-9a-f-]{36}/redeliver)\"")
                .matcher(pinged.body());
        assertThat(delivery.find()).isTrue();
        var row = console.htmxPost(delivery.group(1));
        assertThat(row.status()).as(row.body()).isEqualTo(200);
        // the page comes back whole (htmx swaps its main), with the forms' fresh CSRF tokens
        assertThat(row.body()).contains("Redelivered: the receiver answered 200")
                .contains("data-testid=\"delivery-status\">delivered<").contains("<td>2</td>")
                .contains("hx-select=\"#main\"");
        assertThat(receiver.received()).hasSize(2);

        var saved = console.post(path, "version", "0", "url", receiver.url(), "description", "Renamed",
                "event_types", "*");
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        assertThat(saved.body()).contains("The changes are saved").contains("Renamed").contains("Disabled");
        var stale = console.post(path, "version", "0", "url", receiver.url(), "event_types", "*", "enabled", "on");
        assertThat(stale.status()).isEqualTo(409);

        var deleted = console.post(path + "/delete");
        assertThat(deleted.status()).isEqualTo(303);
        assertThat(console.get("/settings/webhooks?deleted").body()).contains("The webhook is deleted");
        assertThat(console.get(path).status()).isEqualTo(404);
    }

    @Test
    void membersHaveNoWebhookPages() {
        TenantRef tenant = fixtures.tenant();
        ConsoleClient console = signedIn(tenant, "member");
        assertThat(console.get("/").body()).doesNotContain("href=\"/settings/webhooks\"");
        assertThat(console.get("/settings/webhooks").status()).isEqualTo(403);
        assertThat(console.get("/settings/webhooks/new").status()).isEqualTo(403);
    }
}
