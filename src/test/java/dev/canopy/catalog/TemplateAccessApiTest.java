package dev.canopy.catalog;

import static dev.canopy.catalog.TemplateCatalogApiTest.SIMPLE_INPUTS;
import static dev.canopy.catalog.TemplateCatalogApiTest.TEMPLATES;
import static dev.canopy.catalog.TemplateCatalogApiTest.create;
import static dev.canopy.catalog.TemplateCatalogApiTest.publish;
import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.ids;
import static dev.canopy.support.DatabaseAssertions.assertRefusedByRowSecurity;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.Mailbox;
import dev.canopy.support.RecordedEvents;
import dev.canopy.support.TemplateArchives;

/** Locked templates with access requests, grants and revocation; MSP shares; row-level security of the tables. */
class TemplateAccessApiTest extends ApiTest {

    static final String REQUESTS = "/api/v1/access-requests";

    @Autowired
    RecordedEvents events;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantTransactions scopes;

    @Test
    void aLockedTemplateIsProvisionableOnlyWithAGrantThatARequestApprovedAndARevocationRemoves() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session member = fixtures.userIn(tenant, "member");
        Session other = fixtures.userIn(tenant, "member");
        String id = create(api, admin, "Locked " + UUID.randomUUID(), "ansible");
        assertThat(api.patch(TEMPLATES + "/" + id, admin.accessToken(), obj("locked", true, "version", 0)).json()
                .path("locked").asBoolean()).isTrue();
        assertThat(provisionable(member, id)).isFalse();
        assertThat(provisionable(admin, id)).as("templates:manage holders may").isTrue();

        Api.Response requested = api.post(TEMPLATES + "/" + id + "/access-requests", member.accessToken(),
                obj("reason", "Need it for the spring campaign"));
        assertThat(requested.status()).as(requested.toString()).isEqualTo(201);
        String requestId = requested.json().path("id").asString();
        var asked = events.await(e -> e.subject().id().toString().equals(requestId), Duration.ofSeconds(10))
                .orElseThrow();
        assertThat(asked.type()).isEqualTo("template.access_requested");
        assertThat(asked.data().path("approver_ids").toString()).as("templates:manage holders decide")
                .contains(admin.userId().toString()).doesNotContain(member.userId().toString())
                .doesNotContain(other.userId().toString());
        assertThat(requested.json().path("status").asString()).isEqualTo("pending");
        assertProblem(api.post(TEMPLATES + "/" + id + "/access-requests", member.accessToken(), obj("reason", "again")),
                409, "ACCESS_REQUEST_PENDING");

        // the approvers' inbox has it; a requester sees their own only, others nothing
        assertThat(ids(api.get(REQUESTS + "?status=pending", admin.accessToken()))).contains(UUID.fromString(requestId));
        assertThat(ids(api.get(REQUESTS, member.accessToken()))).containsExactly(UUID.fromString(requestId));
        assertThat(ids(api.get(REQUESTS, other.accessToken()))).isEmpty();
        assertProblem(api.get(REQUESTS + "?status=maybe", admin.accessToken()), 400, "VALIDATION_FAILED");
        assertProblem(api.post(REQUESTS + "/" + requestId + "/approve", member.accessToken(), null), 403, "FORBIDDEN");
        assertProblem(api.post(REQUESTS + "/" + requestId + "/approve", other.accessToken(), null), 404,
                "ACCESS_REQUEST_NOT_FOUND");

        Api.Response approved = api.post(REQUESTS + "/" + requestId + "/approve", admin.accessToken(),
                obj("comment", "Go ahead"));
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
        assertThat(approved.json().path("status").asString()).isEqualTo("approved");
        assertThat(approved.json().path("decided_by").asString()).isEqualTo(admin.userId().toString());
        assertThat(events.await(e -> e.type().equals("template.access_decided")
                && e.subject().id().toString().equals(requestId), Duration.ofSeconds(10)).orElseThrow().data()
                .path("decision").asString()).isEqualTo("approved");
        assertProblem(api.post(REQUESTS + "/" + requestId + "/reject", admin.accessToken(), null), 409,
                "ACCESS_REQUEST_DECIDED");
        assertThat(provisionable(member, id)).isTrue();
        assertThat(Mailbox.awaitMessage(member.email(), 1).subject()).contains("approved");
        assertThat(api.get(TEMPLATES + "/" + id + "/access", admin.accessToken()).json().path("items").get(0)
                .path("user_id").asString()).isEqualTo(member.userId().toString());
        assertProblem(api.post(TEMPLATES + "/" + id + "/access-requests", member.accessToken(), obj("reason", "more")),
                409, "ACCESS_ALREADY_GRANTED");

        assertThat(api.delete(TEMPLATES + "/" + id + "/access/" + member.userId(), admin.accessToken()).status())
                .isEqualTo(204);
        assertThat(provisionable(member, id)).isFalse();
        assertThat(ids(api.get(REQUESTS + "?status=revoked", admin.accessToken()))).contains(UUID.fromString(requestId));
        assertProblem(api.delete(TEMPLATES + "/" + id + "/access/" + member.userId(), admin.accessToken()), 404,
                "TEMPLATE_GRANT_NOT_FOUND");

        // a rejection grants nothing; a direct grant does
        String again = api.post(TEMPLATES + "/" + id + "/access-requests", member.accessToken(),
                obj("reason", "Please")).json().path("id").asString();
        assertThat(api.post(REQUESTS + "/" + again + "/reject", admin.accessToken(), obj("comment", "No"))
                .json().path("status").asString()).isEqualTo("rejected");
        assertThat(provisionable(member, id)).isFalse();
        assertThat(Mailbox.awaitMessage(member.email(), 2).subject()).contains("rejected");
        assertThat(api.post(TEMPLATES + "/" + id + "/access", admin.accessToken(), obj("user_id",
                other.userId().toString())).status()).isEqualTo(200);
        assertThat(provisionable(other, id)).isTrue();
        Session stranger = fixtures.userIn(fixtures.tenant(), "member");
        assertProblem(api.post(TEMPLATES + "/" + id + "/access", admin.accessToken(), obj("user_id",
                stranger.userId().toString())), 404, "USER_NOT_FOUND");
        // an unlocked template needs no request
        String open = create(api, admin, "Open " + UUID.randomUUID(), "ansible");
        assertProblem(api.post(TEMPLATES + "/" + open + "/access-requests", member.accessToken(), obj("reason", "x")),
                409, "TEMPLATE_NOT_LOCKED");
        assertEachRejected(body -> api.send("POST", TEMPLATES + "/" + id + "/access-requests", member.accessToken(),
                body, Map.of()), List.of(new BadInput(Api.json(obj()), "VALIDATION_FAILED", List.of("reason")),
                        new BadInput(Api.json(obj("reason", "r".repeat(1001))), "VALIDATION_FAILED", List.of("reason")),
                        new BadInput(Api.json(obj("reason", List.of())), "INVALID_TYPE", List.of()),
                        new BadInput("{", "MALFORMED_JSON", List.of())));
        assertEachRejected(body -> api.send("POST", REQUESTS + "/" + again + "/approve", admin.accessToken(), body,
                Map.of()), List.of(new BadInput(Api.json(obj("comment", "c".repeat(1001))), "VALIDATION_FAILED",
                        List.of("comment")), new BadInput(Api.json(obj("note", "x")), "UNKNOWN_FIELD", List.of())));
        assertEachRejected(body -> api.send("POST", TEMPLATES + "/" + id + "/access", admin.accessToken(), body,
                Map.of()), List.of(new BadInput(Api.json(obj()), "VALIDATION_FAILED", List.of("user_id")),
                        new BadInput(Api.json(obj("user_id", 7)), "INVALID_TYPE", List.of())));
        assertProblem(api.post(REQUESTS + "/" + UUID.randomUUID() + "/approve", admin.accessToken(), null), 404,
                "ACCESS_REQUEST_NOT_FOUND");
    }

    @Test
    void aRequestMadeInABusinessUnitIsDecidedByItsOwnerButNobodyDecidesTheirOwn() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session owner = fixtures.userIn(tenant, "member");
        Session member = fixtures.userIn(tenant, "member");
        var unit = api.post("/api/v1/business-units", admin.accessToken(), obj("code", "SALES", "name", "Sales",
                "owner_id", owner.userId().toString()));
        assertThat(unit.status()).as(unit.toString()).isEqualTo(201);
        String unitId = unit.json().path("id").asString();
        assertThat(api.send("PUT", "/api/v1/business-units/" + unitId + "/members/" + member.userId(),
                admin.accessToken(), Api.json(obj("role", "member")), Map.of()).status()).isEqualTo(204);
        assertThat(api.post("/api/v1/auth/switch-business-unit", member.accessToken(), obj("business_unit_id", unitId))
                .status()).isEqualTo(200);
        String id = create(api, admin, "Unit locked " + UUID.randomUUID(), "arm");
        api.patch(TEMPLATES + "/" + id, admin.accessToken(), obj("locked", true, "version", 0));

        Api.Response requested = api.post(TEMPLATES + "/" + id + "/access-requests", member.accessToken(),
                obj("reason", "Sales demo"));
        assertThat(requested.json().path("business_unit_id").asString()).isEqualTo(unitId);
        String requestId = requested.json().path("id").asString();
        assertThat(ids(api.get(REQUESTS + "?status=pending", owner.accessToken()))).containsExactly(
                UUID.fromString(requestId));
        assertProblem(api.post(REQUESTS + "/" + requestId + "/approve", member.accessToken(), null), 403, "FORBIDDEN");
        Api.Response approved = api.post(REQUESTS + "/" + requestId + "/approve", owner.accessToken(), null);
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
        assertThat(provisionable(member, id)).isTrue();

        // an administrator's own request (made before they managed templates, say) is not theirs to decide
        String selfRequest = scopes.inTenant(tenant.id(), () -> {
            UUID rid = UUID.randomUUID();
            jdbc.sql("""
                    insert into template_access_requests (tenant_id, id, template_id, requester_id,
                           requester_email, reason) values (?, ?, ?, ?, ?, 'mine')
                    """).params(tenant.id(), rid, UUID.fromString(id), admin.userId(), admin.email()).update();
            return rid.toString();
        });
        assertProblem(api.post(REQUESTS + "/" + selfRequest + "/approve", admin.accessToken(), null), 403,
                "SELF_APPROVAL");
    }

    @Test
    void anMspSharesTemplatesWithItsClientsReadOnlyAndAClientNeverSeesAnotherClientsTemplates() {
        Session platform = fixtures.platformAdmin();
        TenantRef msp = fixtures.tenant();
        TenantRef clientA = fixtures.tenant(platform, msp.id());
        TenantRef clientB = fixtures.tenant(platform, msp.id());
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");
        Session a = fixtures.userIn(clientA, "tenant_admin");
        Session b = fixtures.userIn(clientB, "member");
        String shared = create(api, mspAdmin, "Golden VM " + UUID.randomUUID(), "opentofu");
        assertThat(publish(api, mspAdmin, shared, TemplateArchives.template("1.0.0", "opentofu", SIMPLE_INPUTS))
                .status()).isEqualTo(201);
        String aOwn = create(api, a, "A's own " + UUID.randomUUID(), "ansible");

        Api.Response share = api.post(TEMPLATES + "/" + shared + "/shares", mspAdmin.accessToken(),
                obj("tenant_id", clientA.id().toString()));
        assertThat(share.status()).as(share.toString()).isEqualTo(201);
        assertThat(api.post(TEMPLATES + "/" + shared + "/shares", mspAdmin.accessToken(),
                obj("tenant_id", clientA.id().toString())).json().path("id")).as("sharing twice is one share")
                .isEqualTo(share.json().path("id"));

        assertThat(ids(api.get(TEMPLATES, a.accessToken()))).containsExactlyInAnyOrder(UUID.fromString(shared),
                UUID.fromString(aOwn));
        var seen = api.get(TEMPLATES + "/" + shared, a.accessToken()).json();
        assertThat(seen.path("shared").asBoolean()).isTrue();
        assertThat(seen.path("owner_tenant_id").asString()).isEqualTo(msp.id().toString());
        assertThat(seen.path("provisionable").asBoolean()).isTrue();
        assertThat(api.get(TEMPLATES + "/" + shared + "/versions/1.0.0", a.accessToken()).status()).isEqualTo(200);
        assertThat(api.download(TEMPLATES + "/" + shared + "/versions/1.0.0/archive", a.accessToken()).statusCode())
                .isEqualTo(200);
        assertThat(api.post(TEMPLATES + "/" + shared + "/versions/1.0.0/validate", a.accessToken(),
                obj("inputs", obj("size", "large"))).json().path("valid").asBoolean()).isTrue();
        // read-only for the client
        assertProblem(api.patch(TEMPLATES + "/" + shared, a.accessToken(), obj("name", "mine", "version", 0)), 409,
                "TEMPLATE_SHARED_READ_ONLY");
        assertProblem(api.delete(TEMPLATES + "/" + shared, a.accessToken()), 409, "TEMPLATE_SHARED_READ_ONLY");
        assertProblem(publish(api, a, shared, TemplateArchives.template("1.0.1", "opentofu", SIMPLE_INPUTS)), 409,
                "TEMPLATE_SHARED_READ_ONLY");
        // the other client sees neither the share nor A's own template
        assertThat(ids(api.get(TEMPLATES, b.accessToken()))).isEmpty();
        assertProblem(api.get(TEMPLATES + "/" + shared, b.accessToken()), 404, "TEMPLATE_NOT_FOUND");
        assertProblem(api.get(TEMPLATES + "/" + aOwn, b.accessToken()), 404, "TEMPLATE_NOT_FOUND");
        // nor does the MSP see its client's own templates in its catalog
        assertThat(ids(api.get(TEMPLATES, mspAdmin.accessToken()))).containsExactly(UUID.fromString(shared));

        Api.Response all = api.post(TEMPLATES + "/" + shared + "/shares", mspAdmin.accessToken(),
                obj("all_clients", true));
        assertThat(all.status()).isEqualTo(201);
        assertThat(ids(api.get(TEMPLATES, b.accessToken()))).containsExactly(UUID.fromString(shared));
        assertThat(api.get(TEMPLATES + "/" + shared + "/shares", mspAdmin.accessToken()).json().path("items").size())
                .isEqualTo(2);

        // withdrawn: gone for B, still there for A through its own share, then gone too
        assertThat(api.delete(TEMPLATES + "/" + shared + "/shares/" + all.json().path("id").asString(),
                mspAdmin.accessToken()).status()).isEqualTo(204);
        assertThat(ids(api.get(TEMPLATES, b.accessToken()))).isEmpty();
        assertThat(api.delete(TEMPLATES + "/" + shared + "/shares/" + share.json().path("id").asString(),
                mspAdmin.accessToken()).status()).isEqualTo(204);
        assertProblem(api.get(TEMPLATES + "/" + shared, a.accessToken()), 404, "TEMPLATE_NOT_FOUND");
        assertProblem(api.delete(TEMPLATES + "/" + shared + "/shares/" + share.json().path("id").asString(),
                mspAdmin.accessToken()), 404, "TEMPLATE_SHARE_NOT_FOUND");

        // only to one's own clients; a client cannot share what it was given
        TenantRef unrelated = fixtures.tenant();
        assertProblem(api.post(TEMPLATES + "/" + shared + "/shares", mspAdmin.accessToken(),
                obj("tenant_id", unrelated.id().toString())), 404, "TENANT_NOT_FOUND");
        assertProblem(api.post(TEMPLATES + "/" + shared + "/shares", mspAdmin.accessToken(),
                obj("tenant_id", clientA.id().toString(), "all_clients", true)), 400, "VALIDATION_FAILED");
        assertProblem(api.post(TEMPLATES + "/" + aOwn + "/shares", mspAdmin.accessToken(), obj("all_clients", true)),
                404, "TEMPLATE_NOT_FOUND");
        assertProblem(api.post(TEMPLATES + "/" + shared + "/shares", b.accessToken(), obj("all_clients", true)), 403,
                "FORBIDDEN");
    }

    @Test
    void anotherTenantCannotReadOrChangeCatalogRowsEvenWithSql() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String id = create(api, admin, "Private " + UUID.randomUUID(), "ansible");
        assertThat(publish(api, admin, id, TemplateArchives.template("1.0.0", "ansible", SIMPLE_INPUTS)).status())
                .isEqualTo(201);
        api.patch(TEMPLATES + "/" + id, admin.accessToken(), obj("locked", true, "version", 0));
        Session member = fixtures.userIn(fixtures.tenant(), "member");
        String request = api.post(TEMPLATES + "/" + id + "/access-requests", member.accessToken(),
                obj("reason", "x")).code();
        assertThat(request).as("another tenant's member cannot even ask").isEqualTo("TEMPLATE_NOT_FOUND");
        assertThat(api.post(TEMPLATES + "/" + id + "/access", admin.accessToken(), obj("user_id",
                admin.userId().toString())).status()).isEqualTo(200);
        assertThat(api.post(TEMPLATES + "/" + id + "/shares", admin.accessToken(), obj("all_clients", true)).status())
                .isEqualTo(201);
        UUID other = fixtures.tenant().id();
        for (String table : List.of("templates", "template_versions", "template_archives", "template_grants",
                "template_shares")) {
            String count = "select count(*) from " + table + " where tenant_id = ?";
            assertThat(scopes.inTenant(admin.tenantId(), () -> jdbc.sql(count).param(admin.tenantId())
                    .query(Long.class).single())).as(table).isPositive();
            assertThat(scopes.inTenant(other, () -> jdbc.sql(count).param(admin.tenantId()).query(Long.class)
                    .single())).as(table).isZero();
        }
        for (String change : List.of("update templates set name = 'taken' where id = ?",
                "delete from template_versions where template_id = ?",
                "delete from template_shares where template_id = ?",
                "delete from template_grants where template_id = ?")) {
            assertThat(scopes.inTenant(other, () -> jdbc.sql(change).param(UUID.fromString(id)).update())).as(change)
                    .isZero();
        }
        for (String insert : List.of(
                "insert into templates (tenant_id, id, name, driver) values (?, gen_random_uuid(), 'x', 'arm')",
                "insert into template_shares (tenant_id, id, template_id, all_clients) values (?, gen_random_uuid(), '"
                        + id + "', true)",
                "insert into template_grants (tenant_id, template_id, user_id) values (?, '" + id
                        + "', gen_random_uuid())",
                "insert into template_access_requests (tenant_id, id, template_id, requester_id, requester_email,"
                        + " reason) values (?, gen_random_uuid(), '" + id + "', gen_random_uuid(), 'x@example.com', 'y')")) {
            assertRefusedByRowSecurity(() -> scopes.inTenant(other, () -> jdbc.sql(insert).param(admin.tenantId())
                    .update()));
        }
        assertThat(api.get(TEMPLATES + "/" + id, admin.accessToken()).json().path("name").asString())
                .startsWith("Private");
        assertThat(api.get(TEMPLATES + "/" + id + "/shares", admin.accessToken()).json().path("items").size())
                .isEqualTo(1);
    }

    private boolean provisionable(Session session, String id) {
        Api.Response response = api.get(TEMPLATES + "/" + id, session.accessToken());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().path("provisionable").asBoolean();
    }
}
