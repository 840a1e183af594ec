package dev.canopy.notifications;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/**
 * The modules' real events, caused through the API: a member's access request for a locked template notifies the
 * template's approvers (not the requester), the decision notifies the requester.
 */
class NotificationsFromEventsTest extends ApiTest {

    private static final String TEMPLATES = "/api/v1/templates";

    @Test
    void anAccessRequestNotifiesItsApproversAndItsDecisionTheRequester() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session member = fixtures.userIn(tenant, "member");
        Session bystander = fixtures.userIn(tenant, "member");
        String name = "Locked " + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post(TEMPLATES, admin.accessToken(), obj("name", name, "description", "d",
                "driver", "ansible", "tags", List.of("web")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String template = created.json().path("id").asString();
        assertThat(api.patch(TEMPLATES + "/" + template, admin.accessToken(), obj("locked", true, "version", 0))
                .status()).isEqualTo(200);

        Api.Response requested = api.post(TEMPLATES + "/" + template + "/access-requests", member.accessToken(),
                obj("reason", "for the campaign"));
        assertThat(requested.status()).as(requested.toString()).isEqualTo(201);
        JsonNode asked = await(admin, 1).get(0);
        assertThat(asked.path("type").asString()).isEqualTo("template.access_requested");
        assertThat(asked.path("title").asString()).isEqualTo("Access requested: '" + name + "'");
        assertThat(asked.path("message").asString()).contains(member.email(), "for the campaign");
        assertThat(asked.path("link").asString()).isEqualTo("/access-requests");

        String requestId = requested.json().path("id").asString();
        assertThat(api.post("/api/v1/access-requests/" + requestId + "/approve", admin.accessToken(), null).status())
                .isEqualTo(200);
        JsonNode granted = await(member, 1).get(0);
        assertThat(granted.path("title").asString()).isEqualTo("Access granted: '" + name + "'");
        assertThat(granted.path("severity").asString()).isEqualTo("success");
        assertThat(granted.path("link").asString()).isEqualTo("/catalog/" + template);
        // the approver is not told of their own decision, the bystander of nothing
        NotificationsApiTest.sleep(500);
        assertThat(list(admin)).hasSize(1);
        assertThat(list(bystander)).isEmpty();
    }

    private JsonNode list(Session session) {
        return api.get("/api/v1/notifications", session.accessToken()).json().path("items");
    }

    private JsonNode await(Session session, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonNode items = list(session);
        while (items.size() < n && System.nanoTime() < deadline) {
            NotificationsApiTest.sleep(100);
            items = list(session);
        }
        assertThat(items).as(items.toString()).hasSize(n);
        return items;
    }
}
