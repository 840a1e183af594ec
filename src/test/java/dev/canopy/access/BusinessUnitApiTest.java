package dev.canopy.access;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/** Business units: their members' roles apply to the unit's resources only, while working in the unit. */
class BusinessUnitApiTest extends ApiTest {

    @Autowired
    private AccessDecisionPoint decisions;

    @Test
    void unitRolesAndUnitGroupsApplyOnlyToTheUnitsResourcesWhileWorkingInIt() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session dev = fixtures.userIn(tenant, "viewer");
        String deployer = createRole(admin, "Unit deployer", List.of("deployments:*"));
        String auditor = createRole(admin, "Unit auditor", List.of("audit:read"));
        UUID a = createUnit(admin, "SALES", null);
        UUID b = createUnit(admin, "OPS", null);
        assertThat(api.send("PUT", "/api/v1/business-units/" + a + "/members/" + dev.userId(), admin.accessToken(),
                Api.json(obj("role", deployer)), Map.of()).status()).isEqualTo(204);
        var group = api.post("/api/v1/groups", admin.accessToken(), obj("name", "Sales auditors",
                "business_unit_id", a.toString()));
        assertThat(group.status()).as(group.toString()).isEqualTo(201);
        assertThat(group.json().path("business_unit_id").asString()).isEqualTo(a.toString());
        String groupId = group.json().path("id").asString();
        assertThat(api.post("/api/v1/groups/" + groupId + "/roles/" + auditor, admin.accessToken(), null).status())
                .isEqualTo(204);
        assertThat(api.post("/api/v1/groups/" + groupId + "/members/" + dev.userId(), admin.accessToken(), null)
                .status()).isEqualTo(204);

        // explained for a resource of A: allowed by the unit role and the unit's group; of B or none: not
        JsonNode inA = explain(admin, dev.userId(), "deployments:create", "business_unit=" + a);
        assertThat(inA.path("allowed").asBoolean()).isTrue();
        assertThat(inA.path("decided_by").get(0).path("kind").asString()).isEqualTo("business_unit_role");
        assertThat(inA.path("decided_by").get(0).path("business_unit_id").asString()).isEqualTo(a.toString());
        assertThat(explain(admin, dev.userId(), "audit:read", "business_unit=" + a).path("allowed").asBoolean())
                .isTrue();
        assertThat(explain(admin, dev.userId(), "deployments:create", "business_unit=" + b).path("allowed")
                .asBoolean()).isFalse();
        assertThat(explain(admin, dev.userId(), "deployments:create", null).path("allowed").asBoolean()).isFalse();
        // tenant-wide endpoints do not see unit permissions
        assertProblem(api.get("/api/v1/audit-events", dev.accessToken()), 403, "FORBIDDEN");

        // the decision point applies them only to A's resources, and only once the session works in A
        CanopyPrincipal principal = principalOf(tenant, dev);
        var resourceInA = ResourceContext.inBusinessUnit(a);
        assertThat(decisions.allows(principal, Permissions.DEPLOYMENTS_CREATE, resourceInA)).isFalse();
        var switched = api.post("/api/v1/auth/switch-business-unit", dev.accessToken(),
                obj("business_unit_id", a.toString()));
        assertThat(switched.status()).as(switched.toString()).isEqualTo(200);
        assertThat(switched.json().path("code").asString()).isEqualTo("SALES");
        assertThat(decisions.allows(principal, Permissions.DEPLOYMENTS_CREATE, resourceInA)).isTrue();
        assertThat(decisions.allows(principal, Permissions.AUDIT_READ, resourceInA)).isTrue();
        assertThat(decisions.allows(principal, Permissions.DEPLOYMENTS_CREATE, ResourceContext.inBusinessUnit(b)))
                .isFalse();
        assertThat(decisions.allows(principal, Permissions.DEPLOYMENTS_CREATE, ResourceContext.NONE)).isFalse();
        assertThat(principal.can(Permissions.DEPLOYMENTS_CREATE)).isFalse();

        // not a member of B: cannot work in it; leaving the unit takes its permissions away
        assertProblem(api.post("/api/v1/auth/switch-business-unit", dev.accessToken(),
                obj("business_unit_id", b.toString())), 404, "BUSINESS_UNIT_NOT_FOUND");
        assertThat(api.post("/api/v1/auth/switch-business-unit", dev.accessToken(), obj("business_unit_id", null))
                .status()).isEqualTo(200);
        assertThat(decisions.allows(principal, Permissions.DEPLOYMENTS_CREATE, resourceInA)).isFalse();
        api.post("/api/v1/auth/switch-business-unit", dev.accessToken(), obj("business_unit_id", a.toString()));
        assertThat(decisions.allows(principal, Permissions.DEPLOYMENTS_CREATE, resourceInA)).isTrue();
        assertThat(api.delete("/api/v1/business-units/" + a + "/members/" + dev.userId(), admin.accessToken())
                .status()).isEqualTo(204);
        assertThat(decisions.allows(principal, Permissions.DEPLOYMENTS_CREATE, resourceInA)).isFalse();
        assertThat(decisions.allows(principal, Permissions.AUDIT_READ, resourceInA)).as("still in the unit's group")
                .isTrue();
        // deleting the unit deletes its groups and ends the sessions' choice of it
        assertThat(api.delete("/api/v1/business-units/" + a, admin.accessToken()).status()).isEqualTo(204);
        assertThat(decisions.allows(principal, Permissions.AUDIT_READ, resourceInA)).isFalse();
        assertProblem(api.get("/api/v1/groups/" + groupId, admin.accessToken()), 404, "GROUP_NOT_FOUND");
    }

    @Test
    void ownersManageTheirUnitsMembersWithoutTenantWideRights() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session owner = fixtures.userIn(tenant, "viewer");
        Session member = fixtures.userIn(tenant, "viewer");
        UUID mine = createUnit(admin, "MINE", owner.userId());
        UUID theirs = createUnit(admin, "THEIRS", null);
        String path = "/api/v1/business-units/" + mine + "/members/" + member.userId();

        assertThat(api.send("PUT", path, owner.accessToken(), Api.json(obj("role", "viewer")), Map.of()).status())
                .isEqualTo(204);
        JsonNode unit = api.get("/api/v1/business-units/" + mine, owner.accessToken()).json();
        assertThat(unit.path("members").get(0).path("user_id").asString()).isEqualTo(member.userId().toString());
        assertThat(unit.path("members").get(0).path("role").asString()).isEqualTo("viewer");
        assertThat(api.get("/api/v1/business-units/" + mine, member.accessToken()).status()).as("members see it")
                .isEqualTo(200);
        // an owner gives only what they hold in the unit
        assertProblem(api.send("PUT", path, owner.accessToken(), Api.json(obj("role", "tenant_admin")), Map.of()),
                403, "PERMISSION_ESCALATION");
        assertThat(api.delete(path, owner.accessToken()).status()).isEqualTo(204);
        assertProblem(api.delete(path, owner.accessToken()), 404, "BUSINESS_UNIT_MEMBER_NOT_FOUND");

        // but nothing tenant-wide, nor another unit
        assertProblem(api.get("/api/v1/business-units/" + theirs, owner.accessToken()), 404,
                "BUSINESS_UNIT_NOT_FOUND");
        assertProblem(api.send("PUT", "/api/v1/business-units/" + theirs + "/members/" + member.userId(),
                owner.accessToken(), Api.json(obj("role", "viewer")), Map.of()), 404, "BUSINESS_UNIT_NOT_FOUND");
        assertProblem(api.patch("/api/v1/business-units/" + mine, owner.accessToken(), obj("name", "x", "version", 0)),
                403, "FORBIDDEN");
        assertProblem(api.post("/api/v1/business-units", owner.accessToken(), obj("code", "NEW", "name", "New")), 403,
                "FORBIDDEN");
        assertProblem(api.get("/api/v1/business-units", owner.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.delete("/api/v1/business-units/" + mine, owner.accessToken()), 403, "FORBIDDEN");
    }

    @Test
    void unitsAreValidatedAndAnotherTenantsAreNotFound() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        UUID unit = createUnit(admin, "CODE-1", null);
        assertEachRejected(body -> api.send("POST", "/api/v1/business-units", admin.accessToken(), body, Map.of()),
                List.of(new BadInput("{\"code\": ", "MALFORMED_JSON", List.of()),
                        new BadInput(Api.json(obj("code", "X", "name", "n", "budget", 5)), "UNKNOWN_FIELD",
                                List.of("budget")),
                        new BadInput(Api.json(obj("code", 7, "name", "n")), "INVALID_TYPE", List.of("code")),
                        new BadInput(Api.json(obj("code", "X", "name", "n", "owner_id", "me")), "INVALID_TYPE",
                                List.of("owner_id")),
                        new BadInput(Api.json(obj("name", "n")), "VALIDATION_FAILED", List.of("code")),
                        new BadInput(Api.json(obj("code", "has space", "name", "n")), "VALIDATION_FAILED",
                                List.of("code")),
                        new BadInput(Api.json(obj("code", "X".repeat(33), "name", "n")), "VALIDATION_FAILED",
                                List.of("code")),
                        new BadInput(Api.json(obj("code", "X", "name", "n".repeat(101))), "VALIDATION_FAILED",
                                List.of("name"))));
        assertProblem(api.post("/api/v1/business-units", admin.accessToken(), obj("code", "code-1", "name", "Dup")),
                409, "BUSINESS_UNIT_CODE_TAKEN");
        assertProblem(api.post("/api/v1/business-units", admin.accessToken(), obj("code", "Z", "name", "Z",
                "owner_id", UUID.randomUUID().toString())), 404, "USER_NOT_FOUND");
        assertProblem(api.send("PUT", "/api/v1/business-units/" + unit + "/members/" + admin.userId(),
                admin.accessToken(), Api.json(obj("role", "no-such-role")), Map.of()), 404, "ROLE_NOT_FOUND");
        assertProblem(api.send("PUT", "/api/v1/business-units/" + unit + "/members/" + admin.userId(),
                admin.accessToken(), Api.json(obj("role", 5)), Map.of()), 400, "INVALID_TYPE");
        var changed = api.patch("/api/v1/business-units/" + unit, admin.accessToken(), obj("name", "Renamed",
                "version", 0));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().path("version").asLong()).isEqualTo(1);
        assertProblem(api.patch("/api/v1/business-units/" + unit, admin.accessToken(), obj("name", "Stale",
                "version", 0)), 409, "VERSION_CONFLICT");

        TenantRef other = fixtures.tenant();
        Session otherAdmin = fixtures.userIn(other, "tenant_admin");
        assertProblem(api.get("/api/v1/business-units/" + unit, otherAdmin.accessToken()), 404,
                "BUSINESS_UNIT_NOT_FOUND");
        assertProblem(api.patch("/api/v1/business-units/" + unit, otherAdmin.accessToken(), obj("name", "x",
                "version", 1)), 404, "BUSINESS_UNIT_NOT_FOUND");
        assertProblem(api.delete("/api/v1/business-units/" + unit, otherAdmin.accessToken()), 404,
                "BUSINESS_UNIT_NOT_FOUND");
        assertProblem(api.post("/api/v1/auth/switch-business-unit", otherAdmin.accessToken(),
                obj("business_unit_id", unit.toString())), 404, "BUSINESS_UNIT_NOT_FOUND");
        assertProblem(api.post("/api/v1/groups", otherAdmin.accessToken(), obj("name", "g", "business_unit_id",
                unit.toString())), 404, "BUSINESS_UNIT_NOT_FOUND");
        assertThat(api.get("/api/v1/business-units/" + unit, admin.accessToken()).json().path("name").asString())
                .isEqualTo("Renamed");
    }

    private CanopyPrincipal principalOf(TenantRef tenant, Session session) {
        String payload = new String(Base64.getUrlDecoder().decode(session.accessToken().split("\\.")[1]),
                StandardCharsets.UTF_8);
        Matcher sid = java.util.regex.Pattern.compile("\"sid\"\\s*:\\s*\"([0-9a-f-]{36})\"").matcher(payload);
        assertThat(sid.find()).isTrue();
        return new CanopyPrincipal(session.userId(), session.email(), tenant.id(), UUID.fromString(sid.group(1)),
                decisions.permissionsOf(tenant.id(), session.userId(), false), false);
    }

    private UUID createUnit(Session by, String code, UUID owner) {
        var body = owner == null ? obj("code", code, "name", "Unit " + code)
                : obj("code", code, "name", "Unit " + code, "owner_id", owner.toString());
        var response = api.post("/api/v1/business-units", by.accessToken(), body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return UUID.fromString(response.json().path("id").asString());
    }

    private String createRole(Session by, String name, List<String> permissions) {
        var response = api.post("/api/v1/roles", by.accessToken(), obj("name", name, "permissions", permissions));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().path("id").asString();
    }

    private JsonNode explain(Session by, UUID userId, String permission, String resource) {
        String query = "permission=" + permission + "&user_id=" + userId
                + (resource == null ? "" : "&resource=" + resource);
        var response = api.get("/api/v1/access/explain?" + query, by.accessToken());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }
}
