package dev.canopy.notifications;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.events.EventEnvelope;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.EventStream;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/**
 * In-app notifications over real HTTP: events become notifications for the users their data names, listed, read,
 * deleted and streamed by their recipient only, in their tenant only.
 */
class NotificationsApiTest extends ApiTest {

    @Autowired
    ApplicationEventPublisher publisher;

    @Autowired
    PlatformTransactionManager transactions;

    @Autowired
    TenantTransactions scopes;

    @Autowired
    JdbcClient jdbc;

    Envelopes envelopes;
    TenantRef tenant;
    Session ada;
    Session bob;

    @BeforeEach
    void twoMembers() {
        envelopes = new Envelopes(publisher, transactions);
        tenant = fixtures.tenant();
        ada = fixtures.userIn(tenant, "member");
        bob = fixtures.userIn(tenant, "member");
    }

    @Test
    void aFailedRunNotifiesItsRequesterOnceWithALinkToTheRun() {
        EventEnvelope failed = envelopes.publish(Envelopes.runFailed(tenant.id(), ada.userId(), "web"));
        JsonNode page = awaitItems(ada, 1);
        JsonNode item = page.path("items").get(0);
        assertThat(item.path("title").asString()).isEqualTo("Run failed: 'web'");
        assertThat(item.path("message").asString()).contains("apply", "'web'", "failed");
        assertThat(item.path("severity").asString()).isEqualTo("error");
        assertThat(item.path("link").asString()).isEqualTo("/runs/" + failed.data().path("run_id").asString());
        assertThat(item.path("read").asBoolean()).isFalse();
        assertThat(item.path("created_at").asString()).endsWith("Z");
        assertThat(item.path("type").asString()).isEqualTo("run.failed");
        assertThat(page.path("unread_count").asLong()).isEqualTo(1);
        assertThat(page.path("next_cursor").isNull()).isTrue();
        assertThat(api.get("/api/v1/notifications/unread-count", ada.accessToken()).json().path("unread_count")
                .asLong()).isEqualTo(1);
        // the other member hears nothing of it
        assertThat(list(bob, "").path("items")).isEmpty();

        // at-least-once delivery: the same envelope again adds nothing
        envelopes.publish(failed);
        envelopes.publish(Envelopes.runFailed(tenant.id(), bob.userId(), "marker"));
        awaitItems(bob, 1);
        assertThat(list(ada, "").path("items")).hasSize(1);
    }

    @Test
    void everyKindOfEventReachesTheUsersItsDataNames() {
        UUID deployment = Ids.newId();
        UUID template = Ids.newId();
        UUID run = Ids.newId();
        envelopes.publish(Envelopes.envelope("run.awaiting_approval", tenant.id(), new EventSubject("run", run, "db"),
                Envelopes.data("run_id", run.toString(), "requester_id", ada.userId().toString(), "approver_ids",
                        List.of(ada.userId().toString(), bob.userId().toString()), "kind", "apply")));
        envelopes.publish(Envelopes.envelope("deployment.expiring", tenant.id(),
                new EventSubject("deployment", deployment, "db"), Envelopes.data("deployment_id",
                        deployment.toString(), "owner_id", bob.userId().toString(), "expires_at",
                        "2026-12-03T12:00:00Z")));
        envelopes.publish(Envelopes.envelope("template.access_decided", tenant.id(),
                new EventSubject("template", template, "vpc"), Envelopes.data("template_id", template.toString(),
                        "requester_id", bob.userId().toString(), "approved", true)));
        envelopes.publish(Envelopes.envelope("tenant.created", tenant.id(),
                new EventSubject("tenant", tenant.id(), "x"), Envelopes.data("slug", "x")));

        JsonNode bobs = awaitItems(bob, 3).path("items");
        // the listener handles events concurrently: their order is not the order of publication
        assertThat(bobs).extracting(n -> n.path("title").asString() + " " + n.path("link").asString() + " "
                + n.path("severity").asString()).containsExactlyInAnyOrder(
                        "Access granted: 'vpc' /catalog/" + template + " success",
                        "Deployment expiring: 'db' /deployments/" + deployment + " warning",
                        "Approval needed: 'db' /runs/" + run + " warning");
        assertThat(awaitItems(ada, 1).path("items").get(0).path("title").asString())
                .isEqualTo("Approval needed: 'db'");
    }

    @Test
    void notificationsAreMarkedReadOneByOneOrAllAndDeleted() {
        for (int i = 0; i < 3; i++) {
            envelopes.publish(Envelopes.runFailed(tenant.id(), ada.userId(), "app-" + i));
            awaitItems(ada, i + 1);
        }
        JsonNode items = awaitItems(ada, 3).path("items");
        String newest = items.get(0).path("id").asString();
        String oldest = items.get(2).path("id").asString();
        assertThat(items.get(0).path("title").asString()).contains("app-2");

        Api.Response read = put("/api/v1/notifications/" + oldest + "/read", ada);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.json().path("read").asBoolean()).isTrue();
        assertThat(put("/api/v1/notifications/" + oldest + "/read", ada).status()).as("again").isEqualTo(200);
        assertThat(list(ada, "?unread_only=true").path("items")).hasSize(2);
        assertThat(list(ada, "?unread_only=true").path("unread_count").asLong()).isEqualTo(2);

        Api.Response all = put("/api/v1/notifications/read-all", ada);
        assertThat(all.status()).as(all.toString()).isEqualTo(200);
        assertThat(all.json().path("marked").asInt()).isEqualTo(2);
        assertThat(all.json().path("unread_count").asLong()).isZero();
        assertThat(list(ada, "?unread_only=true").path("items")).isEmpty();
        assertThat(list(ada, "").path("unread_count").asLong()).isZero();

        assertThat(api.delete("/api/v1/notifications/" + newest, ada.accessToken()).status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/notifications/" + newest, ada.accessToken()).code())
                .isEqualTo("NOTIFICATION_NOT_FOUND");
        assertThat(list(ada, "").path("items")).hasSize(2);
    }

    @Test
    void pagesFollowTheCursorNewestFirst() {
        for (int i = 0; i < 5; i++) {
            envelopes.publish(Envelopes.runFailed(tenant.id(), ada.userId(), "page-" + i));
            awaitItems(ada, i + 1);
        }
        var titles = new java.util.ArrayList<String>();
        String cursor = null;
        do {
            JsonNode page = list(ada, "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            page.path("items").forEach(n -> titles.add(n.path("title").asString()));
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asString();
        } while (cursor != null);
        assertThat(titles).containsExactly("Run failed: 'page-4'", "Run failed: 'page-3'", "Run failed: 'page-2'",
                "Run failed: 'page-1'", "Run failed: 'page-0'");
    }

    @Test
    void anotherUsersOrTenantsNotificationsAreNotFound() {
        envelopes.publish(Envelopes.runFailed(tenant.id(), ada.userId(), "mine"));
        String id = awaitItems(ada, 1).path("items").get(0).path("id").asString();
        // ada herself in another tenant she belongs to, and a stranger from another tenant
        TenantRef other = fixtures.tenant();
        fixtures.addUser(other, ada.email(), "tenant_admin");
        Session adaElsewhere = fixtures.login(ada.email(), dev.canopy.support.Fixtures.PASSWORD, other.id());
        Session stranger = fixtures.userIn(other, "tenant_admin");
        for (Session s : List.of(bob, adaElsewhere, stranger)) {
            assertThat(put("/api/v1/notifications/" + id + "/read", s).code()).isEqualTo("NOTIFICATION_NOT_FOUND");
            assertThat(api.delete("/api/v1/notifications/" + id, s.accessToken()).status()).isEqualTo(404);
            assertThat(list(s, "").path("items")).isEmpty();
            assertThat(put("/api/v1/notifications/read-all", s).json().path("marked").asInt()).isZero();
        }
        assertThat(list(ada, "").path("items").get(0).path("read").asBoolean()).as("still unread").isFalse();
        // and the row itself is out of reach of the other tenant's scope
        assertThat(scopes.inTenant(other.id(), () -> jdbc.sql("select count(*) from notifications where id = ?")
                .param(UUID.fromString(id)).query(Long.class).single())).isZero();
        assertThat(scopes.inTenant(other.id(), () -> jdbc.sql("update notifications set read_at = now() where id = ?")
                .param(UUID.fromString(id)).update())).isZero();
        assertThat(jdbc.sql("select count(*) from notifications").query(Long.class).single())
                .as("no scope, no rows").isZero();
    }

    @Test
    void badInputIsRefusedWithProblems() {
        for (String id : List.of("not-a-uuid", UUID.randomUUID().toString(), "%20")) {
            Api.Response r = put("/api/v1/notifications/" + id + "/read", ada);
            assertThat(r.status()).as(id).isEqualTo(404);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        }
        Api.Response notBoolean = api.get("/api/v1/notifications?unread_only=yes", ada.accessToken());
        assertThat(notBoolean.code()).as(notBoolean.toString()).isEqualTo("VALIDATION_FAILED");
        assertThat(api.get("/api/v1/notifications?limit=0", ada.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/notifications?limit=201", ada.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/notifications?limit=ten", ada.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/notifications?cursor=%25%25%25", ada.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/notifications?cursor=bm90LWEtY3Vyc29y", ada.accessToken()).code())
                .isEqualTo("VALIDATION_FAILED");
        assertThat(api.get("/api/v1/notifications", null).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/notifications/stream", null).status()).isEqualTo(401);
        assertThat(api.send("PUT", "/api/v1/notifications/read-all", null, null, Map.of()).status()).isEqualTo(401);
    }

    @Test
    void theStreamSendsNewNotificationsAndResumesAfterLastEventId() throws Exception {
        try (var stream = EventStream.open(url("/api/v1/notifications/stream"), ada.accessToken(), Map.of())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            assertThat(stream.next("unread", Duration.ofSeconds(10)).data()).isEqualTo("{\"unread\":0}");
            envelopes.publish(Envelopes.runFailed(tenant.id(), ada.userId(), "live"));
            EventStream.Event event = stream.next("notification", Duration.ofSeconds(10));
            JsonNode n = parse(event.data());
            assertThat(n.path("title").asString()).isEqualTo("Run failed: 'live'");
            assertThat(event.id()).isEqualTo(n.path("id").asString());
            assertThat(parse(stream.next("unread", Duration.ofSeconds(10)).data()).path("unread").asLong())
                    .isEqualTo(1);
            // reading it elsewhere updates the count on the stream
            put("/api/v1/notifications/" + event.id() + "/read", ada);
            assertThat(stream.next("unread", Duration.ofSeconds(10)).data()).isEqualTo("{\"unread\":0}");
            assertThat(stream.drain("unread", Duration.ofMillis(300))).as("a count is sent when it changes").isEmpty();
        }
        String first = list(ada, "").path("items").get(0).path("id").asString();
        // missed while away: two more
        envelopes.publish(Envelopes.runFailed(tenant.id(), ada.userId(), "missed-1"));
        envelopes.publish(Envelopes.runFailed(tenant.id(), ada.userId(), "missed-2"));
        awaitItems(ada, 3);
        try (var resumed = EventStream.open(url("/api/v1/notifications/stream"), ada.accessToken(),
                Map.of("Last-Event-ID", first))) {
            var one = parse(resumed.next("notification", Duration.ofSeconds(10)).data());
            var two = parse(resumed.next("notification", Duration.ofSeconds(10)).data());
            assertThat(List.of(one.path("title").asString(), two.path("title").asString()))
                    .as("both missed, in the order they were stored (listeners run concurrently, so not always the"
                            + " order of publication)")
                    .containsExactlyInAnyOrder("Run failed: 'missed-1'", "Run failed: 'missed-2'");
            assertThat(resumed.drain("notification", Duration.ofMillis(500))).as("nothing sent twice").isEmpty();
        }
        // another user's stream hears none of it
        try (var bobs = EventStream.open(url("/api/v1/notifications/stream"), bob.accessToken(),
                Map.of("Last-Event-ID", first))) {
            bobs.next("unread", Duration.ofSeconds(10));
            assertThat(bobs.drain("notification", Duration.ofMillis(500))).isEmpty();
        }
    }

    @Test
    void anInvalidLastEventIdIsRefused() {
        try (var stream = EventStream.open(url("/api/v1/notifications/stream"), ada.accessToken(),
                Map.of("Last-Event-ID", "42"))) {
            assertThat(stream.status()).isEqualTo(400);
            assertThat(stream.text()).contains("LAST_EVENT_ID_INVALID");
        }
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    private Api.Response put(String path, Session session) {
        return api.send("PUT", path, session.accessToken(), null, Map.of());
    }

    private JsonNode list(Session session, String query) {
        Api.Response response = api.get("/api/v1/notifications" + query, session.accessToken());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    /** The listener runs after commit: waits until the user has {@code n} notifications. */
    private JsonNode awaitItems(Session session, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode page = list(session, "");
        while (page.path("items").size() < n && System.nanoTime() < deadline) {
            sleep(50);
            page = list(session, "");
        }
        assertThat(page.path("items")).as(page.toString()).hasSize(n);
        return page;
    }

    static JsonNode parse(String json) {
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(json);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
