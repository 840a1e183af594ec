package dev.canopy.access;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
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
import dev.canopy.support.AuditLog;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;

/** MSP delegation: a client tenant grants its MSP a role; the MSP's staff act in it without membership. */
class DelegationApiTest extends ApiTest {

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void aGrantIsCreatedUsedAuditedAndRevoked() {
        TenantRef msp = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");
        Session mspViewer = fixtures.userIn(msp, "viewer");
        TenantRef client = fixtures.tenant(fixtures.switchTo(fixtures.platformAdmin(), msp.id()), msp.id());
        Session clientAdmin = fixtures.userIn(client, "tenant_admin");

        // before any grant the MSP's administrator cannot enter the client
        assertProblem(api.post("/api/v1/auth/switch-tenant", mspAdmin.accessToken(),
                obj("tenant_id", client.id().toString())), 403, "NOT_A_MEMBER");

        String grants = "/api/v1/tenants/" + client.id() + "/access-grants";
        Api.Response created = api.post(grants, clientAdmin.accessToken(), obj("grantee_tenant_id",
                msp.id().toString(), "role_id", "member", "expires_at", Instant.now().plusSeconds(3600).toString()));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("grantee_role").asString()).isEqualTo("tenant_admin");
        assertThat(created.json().path("live").asBoolean()).isTrue();
        String grantId = created.json().path("id").asString();
        assertThat(api.get(grants, clientAdmin.accessToken()).json().path("items").get(0).path("id").asString())
                .isEqualTo(grantId);

        // used: the MSP's administrator switches in and works with the granted role, not as a member
        Api.Response switched = api.post("/api/v1/auth/switch-tenant", mspAdmin.accessToken(),
                obj("tenant_id", client.id().toString()));
        assertThat(switched.status()).as(switched.toString()).isEqualTo(200);
        Session delegate = Fixtures.session(switched.json(), mspAdmin.email());
        assertThat(delegate.tenantId()).isEqualTo(client.id());
        assertThat(api.get("/api/v1/users", delegate.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/roles", delegate.accessToken()).status()).isEqualTo(200);
        assertProblem(api.get("/api/v1/audit-events", delegate.accessToken()), 403, "FORBIDDEN");
        var why = api.get("/api/v1/access/explain?permission=users:list", delegate.accessToken()).json();
        assertThat(why.path("allowed").asBoolean()).isTrue();
        assertThat(why.path("decided_by").get(0).path("kind").asString()).isEqualTo("delegated_role");
        // the client's member list does not gain the MSP's staff
        assertThat(api.get("/api/v1/users", clientAdmin.accessToken()).text()).doesNotContain(mspAdmin.email());
        // only the grantee role counts: the MSP's viewer stays out
        assertProblem(api.post("/api/v1/auth/switch-tenant", mspViewer.accessToken(),
                obj("tenant_id", client.id().toString())), 403, "NOT_A_MEMBER");

        // audited in the client's log as the MSP's member acting through the MSP
        List<AuditLog.Event> events = AuditLog.ofRequest(scopes, jdbc, client.id(), switched.header("X-Request-Id"));
        assertThat(events).isNotEmpty();
        assertThat(events.getFirst().actorType()).isEqualTo("delegated");
        assertThat(events.getFirst().actorEmail()).isEqualTo(mspAdmin.email());
        assertThat(events.getFirst().details()).contains(grantId);

        // a fresh delegated session, then the client revokes: refused at once
        Session again = Fixtures.session(api.post("/api/v1/auth/switch-tenant",
                fixtures.login(mspAdmin.email(), Fixtures.PASSWORD, msp.id()).accessToken(),
                obj("tenant_id", client.id().toString())).json(), mspAdmin.email());
        Api.Response grouped = api.send("POST", "/api/v1/groups", again.accessToken(),
                Api.json(obj("name", "nope")), Map.of("X-Request-Id", "delegated-" + UUID.randomUUID()));
        assertProblem(grouped, 403, "FORBIDDEN");
        List<AuditLog.Event> refused = AuditLog.ofRequest(scopes, jdbc, client.id(), grouped.header("X-Request-Id"));
        assertThat(refused.getFirst().actorType()).isEqualTo("delegated");
        assertThat(api.get("/api/v1/users", again.accessToken()).status()).isEqualTo(200);
        assertThat(api.delete(grants + "/" + grantId, clientAdmin.accessToken()).status()).isEqualTo(204);
        assertProblem(api.get("/api/v1/users", again.accessToken()), 403, "NOT_A_MEMBER");
        assertThat(api.get(grants, clientAdmin.accessToken()).json().path("items").get(0).path("live").asBoolean())
                .isFalse();
        assertProblem(api.delete(grants + "/" + grantId, clientAdmin.accessToken()), 404, "ACCESS_GRANT_NOT_FOUND");
    }

    @Test
    void meListsTheClientsAGrantOpensAndTheyAreEnteredFromAnyOwnTenantHoldingIt() {
        TenantRef msp = fixtures.tenant();
        TenantRef other = fixtures.tenant();
        TenantRef client = fixtures.tenant();
        Session clientAdmin = fixtures.userIn(client, "tenant_admin");
        // a member of another tenant first, the MSP's administrator second
        Session inOther = fixtures.userIn(other, "viewer");
        fixtures.addUser(msp, inOther.email(), "tenant_admin");
        Session mspViewer = fixtures.userIn(msp, "viewer");
        assertThat(api.get("/api/v1/auth/me", inOther.accessToken()).json().path("delegated_tenants").isArray())
                .isTrue();
        assertThat(api.get("/api/v1/auth/me", inOther.accessToken()).json().path("delegated_tenants").size())
                .isZero();

        Instant expires = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Api.Response granted = api.post("/api/v1/tenants/" + client.id() + "/access-grants",
                clientAdmin.accessToken(), obj("grantee_tenant_id", msp.id().toString(), "role_id", "member",
                        "expires_at", expires.toString()));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);

        // listed from the other tenant too: the grant is the MSP's, and the user is the MSP's administrator
        var delegated = api.get("/api/v1/auth/me", inOther.accessToken()).json().path("delegated_tenants");
        assertThat(delegated.size()).as(delegated.toString()).isEqualTo(1);
        assertThat(delegated.get(0).path("tenant").path("id").asString()).isEqualTo(client.id().toString());
        assertThat(delegated.get(0).path("tenant").path("slug").asString()).isEqualTo(client.slug());
        assertThat(delegated.get(0).path("via_tenant").path("id").asString()).isEqualTo(msp.id().toString());
        assertThat(delegated.get(0).path("role").asString()).isEqualTo("member");
        assertThat(Instant.parse(delegated.get(0).path("expires_at").asString())).isEqualTo(expires);
        // the grantee role counts: the MSP's viewer is offered nothing
        assertThat(api.get("/api/v1/auth/me", mspViewer.accessToken()).json().path("delegated_tenants").size())
                .isZero();

        // entered straight from the other tenant, working through the MSP
        Api.Response switched = api.post("/api/v1/auth/switch-tenant", inOther.accessToken(),
                obj("tenant_id", client.id().toString()));
        assertThat(switched.status()).as(switched.toString()).isEqualTo(200);
        Session delegate = Fixtures.session(switched.json(), inOther.email());
        assertThat(delegate.tenantId()).isEqualTo(client.id());
        assertThat(api.get("/api/v1/users", delegate.accessToken()).status()).isEqualTo(200);
        List<AuditLog.Event> events = AuditLog.ofRequest(scopes, jdbc, client.id(), switched.header("X-Request-Id"));
        assertThat(events.getFirst().actorType()).isEqualTo("delegated");
        assertThat(events.getFirst().details()).contains(granted.json().path("id").asString());
        var me = api.get("/api/v1/auth/me", delegate.accessToken()).json();
        assertThat(me.path("tenant").path("id").asString()).isEqualTo(client.id().toString());
        assertThat(me.path("delegated_tenants").get(0).path("via_tenant").path("id").asString())
                .isEqualTo(msp.id().toString());
    }

    @Test
    void grantsAreTheClientsOwnAndValidated() {
        TenantRef msp = fixtures.tenant();
        TenantRef client = fixtures.tenant();
        Session clientAdmin = fixtures.userIn(client, "tenant_admin");
        Session clientMember = fixtures.userIn(client, "member");
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");
        String grants = "/api/v1/tenants/" + client.id() + "/access-grants";
        assertEachRejected(body -> api.send("POST", grants, clientAdmin.accessToken(), body, Map.of()), List.of(
                new BadInput("{\"grantee_tenant_id\": ", "MALFORMED_JSON", List.of()),
                new BadInput(Api.json(obj("grantee_tenant_id", msp.id().toString(), "role_id", "member", "x", 1)),
                        "UNKNOWN_FIELD", List.of("x")),
                new BadInput(Api.json(obj("grantee_tenant_id", "msp", "role_id", "member")), "INVALID_TYPE",
                        List.of("grantee_tenant_id")),
                new BadInput(Api.json(obj("role_id", "member")), "VALIDATION_FAILED", List.of("grantee_tenant_id")),
                new BadInput(Api.json(obj("grantee_tenant_id", msp.id().toString())), "VALIDATION_FAILED",
                        List.of("role_id")),
                new BadInput(Api.json(obj("grantee_tenant_id", client.id().toString(), "role_id", "member")),
                        "VALIDATION_FAILED", List.of("grantee_tenant_id")),
                new BadInput(Api.json(obj("grantee_tenant_id", msp.id().toString(), "role_id", "member",
                        "grantee_role", "overlord")), "UNKNOWN_ROLE", List.of("grantee_role")),
                new BadInput(Api.json(obj("grantee_tenant_id", msp.id().toString(), "role_id", "member",
                        "expires_at", "2020-01-01T00:00:00Z")), "VALIDATION_FAILED", List.of("expires_at"))));
        assertProblem(api.post(grants, clientAdmin.accessToken(), obj("grantee_tenant_id",
                UUID.randomUUID().toString(), "role_id", "member")), 404, "TENANT_NOT_FOUND");
        assertProblem(api.post(grants, clientAdmin.accessToken(), obj("grantee_tenant_id", msp.id().toString(),
                "role_id", "no-such-role")), 404, "ROLE_NOT_FOUND");
        // members without the grant permissions, and other tenants, cannot see or make the client's grants
        assertProblem(api.post(grants, clientMember.accessToken(), obj("grantee_tenant_id", msp.id().toString(),
                "role_id", "viewer")), 403, "FORBIDDEN");
        assertProblem(api.get(grants, clientMember.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.get(grants, mspAdmin.accessToken()), 404, "TENANT_NOT_FOUND");
        assertProblem(api.post(grants, mspAdmin.accessToken(), obj("grantee_tenant_id", msp.id().toString(),
                "role_id", "tenant_admin")), 404, "TENANT_NOT_FOUND");
        String id = api.post(grants, clientAdmin.accessToken(), obj("grantee_tenant_id", msp.id().toString(),
                "role_id", "viewer")).json().path("id").asString();
        assertProblem(api.delete(grants + "/" + id, mspAdmin.accessToken()), 404, "TENANT_NOT_FOUND");
        assertProblem(api.delete("/api/v1/tenants/" + msp.id() + "/access-grants/" + id, mspAdmin.accessToken()),
                404, "ACCESS_GRANT_NOT_FOUND");
    }
}
