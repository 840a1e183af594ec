package dev.canopy.integration;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.audit.AuditChainBroken;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.AuditLog;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/v1/webhooks}: CRUD with its refusals, and deliveries over real HTTPS to receivers on this machine,
 * their signatures checked here by an implementation of the scheme written apart from Canopy's.
 */
@Tag("full") // slow: left to the full build, -P full, which CI runs; the default build stays under 10 minutes
class WebhooksApiTest extends ApiTest {

    @Autowired
    ApplicationEventPublisher events;

    @Autowired
    PlatformTransactionManager transactions;

    @Autowired
    TenantTransactions scopes;

    @Autowired
    JdbcClient jdbc;

    private final List<WebhookReceiver> receivers = new java.util.ArrayList<>();

    @AfterEach
    void closeReceivers() {
        receivers.forEach(WebhookReceiver::close);
    }

    private WebhookReceiver receiver(java.util.function.IntUnaryOperator answers) {
        var receiver = new WebhookReceiver(answers);
        receivers.add(receiver);
        return receiver;
    }

    @Test
    void createsListsChangesAndDeletesWebhooksShowingTheSecretOnlyOnce() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");

        Api.Response created = api.post("/api/v1/webhooks", admin.accessToken(), obj("url",
                "https://hooks.example.com/canopy", "event_types", List.of("audit.chain_broken", "tenant.created"),
                "description", "Ops alerts"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode webhook = created.json();
        String id = webhook.path("id").asString();
        assertThat(created.header("Location")).isEqualTo("/api/v1/webhooks/" + id);
        assertThat(webhook.path("secret").asString()).startsWith("whsec_").hasSize(49);
        assertThat(webhook.path("url").asString()).isEqualTo("https://hooks.example.com/canopy");
        assertThat(webhook.path("enabled").asBoolean()).isTrue();
        assertThat(webhook.path("version").asLong()).isZero();
        String secret = webhook.path("secret").asString();

        Api.Response read = api.get("/api/v1/webhooks/" + id, admin.accessToken());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().has("secret")).isFalse();
        assertThat(read.text()).doesNotContain(secret);
        assertThat(read.json().path("event_types").values()).extracting(JsonNode::asString)
                .containsExactly("audit.chain_broken", "tenant.created");

        for (int i = 0; i < 2; i++) {
            assertThat(api.post("/api/v1/webhooks", admin.accessToken(), obj("url", "https://hooks.example.com/" + i,
                    "event_types", List.of("*"), "secret", "a-given-secret-of-enough-length")).status())
                    .isEqualTo(201);
        }
        Api.Response page = api.get("/api/v1/webhooks?limit=2", admin.accessToken());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json().path("items").size()).isEqualTo(2);
        assertThat(page.text()).doesNotContain(secret).doesNotContain("a-given-secret");
        String cursor = page.json().path("next_cursor").asString();
        assertThat(cursor).isNotBlank();
        Api.Response rest = api.get("/api/v1/webhooks?limit=2&cursor=" + cursor, admin.accessToken());
        assertThat(rest.json().path("items").size()).isEqualTo(1);
        assertThat(rest.json().path("next_cursor").isNull()).isTrue();

        Api.Response changed = api.patch("/api/v1/webhooks/" + id, admin.accessToken(), obj("enabled", false,
                "event_types", List.of("*"), "secret", "a-rotated-secret-1234", "version", 0));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().path("enabled").asBoolean()).isFalse();
        assertThat(changed.json().path("version").asLong()).isEqualTo(1);
        assertThat(changed.json().path("description").asString()).isEqualTo("Ops alerts");
        assertThat(changed.text()).doesNotContain("a-rotated-secret");
        List<AuditLog.Event> audit = AuditLog.ofRequest(scopes, jdbc, tenant.id(), changed.header("X-Request-Id"));
        assertThat(audit).extracting(AuditLog.Event::action).containsExactly("webhook.updated");
        assertThat(audit.getFirst().details()).doesNotContain("a-rotated-secret");

        assertProblem(api.patch("/api/v1/webhooks/" + id, admin.accessToken(), obj("enabled", true, "version", 0)),
                409, "VERSION_CONFLICT");

        Api.Response deleted = api.delete("/api/v1/webhooks/" + id, admin.accessToken());
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(AuditLog.ofRequest(scopes, jdbc, tenant.id(), deleted.header("X-Request-Id")))
                .extracting(AuditLog.Event::action).containsExactly("webhook.deleted");
        assertProblem(api.get("/api/v1/webhooks/" + id, admin.accessToken()), 404, "WEBHOOK_NOT_FOUND");
        assertProblem(api.delete("/api/v1/webhooks/" + id, admin.accessToken()), 404, "WEBHOOK_NOT_FOUND");

        List<AuditLog.Event> creation = AuditLog.ofRequest(scopes, jdbc, tenant.id(), created.header("X-Request-Id"));
        assertThat(creation).extracting(AuditLog.Event::action).containsExactly("webhook.created");
        assertThat(creation.getFirst().resourceId()).isEqualTo(id);
        assertThat(creation.getFirst().details()).doesNotContain(secret);
    }

    @Test
    void refusesBadInputWithStableCodes() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String ok = "https://hooks.example.com/x";
        List<String> all = List.of("*");
        assertEachRejected(body -> api.send("POST", "/api/v1/webhooks", admin.accessToken(), body, Map.of()), List.of(
                new BadInput("{\"url\": ", "MALFORMED_JSON", List.of()),
                new BadInput(Api.json(obj("url", ok, "event_types", all, "colour", "red")), "UNKNOWN_FIELD",
                        List.of()),
                new BadInput(Api.json(obj("url", 5, "event_types", all)), "INVALID_TYPE", List.of("url")),
                new BadInput(Api.json(obj("url", ok, "event_types", "*")), "INVALID_TYPE", List.of("event_types")),
                new BadInput(Api.json(obj("url", ok, "event_types", all, "enabled", "yes")), "INVALID_TYPE",
                        List.of("enabled")),
                new BadInput(Api.json(obj("event_types", all)), "VALIDATION_FAILED", List.of("url")),
                new BadInput(Api.json(obj("url", ok)), "VALIDATION_FAILED", List.of("event_types")),
                new BadInput(Api.json(obj("url", ok, "event_types", List.of())), "VALIDATION_FAILED",
                        List.of("event_types")),
                new BadInput(Api.json(obj("url", "http://hooks.example.com/x", "event_types", all)),
                        "VALIDATION_FAILED", List.of("url")),
                new BadInput(Api.json(obj("url", "ftp://hooks.example.com/x", "event_types", all)),
                        "VALIDATION_FAILED", List.of("url")),
                new BadInput(Api.json(obj("url", "hooks.example.com/x", "event_types", all)), "VALIDATION_FAILED",
                        List.of("url")),
                new BadInput(Api.json(obj("url", "https://user:pw@hooks.example.com/x", "event_types", all)),
                        "VALIDATION_FAILED", List.of("url")),
                new BadInput(Api.json(obj("url", "https://hooks.example.com/" + "x".repeat(2048), "event_types",
                        all)), "VALIDATION_FAILED", List.of("url")),
                new BadInput(Api.json(obj("url", ok, "event_types", all, "secret", "short")), "VALIDATION_FAILED",
                        List.of("secret")),
                new BadInput(Api.json(obj("url", ok, "event_types", all, "secret", "s".repeat(257))),
                        "VALIDATION_FAILED", List.of("secret")),
                new BadInput(Api.json(obj("url", ok, "event_types", all, "description", "d".repeat(501))),
                        "VALIDATION_FAILED", List.of("description"))));

        Api.Response unknown = api.post("/api/v1/webhooks", admin.accessToken(), obj("url", ok, "event_types",
                List.of("audit.chain_broken", "nothing.happened")));
        assertProblem(unknown, 422, "UNKNOWN_EVENT_TYPE");
        assertThat(unknown.text()).contains("nothing.happened");

        for (String internal : List.of("https://10.1.2.3/hook", "https://192.168.0.10/hook",
                "https://169.254.169.254/latest/meta-data", "https://[fe80::1]/hook", "https://100.64.0.1/hook",
                "https://172.16.5.5:8443/hook", "https://0.0.0.0/hook")) {
            Api.Response refused = api.post("/api/v1/webhooks", admin.accessToken(), obj("url", internal,
                    "event_types", all));
            assertProblem(refused, 422, "WEBHOOK_ADDRESS_NOT_ALLOWED");
        }
        assertThat(api.get("/api/v1/webhooks", admin.accessToken()).json().path("items").size()).isZero();

        String id = api.post("/api/v1/webhooks", admin.accessToken(), obj("url", ok, "event_types", all)).json()
                .path("id").asString();
        assertEachRejected(body -> api.send("PATCH", "/api/v1/webhooks/" + id, admin.accessToken(), body, Map.of()),
                List.of(new BadInput("{\"version\": ", "MALFORMED_JSON", List.of()),
                        new BadInput(Api.json(obj("enabled", false)), "VALIDATION_FAILED", List.of("version")),
                        new BadInput(Api.json(obj("version", "0")), "INVALID_TYPE", List.of("version")),
                        new BadInput(Api.json(obj("version", 0, "secret", "x".repeat(300))), "VALIDATION_FAILED",
                                List.of("secret")),
                        new BadInput(Api.json(obj("version", 0, "url", "http://a.example.com/")), "VALIDATION_FAILED",
                                List.of("url")),
                        new BadInput(Api.json(obj("version", 0, "id", id)), "UNKNOWN_FIELD", List.of())));
        assertProblem(api.patch("/api/v1/webhooks/" + id, admin.accessToken(), obj("version", 0, "event_types",
                List.of("no.such"))), 422, "UNKNOWN_EVENT_TYPE");
        assertProblem(api.patch("/api/v1/webhooks/" + id, admin.accessToken(), obj("version", 0, "url",
                "https://10.0.0.1/")), 422, "WEBHOOK_ADDRESS_NOT_ALLOWED");
        assertProblem(api.get("/api/v1/webhooks/" + id + "/deliveries?status=lost", admin.accessToken()), 400,
                "VALIDATION_FAILED");
        assertProblem(api.get("/api/v1/webhooks/not-a-uuid", admin.accessToken()), 400, "VALIDATION_FAILED");
    }

    @Test
    void anotherTenantsWebhooksAndDeliveriesAreNotFound() {
        TenantRef a = fixtures.tenant();
        TenantRef b = fixtures.tenant();
        Session adminA = fixtures.userIn(a, "tenant_admin");
        Session adminB = fixtures.userIn(b, "tenant_admin");
        WebhookReceiver receiver = receiver(n -> 200);
        String id = create(adminA, receiver.url(), List.of("*")).path("id").asString();
        JsonNode ping = api.post("/api/v1/webhooks/" + id + "/ping", adminA.accessToken(), null).json();
        String delivery = ping.path("id").asString();

        String base = "/api/v1/webhooks/" + id;
        assertProblem(api.get(base, adminB.accessToken()), 404, "WEBHOOK_NOT_FOUND");
        assertProblem(api.patch(base, adminB.accessToken(), obj("enabled", false, "version", 0)), 404,
                "WEBHOOK_NOT_FOUND");
        assertProblem(api.delete(base, adminB.accessToken()), 404, "WEBHOOK_NOT_FOUND");
        assertProblem(api.get(base + "/deliveries", adminB.accessToken()), 404, "WEBHOOK_NOT_FOUND");
        assertProblem(api.get(base + "/deliveries/" + delivery, adminB.accessToken()), 404,
                "WEBHOOK_DELIVERY_NOT_FOUND");
        assertProblem(api.post(base + "/deliveries/" + delivery + "/redeliver", adminB.accessToken(), null), 404,
                "WEBHOOK_DELIVERY_NOT_FOUND");
        assertProblem(api.post(base + "/ping", adminB.accessToken(), null), 404, "WEBHOOK_NOT_FOUND");
        assertThat(api.get("/api/v1/webhooks", adminB.accessToken()).json().path("items").size()).isZero();
        // and the rows themselves: another tenant's scope sees none of them
        long seen = scopes.inTenant(b.id(), () -> jdbc.sql("""
                select (select count(*) from webhooks where id = ?)
                     + (select count(*) from webhook_deliveries where id = ?)
                """).params(UUID.fromString(id), UUID.fromString(delivery)).query(Long.class).single());
        assertThat(seen).isZero();
        int changed = scopes.inTenant(b.id(), () -> jdbc.sql("update webhook_deliveries set status = 'failed'"
                + " where id = ?").param(UUID.fromString(delivery)).update());
        assertThat(changed).isZero();
        assertThat(api.get(base + "/deliveries/" + delivery, adminA.accessToken()).json().path("status").asString())
                .isEqualTo("delivered");

        // members neither see nor manage webhooks
        Session member = fixtures.userIn(a, "member");
        assertProblem(api.get("/api/v1/webhooks", member.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.post("/api/v1/webhooks", member.accessToken(), obj("url", receiver.url(), "event_types",
                List.of("*"))), 403, "FORBIDDEN");
    }

    @Test
    void anEventIsDeliveredSignedToTheSubscribedWebhooksOnly() throws Exception {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        WebhookReceiver subscribed = receiver(n -> 202);
        WebhookReceiver other = receiver(n -> 200);
        WebhookReceiver disabled = receiver(n -> 200);
        JsonNode webhook = create(admin, subscribed.url(), List.of("audit.chain_broken"));
        create(admin, other.url(), List.of("tenant.created"));
        JsonNode off = create(admin, disabled.url(), List.of("*"));
        api.patch("/api/v1/webhooks/" + off.path("id").asString(), admin.accessToken(), obj("enabled", false,
                "version", 0));
        String secret = webhook.path("secret").asString();

        UUID eventSubject = UUID.randomUUID();
        publish(tenant.id(), eventSubject);

        JsonNode delivery = awaitDelivery(admin, webhook.path("id").asString(),
                d -> "delivered".equals(d.path("status").asString()));
        assertThat(delivery.path("attempts").asInt()).isEqualTo(1);
        assertThat(delivery.path("response_code").asInt()).isEqualTo(202);
        assertThat(delivery.path("event_type").asString()).isEqualTo("audit.chain_broken");
        assertThat(delivery.path("duration_ms").isNumber()).isTrue();
        assertThat(subscribed.received()).hasSize(1);
        WebhookReceiver.Received request = subscribed.received().getFirst();

        assertThat(verify(secret, request.header("Canopy-Signature"), request.body(), Duration.ofMinutes(5)))
                .isTrue();
        assertThat(verify("whsec_not-the-secret-at-all", request.header("Canopy-Signature"), request.body(),
                Duration.ofMinutes(5))).isFalse();
        assertThat(verify(secret, request.header("Canopy-Signature"), request.body().replace("audit", "avdit"),
                Duration.ofMinutes(5))).isFalse();
        JsonNode envelope = tools.jackson.databind.json.JsonMapper.builder().build().readTree(request.body());
        assertThat(request.header("Canopy-Event-Id")).isEqualTo(envelope.path("id").asString())
                .isEqualTo(delivery.path("event_id").asString());
        assertThat(request.header("Canopy-Event-Type")).isEqualTo("audit.chain_broken");
        assertThat(request.header("User-Agent")).startsWith("Canopy-Webhooks/");
        assertThat(request.header("Content-Type")).startsWith("application/json");
        assertThat(envelope.path("type").asString()).isEqualTo("audit.chain_broken");
        assertThat(envelope.path("tenant_id").asString()).isEqualTo(tenant.id().toString());
        assertThat(envelope.path("subject").path("id").asString()).isEqualTo(tenant.id().toString());
        assertThat(envelope.path("data").path("first_broken_id").asString()).isEqualTo(eventSubject.toString());
        assertThat(envelope.has("occurred_at")).isTrue();

        Api.Response detail = api.get("/api/v1/webhooks/" + webhook.path("id").asString() + "/deliveries/"
                + delivery.path("id").asString(), admin.accessToken());
        assertThat(detail.json().path("request_body").asString()).isEqualTo(request.body());
        assertThat(detail.json().path("response_body").asString()).startsWith("{\"received\": 1").hasSize(2048);

        Thread.sleep(500);
        assertThat(other.received()).isEmpty();
        assertThat(disabled.received()).isEmpty();
        assertThat(subscribed.received()).hasSize(1);
    }

    @Test
    void aRealRequestsEventReachesTheWebhookWithTheCallerAsActor() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        WebhookReceiver receiver = receiver(n -> 200);
        String id = create(admin, receiver.url(), List.of("user.invited")).path("id").asString();
        String email = dev.canopy.support.Fixtures.unique("invitee") + "@example.com";

        Api.Response invited = api.post("/api/v1/invitations", admin.accessToken(), obj("email", email, "roles",
                List.of("member")));
        assertThat(invited.status()).as(invited.toString()).isEqualTo(201);

        awaitDelivery(admin, id, d -> "delivered".equals(d.path("status").asString()));
        JsonNode envelope = tools.jackson.databind.json.JsonMapper.builder().build()
                .readTree(receiver.received().getFirst().body());
        assertThat(envelope.path("type").asString()).isEqualTo("user.invited");
        assertThat(envelope.path("data").path("email").asString()).isEqualTo(email);
        assertThat(envelope.path("actor").path("display").asString()).isEqualTo(admin.email());
    }

    @Test
    void aReceiverThatFailsThenRecoversGetsTheEventAfterRetries() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        WebhookReceiver flaky = receiver(n -> n <= 2 ? 500 : 200);
        String id = create(admin, flaky.url(), List.of("*")).path("id").asString();

        publish(tenant.id(), UUID.randomUUID());

        JsonNode delivery = awaitDelivery(admin, id, d -> "delivered".equals(d.path("status").asString()));
        assertThat(delivery.path("attempts").asInt()).isEqualTo(3);
        assertThat(delivery.path("response_code").asInt()).isEqualTo(200);
        List<WebhookReceiver.Received> received = flaky.received();
        assertThat(received).hasSize(3);
        // the same event each time, signed anew
        assertThat(received).extracting(r -> r.header("Canopy-Event-Id")).containsOnly(
                delivery.path("event_id").asString());
        assertThat(received).extracting(WebhookReceiver.Received::body).containsOnly(received.getFirst().body());
        // backoff: the retries wait, the second longer than the first (base 200 ms, jittered by a quarter)
        long first = received.get(1).arrivedNanos() - received.get(0).arrivedNanos();
        long second = received.get(2).arrivedNanos() - received.get(1).arrivedNanos();
        assertThat(first).isGreaterThanOrEqualTo(Duration.ofMillis(140).toNanos());
        assertThat(second).isGreaterThanOrEqualTo(Duration.ofMillis(290).toNanos());
    }

    @Test
    void aDeadReceiverIsRetriedThenTheDeliveryFailsAndCanBeRedelivered() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        WebhookReceiver dead = receiver(n -> 503);
        String id = create(admin, dead.url(), List.of("audit.chain_broken")).path("id").asString();

        publish(tenant.id(), UUID.randomUUID());

        JsonNode pending = awaitDelivery(admin, id, d -> d.path("attempts").asInt() >= 1);
        assertThat(pending.path("status").asString()).isEqualTo("pending");
        assertThat(pending.path("response_code").asInt()).isEqualTo(503);
        assertThat(Instant.parse(pending.path("next_attempt_at").asString())).isAfter(
                Instant.parse(pending.path("last_attempt_at").asString()));
        Api.Response listedPending = api.get("/api/v1/webhooks/" + id + "/deliveries?status=pending",
                admin.accessToken());
        assertThat(listedPending.json().path("items").size()).isEqualTo(1);

        // the tests' retry window is 10 s
        JsonNode failed = awaitDelivery(admin, id, d -> "failed".equals(d.path("status").asString()));
        int attempts = failed.path("attempts").asInt();
        assertThat(attempts).isGreaterThanOrEqualTo(3);
        assertThat(dead.received()).hasSize(attempts);
        assertThat(failed.path("next_attempt_at").isNull()).isTrue();
        assertThat(api.get("/api/v1/webhooks/" + id + "/deliveries?status=pending", admin.accessToken()).json()
                .path("items").size()).isZero();

        dead.answer(n -> 200);
        String deliveryId = failed.path("id").asString();
        Api.Response redelivered = api.post("/api/v1/webhooks/" + id + "/deliveries/" + deliveryId + "/redeliver",
                admin.accessToken(), null);
        assertThat(redelivered.status()).as(redelivered.toString()).isEqualTo(200);
        assertThat(redelivered.json().path("status").asString()).isEqualTo("delivered");
        assertThat(redelivered.json().path("attempts").asInt()).isEqualTo(attempts + 1);
        assertThat(dead.received()).hasSize(attempts + 1);
        assertThat(dead.received().getLast().header("Canopy-Event-Id")).isEqualTo(
                failed.path("event_id").asString());
        assertThat(AuditLog.ofRequest(scopes, jdbc, tenant.id(), redelivered.header("X-Request-Id")))
                .extracting(AuditLog.Event::action).containsExactly("webhook.redelivered");
        assertProblem(api.post("/api/v1/webhooks/" + id + "/deliveries/" + UUID.randomUUID() + "/redeliver",
                admin.accessToken(), null), 404, "WEBHOOK_DELIVERY_NOT_FOUND");
    }

    @Test
    void aPingGoesToThatWebhookOnlyAndIsAnsweredWithItsDelivery() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        WebhookReceiver pinged = receiver(n -> 200);
        WebhookReceiver bystander = receiver(n -> 200);
        JsonNode webhook = create(admin, pinged.url(), List.of("audit.chain_broken"));
        create(admin, bystander.url(), List.of("*"));
        String id = webhook.path("id").asString();

        Api.Response ping = api.post("/api/v1/webhooks/" + id + "/ping", admin.accessToken(), null);
        assertThat(ping.status()).as(ping.toString()).isEqualTo(200);
        assertThat(ping.json().path("event_type").asString()).isEqualTo("webhook.ping");
        assertThat(ping.json().path("status").asString()).isEqualTo("delivered");
        assertThat(ping.json().path("response_code").asInt()).isEqualTo(200);
        assertThat(pinged.received()).hasSize(1);
        WebhookReceiver.Received request = pinged.received().getFirst();
        assertThat(verify(webhook.path("secret").asString(), request.header("Canopy-Signature"), request.body(),
                Duration.ofMinutes(1))).isTrue();
        assertThat(request.body()).contains("\"type\":\"webhook.ping\"").contains(id);
        assertThat(bystander.received()).isEmpty();
        assertThat(AuditLog.ofRequest(scopes, jdbc, tenant.id(), ping.header("X-Request-Id")))
                .extracting(AuditLog.Event::action).containsExactly("webhook.pinged");

        // a ping to a receiver that is down is answered with the failed attempt, not retried
        pinged.answer(n -> 500);
        Api.Response down = api.post("/api/v1/webhooks/" + id + "/ping", admin.accessToken(), null);
        assertThat(down.json().path("status").asString()).isEqualTo("failed");
        assertThat(down.json().path("response_code").asInt()).isEqualTo(500);
        Api.Response history = api.get("/api/v1/webhooks/" + id + "/deliveries", admin.accessToken());
        assertThat(history.json().path("items").values()).extracting(d -> d.path("status").asString())
                .containsExactly("failed", "delivered");
    }

    private JsonNode create(Session admin, String url, List<String> types) {
        Api.Response response = api.post("/api/v1/webhooks", admin.accessToken(), obj("url", url, "event_types",
                types));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    /** Publishes a domain event of the tenant as a module would, in a transaction of its own. */
    private void publish(UUID tenantId, UUID firstBrokenId) {
        new TransactionTemplate(transactions).executeWithoutResult(status -> events.publishEvent(
                new AuditChainBroken(tenantId, firstBrokenId)));
    }

    private JsonNode awaitDelivery(Session admin, String webhookId, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            JsonNode items = api.get("/api/v1/webhooks/" + webhookId + "/deliveries", admin.accessToken()).json()
                    .path("items");
            if (!items.isEmpty()) {
                last = items.get(0);
                if (condition.test(last)) {
                    return last;
                }
            }
            sleep(50);
        }
        throw new AssertionError("No delivery of " + webhookId + " as expected; last seen: " + last);
    }

    /**
     * Verifies a {@code Canopy-Signature} as a receiver would, written apart from Canopy's code: parse
     * {@code t=...,v1=...}, refuse a timestamp outside the tolerance, HMAC-SHA256 "{t}.{body}" with the secret and
     * compare in constant time.
     */
    static boolean verify(String secret, String header, String body, Duration tolerance) {
        if (header == null) {
            return false;
        }
        String timestamp = null;
        String signature = null;
        for (String part : header.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2 && kv[0].equals("t")) {
                timestamp = kv[1];
            }
            else if (kv.length == 2 && kv[0].equals("v1")) {
                signature = kv[1];
            }
        }
        if (timestamp == null || signature == null) {
            return false;
        }
        long age = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp));
        if (age > tolerance.toSeconds()) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            byte[] given;
            try {
                given = HexFormat.of().parseHex(signature);
            }
            catch (IllegalArgumentException e) {
                return false;
            }
            return MessageDigest.isEqual(expected, given);
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
