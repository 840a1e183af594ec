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
import org.springframework.transaction.PlatformTransactionManager;

import dev.canopy.platform.Ids;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.Mailbox;
import tools.jackson.databind.JsonNode;

/**
 * Mail preferences ({@code /api/v1/users/me/notification-preferences}) and the digest: the notifications a user opted
 * into arrive as one mail per digest interval (2 s in the tests), never one mail per event.
 */
class NotificationMailTest extends ApiTest {

    private static final String PATH = "/api/v1/users/me/notification-preferences";

    @Autowired
    ApplicationEventPublisher publisher;

    @Autowired
    PlatformTransactionManager transactions;

    Envelopes envelopes;
    TenantRef tenant;
    Session ada;

    @BeforeEach
    void member() {
        envelopes = new Envelopes(publisher, transactions);
        tenant = fixtures.tenant();
        ada = fixtures.userIn(tenant, "member");
    }

    @Test
    void mailIsOptInByFamilyOrTypeAndInAppIsAlwaysOn() {
        JsonNode defaults = api.get(PATH, ada.accessToken()).json().path("preferences");
        assertThat(defaults.path("run").path("mail").asBoolean()).isFalse();
        assertThat(defaults.path("run.failed").path("in_app").asBoolean()).isTrue();
        assertThat(defaults.path("deployment.expiring").path("mail").asBoolean()).isFalse();
        assertThat(defaults.properties()).hasSizeGreaterThanOrEqualTo(12);

        Api.Response put = put(obj("preferences", obj("run", obj("mail", true), "run.canceled",
                obj("mail", false, "in_app", true), "deployment.expiring", obj("mail", true))));
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        JsonNode now = api.get(PATH, ada.accessToken()).json().path("preferences");
        assertThat(now.path("run").path("mail").asBoolean()).isTrue();
        assertThat(now.path("run.failed").path("mail").asBoolean()).as("from its family").isTrue();
        assertThat(now.path("run.canceled").path("mail").asBoolean()).as("its own choice wins").isFalse();
        assertThat(now.path("deployment.expiring").path("mail").asBoolean()).isTrue();
        assertThat(now.path("deployment.drifted").path("mail").asBoolean()).isFalse();
        assertThat(now.path("template").path("mail").asBoolean()).isFalse();

        // a PUT replaces every choice; another user's stay their own
        assertThat(put(obj("preferences", obj())).status()).isEqualTo(200);
        assertThat(api.get(PATH, ada.accessToken()).json().path("preferences").path("run").path("mail").asBoolean())
                .isFalse();
    }

    @Test
    void badPreferencesAreRefused() {
        assertThat(send("{\"preferences\": {").code()).isEqualTo("MALFORMED_JSON");
        assertThat(send("{\"preferences\": {}, \"extra\": 1}").code()).isEqualTo("UNKNOWN_FIELD");
        assertThat(send("{\"preferences\": {\"run\": {\"mail\": true, \"sms\": true}}}").code())
                .isEqualTo("UNKNOWN_FIELD");
        assertThat(send("{\"preferences\": {\"run\": {\"mail\": \"yes\"}}}").code()).isEqualTo("INVALID_TYPE");
        assertThat(send("{\"preferences\": {\"run\": {\"mail\": 1}}}").code()).isEqualTo("INVALID_TYPE");
        assertThat(send("{\"preferences\": [\"run\"]}").code()).isEqualTo("INVALID_TYPE");
        assertThat(send("{}").code()).isEqualTo("VALIDATION_FAILED");
        assertThat(send("").status()).isEqualTo(400);

        Api.Response unknown = send("{\"preferences\": {\"run.exploded\": {\"mail\": true}, \"tenant\": {\"mail\": true}}}");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.code()).isEqualTo("INVALID_PREFERENCES");
        assertThat(unknown.json().path("errors")).extracting(e -> e.path("field").asString())
                .containsExactlyInAnyOrder("preferences.run.exploded", "preferences.tenant");
        Api.Response offInApp = send("{\"preferences\": {\"run\": {\"mail\": true, \"in_app\": false}}}");
        assertThat(offInApp.status()).isEqualTo(422);
        assertThat(offInApp.json().path("errors").get(0).path("field").asString()).isEqualTo("preferences.run.in_app");
        assertThat(send("{\"preferences\": {\"run\": {}}}").status()).isEqualTo(422);
        assertThat(send("{\"preferences\": {\"run\": null}}").status()).isEqualTo(422);
        assertThat(send("{\"preferences\": {\"" + "x".repeat(5000) + "\": {\"mail\": true}}}").status())
                .isEqualTo(422);
        // nothing of that was stored
        assertThat(api.get(PATH, ada.accessToken()).json().path("preferences").path("run").path("mail").asBoolean())
                .isFalse();
        assertThat(api.get(PATH, null).status()).isEqualTo(401);
    }

    @Test
    void optedInNotificationsArriveAsOneDigestPerInterval() {
        assertThat(put(obj("preferences", obj("run.failed", obj("mail", true)))).status()).isEqualTo(200);
        UUID deployment = Ids.newId();
        envelopes.publishAll(Envelopes.runFailed(tenant.id(), ada.userId(), "first"),
                Envelopes.runFailed(tenant.id(), ada.userId(), "second"),
                Envelopes.runFailed(tenant.id(), ada.userId(), "third"),
                // not opted into: in-app only
                Envelopes.envelope("deployment.drifted", tenant.id(), new EventSubject("deployment", deployment,
                        "quiet"), Envelopes.data("deployment_id", deployment.toString(), "owner_id",
                        ada.userId().toString())));

        Mailbox.Mail digest = Mailbox.awaitMessage(ada.email(), 1);
        assertThat(digest.subject()).isEqualTo("Canopy: 3 new notifications");
        assertThat(digest.text()).contains("Run failed: 'first'", "Run failed: 'second'", "Run failed: 'third'",
                "/runs/").doesNotContain("quiet");
        Mailbox.assertNoMoreThan(ada.email(), 1);
        assertThat(api.get("/api/v1/notifications", ada.accessToken()).json().path("items")).hasSize(4);

        envelopes.publish(Envelopes.runFailed(tenant.id(), ada.userId(), "later"));
        Mailbox.Mail next = Mailbox.awaitMessage(ada.email(), 2);
        assertThat(next.subject()).isEqualTo("Canopy: 1 new notification");
        assertThat(next.text()).contains("Run failed: 'later'").doesNotContain("'first'");
        Mailbox.assertNoMoreThan(ada.email(), 2);
    }

    private Api.Response put(Object body) {
        return api.send("PUT", PATH, ada.accessToken(), Api.json(body), Map.of());
    }

    private Api.Response send(String body) {
        return api.send("PUT", PATH, ada.accessToken(), body, Map.of("Content-Type", "application/json"));
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
