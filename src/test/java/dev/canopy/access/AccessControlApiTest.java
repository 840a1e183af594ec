package dev.canopy.access;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
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
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/** Custom roles, groups, direct grants and denies, qualifiers and explanations, over HTTP. */
class AccessControlApiTest extends ApiTest {

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private AccessDecisionPoint decisions;

    @Test
    void customRolesAreCreatedReadChangedAssignedAndDeleted() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session user = fixtures.userIn(tenant, "viewer");

        Api.Response created = api.post("/api/v1/roles", admin.accessToken(), obj("name", "Deployer",
                "description", "Deploys anywhere", "permissions", List.of("deployments:*", "users:list")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode role = created.json();
        String id = role.path("id").asString();
        assertThat(UUID.fromString(id)).isNotNull();
        assertThat(created.header("Location")).endsWith("/api/v1/roles/" + id);
        assertThat(role.path("built_in").asBoolean()).isFalse();
        assertThat(role.path("level").asString()).isEqualTo("tenant");
        assertThat(role.path("version").asLong()).isZero();
        assertThat(strings(role.path("permissions"))).containsExactly("deployments:*", "users:list");
        assertThat(AuditLog.ofRequest(scopes, jdbc, tenant.id(), created.header("X-Request-Id")))
                .singleElement().satisfies(e -> {
                    assertThat(e.action()).isEqualTo("role.created");
                    assertThat(e.status()).isEqualTo("success");
                    assertThat(e.resourceType()).isEqualTo("role");
                    assertThat(e.resourceId()).isEqualTo(id);
                });

        assertThat(api.get("/api/v1/roles/" + id, admin.accessToken()).json()).isEqualTo(role);
        List<String> listed = new ArrayList<>();
        api.get("/api/v1/roles", admin.accessToken()).json().path("items")
                .forEach(r -> listed.add(r.path("id").asString()));
        assertThat(listed).containsExactly("platform_admin", "tenant_admin", "member", "viewer", id);
        assertThat(api.get("/api/v1/roles/tenant_admin", admin.accessToken()).json().path("built_in").asBoolean())
                .isTrue();

        Api.Response changed = api.patch("/api/v1/roles/" + id, admin.accessToken(), obj("name", "Deployers",
                "permissions", List.of("deployments:create:staging"), "version", 0));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().path("name").asString()).isEqualTo("Deployers");
        assertThat(changed.json().path("description").asString()).isEqualTo("Deploys anywhere");
        assertThat(changed.json().path("version").asLong()).isEqualTo(1);
        assertProblem(api.patch("/api/v1/roles/" + id, admin.accessToken(), obj("name", "Stale", "version", 0)), 409,
                "VERSION_CONFLICT");

        // assigned to a member directly, next to a built-in role
        grantRole(admin, user, id);
        assertThat(strings(api.get("/api/v1/auth/me", user.accessToken()).json().path("permissions")))
                .contains("deployments:create:staging", "users:list").doesNotContain("deployments:create");
        assertProblem(api.delete("/api/v1/roles/" + id, admin.accessToken()), 409, "ROLE_IN_USE");

        setRoles(admin, user, "viewer");
        assertThat(api.delete("/api/v1/roles/" + id, admin.accessToken()).status()).isEqualTo(204);
        assertProblem(api.get("/api/v1/roles/" + id, admin.accessToken()), 404, "ROLE_NOT_FOUND");
        assertProblem(api.patch("/api/v1/users/" + user.userId(), admin.accessToken(),
                obj("roles", List.of(id), "version", 2)), 400, "UNKNOWN_ROLE");
        assertThat(strings(api.get("/api/v1/auth/me", user.accessToken()).json().path("permissions")))
                .doesNotContain("deployments:create:staging");
    }

    @Test
    void rolesNameOnlyRegisteredTenantPermissionsAndBuiltInRolesAreReadOnly() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Api.Response unknown = api.post("/api/v1/roles", admin.accessToken(), obj("name", "Bad", "permissions",
                List.of("users:list", "users:fly", "nothing:*", "users:list:own")));
        assertProblem(unknown, 400, "UNKNOWN_PERMISSION");
        assertThat(dev.canopy.support.ApiAssertions.errorFields(unknown)).containsExactly("permissions[1]",
                "permissions[2]", "permissions[3]");
        assertProblem(api.post("/api/v1/roles", admin.accessToken(), obj("name", "Bad", "permissions",
                List.of("platform:tenants_manage"))), 400, "PLATFORM_PERMISSION");
        assertProblem(api.post("/api/v1/roles", admin.accessToken(), obj("name", "Bad", "permissions",
                List.of("platform:*"))), 400, "PLATFORM_PERMISSION");
        for (String builtIn : List.of("tenant_admin", "viewer", "platform_admin")) {
            assertProblem(api.patch("/api/v1/roles/" + builtIn, admin.accessToken(), obj("name", "x", "version", 0)),
                    409, "BUILT_IN_ROLE");
            assertProblem(api.delete("/api/v1/roles/" + builtIn, admin.accessToken()), 409, "BUILT_IN_ROLE");
        }
        assertProblem(api.get("/api/v1/roles/no-such-role", admin.accessToken()), 404, "ROLE_NOT_FOUND");
        String first = createRole(admin, "Same name", List.of("users:list"));
        assertProblem(api.post("/api/v1/roles", admin.accessToken(), obj("name", "same NAME", "permissions",
                List.of("users:read"))), 409, "ROLE_NAME_TAKEN");
        assertThat(first).isNotBlank();
    }

    @Test
    void badRoleAndGroupBodiesAreRefusedWithStableCodes() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String role = createRole(admin, "Target", List.of("users:list"));
        String group = createGroup(admin, "Target group");
        String longText = "x".repeat(501);
        assertEachRejected(body -> api.send("POST", "/api/v1/roles", admin.accessToken(), body, Map.of()), List.of(
                new BadInput("{\"name\": \"x\"", "MALFORMED_JSON", List.of()),
                new BadInput(Api.json(obj("name", "x", "permissions", List.of(), "level", "platform")),
                        "UNKNOWN_FIELD", List.of("level")),
                new BadInput(Api.json(obj("name", 5, "permissions", List.of())), "INVALID_TYPE", List.of("name")),
                new BadInput(Api.json(obj("name", "x", "permissions", "users:list")), "INVALID_TYPE",
                        List.of("permissions")),
                new BadInput(Api.json(obj("name", "x", "permissions", List.of(7))), "INVALID_TYPE",
                        List.of("permissions[0]")),
                new BadInput(Api.json(obj("permissions", List.of())), "VALIDATION_FAILED", List.of("name")),
                new BadInput(Api.json(obj("name", "x")), "VALIDATION_FAILED", List.of("permissions")),
                new BadInput(Api.json(obj("name", "x".repeat(101), "permissions", List.of())), "VALIDATION_FAILED",
                        List.of("name")),
                new BadInput(Api.json(obj("name", "x", "description", longText, "permissions", List.of())),
                        "VALIDATION_FAILED", List.of("description")),
                new BadInput(Api.json(obj("name", "x", "permissions", List.of("a".repeat(201)))),
                        "VALIDATION_FAILED", List.of("permissions[0]"))));
        assertEachRejected(body -> api.send("PATCH", "/api/v1/roles/" + role, admin.accessToken(), body, Map.of()),
                List.of(new BadInput("{\"name\": ", "MALFORMED_JSON", List.of()),
                        new BadInput(Api.json(obj("name", "x")), "VALIDATION_FAILED", List.of("version")),
                        new BadInput(Api.json(obj("name", "x", "version", "one")), "INVALID_TYPE",
                                List.of("version")),
                        new BadInput(Api.json(obj("built_in", true, "version", 0)), "UNKNOWN_FIELD",
                                List.of("built_in")),
                        new BadInput(Api.json(obj("name", " ", "version", 0)), "VALIDATION_FAILED",
                                List.of("name"))));
        assertEachRejected(body -> api.send("POST", "/api/v1/groups", admin.accessToken(), body, Map.of()), List.of(
                new BadInput("{", "MALFORMED_JSON", List.of()),
                new BadInput(Api.json(obj("name", "g", "members", List.of())), "UNKNOWN_FIELD", List.of("members")),
                new BadInput(Api.json(obj("name", List.of("g"))), "INVALID_TYPE", List.of("name")),
                new BadInput(Api.json(obj("description", "d")), "VALIDATION_FAILED", List.of("name")),
                new BadInput(Api.json(obj("name", "g".repeat(101))), "VALIDATION_FAILED", List.of("name"))));
        assertEachRejected(body -> api.send("PATCH", "/api/v1/groups/" + group, admin.accessToken(), body,
                Map.of()), List.of(new BadInput(Api.json(obj("name", "g")), "VALIDATION_FAILED", List.of("version")),
                        new BadInput(Api.json(obj("name", true, "version", 0)), "INVALID_TYPE", List.of("name"))));
        assertProblem(api.get("/api/v1/groups/not-a-uuid", admin.accessToken()), 400, "VALIDATION_FAILED");
    }

    @Test
    void anotherTenantsRolesGroupsAndMembersAreNotFound() {
        TenantRef a = fixtures.tenant();
        TenantRef b = fixtures.tenant();
        Session adminA = fixtures.userIn(a, "tenant_admin");
        Session adminB = fixtures.userIn(b, "tenant_admin");
        Session memberB = fixtures.userIn(b, "member");
        String roleA = createRole(adminA, "Only in A", List.of("users:list"));
        String groupA = createGroup(adminA, "Only in A");

        assertProblem(api.get("/api/v1/roles/" + roleA, adminB.accessToken()), 404, "ROLE_NOT_FOUND");
        assertProblem(api.patch("/api/v1/roles/" + roleA, adminB.accessToken(), obj("name", "x", "version", 0)), 404,
                "ROLE_NOT_FOUND");
        assertProblem(api.delete("/api/v1/roles/" + roleA, adminB.accessToken()), 404, "ROLE_NOT_FOUND");
        assertProblem(api.get("/api/v1/groups/" + groupA, adminB.accessToken()), 404, "GROUP_NOT_FOUND");
        assertProblem(api.patch("/api/v1/groups/" + groupA, adminB.accessToken(), obj("name", "x", "version", 0)),
                404, "GROUP_NOT_FOUND");
        assertProblem(api.delete("/api/v1/groups/" + groupA, adminB.accessToken()), 404, "GROUP_NOT_FOUND");
        assertProblem(api.post("/api/v1/groups/" + groupA + "/members/" + memberB.userId(), adminB.accessToken(),
                null), 404, "GROUP_NOT_FOUND");
        String groupB = createGroup(adminB, "In B");
        // A's role cannot be given in B, nor A's users added or granted to in B (and vice versa)
        assertProblem(api.post("/api/v1/groups/" + groupB + "/roles/" + roleA, adminB.accessToken(), null), 404,
                "ROLE_NOT_FOUND");
        assertProblem(api.patch("/api/v1/users/" + memberB.userId(), adminB.accessToken(),
                obj("roles", List.of(roleA), "version", 0)), 400, "UNKNOWN_ROLE");
        assertProblem(api.post("/api/v1/groups/" + groupB + "/members/" + adminA.userId(), adminB.accessToken(),
                null), 404, "USER_NOT_FOUND");
        assertProblem(api.post("/api/v1/users/" + adminA.userId() + "/permissions", adminB.accessToken(),
                obj("permission", "users:list", "effect", "allow")), 404, "USER_NOT_FOUND");
        assertProblem(api.get("/api/v1/users/" + adminA.userId() + "/permissions", adminB.accessToken()), 404,
                "USER_NOT_FOUND");
        assertProblem(api.get("/api/v1/access/explain?permission=users:list&user_id=" + adminA.userId(),
                adminB.accessToken()), 404, "USER_NOT_FOUND");
        // and A's role is intact
        assertThat(api.get("/api/v1/roles/" + roleA, adminA.accessToken()).json().path("name").asString())
                .isEqualTo("Only in A");
    }

    @Test
    void groupsGiveTheirMembersTheirRolesAndADirectDenyBeatsAGroupAllow() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session viewer = fixtures.userIn(tenant, "viewer");
        assertProblem(api.get("/api/v1/roles", viewer.accessToken()), 403, "FORBIDDEN");

        String auditors = createRole(admin, "Auditor", List.of("audit:read"));
        String group = createGroup(admin, "Operators");
        assertThat(api.post("/api/v1/groups/" + group + "/roles/member", admin.accessToken(), null).status())
                .isEqualTo(204);
        assertThat(api.post("/api/v1/groups/" + group + "/roles/" + auditors, admin.accessToken(), null).status())
                .isEqualTo(204);
        assertThat(api.post("/api/v1/groups/" + group + "/members/" + viewer.userId(), admin.accessToken(), null)
                .status()).isEqualTo(204);
        JsonNode details = api.get("/api/v1/groups/" + group, admin.accessToken()).json();
        assertThat(strings(details.path("members"))).containsExactly(viewer.userId().toString());
        JsonNode listedGroups = api.get("/api/v1/groups", admin.accessToken()).json().path("items");
        assertThat(listedGroups.size()).isEqualTo(1);
        assertThat(listedGroups.get(0).path("id").asString()).isEqualTo(group);
        Api.Response renamed = api.patch("/api/v1/groups/" + group, admin.accessToken(), obj("description",
                "Runs things", "version", 0));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().path("name").asString()).isEqualTo("Operators");
        assertThat(renamed.json().path("description").asString()).isEqualTo("Runs things");
        assertThat(renamed.json().path("version").asLong()).isEqualTo(1);
        assertProblem(api.patch("/api/v1/groups/" + group, admin.accessToken(), obj("name", "Stale", "version", 0)),
                409, "VERSION_CONFLICT");
        assertProblem(api.post("/api/v1/groups", admin.accessToken(), obj("name", "operators")), 409,
                "GROUP_NAME_TAKEN");
        assertThat(details.path("roles").findValuesAsString("id")).containsExactly("member", auditors);

        // union: the viewer's own role plus both of the group's
        assertThat(api.get("/api/v1/roles", viewer.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/audit-events", viewer.accessToken()).status()).isEqualTo(200);
        JsonNode mine = api.get("/api/v1/users/me/permissions", viewer.accessToken()).json();
        JsonNode rolesList = find(mine.path("items"), "roles:list");
        assertThat(rolesList.path("sources").get(0).path("kind").asString()).isEqualTo("group_role");
        assertThat(rolesList.path("sources").get(0).path("group_name").asString()).isEqualTo("Operators");
        assertThat(find(mine.path("items"), "users:list").path("sources").findValuesAsString("kind"))
                .containsExactlyInAnyOrder("role", "group_role");

        // a direct deny wins over the group's allow
        Api.Response denied = api.post("/api/v1/users/" + viewer.userId() + "/permissions", admin.accessToken(),
                obj("permission", "roles:list", "effect", "deny"));
        assertThat(denied.status()).as(denied.toString()).isEqualTo(201);
        assertThat(denied.json().path("effect").asString()).isEqualTo("deny");
        assertProblem(api.get("/api/v1/roles", viewer.accessToken()), 403, "FORBIDDEN");
        JsonNode why = explain(admin, viewer.userId(), "roles:list", null);
        assertThat(why.path("allowed").asBoolean()).isFalse();
        assertThat(why.path("decided_by").findValuesAsString("kind")).containsExactly("deny");
        assertThat(why.path("summary").asString()).contains("deny");
        JsonNode deniedMine = api.get("/api/v1/users/me/permissions", viewer.accessToken()).json();
        assertThat(find(deniedMine.path("denied"), "roles:list").path("sources").findValuesAsString("kind"))
                .containsExactly("deny");
        assertThat(deniedMine.path("items").findValuesAsString("permission")).doesNotContain("roles:list");

        assertThat(api.delete("/api/v1/users/" + viewer.userId() + "/permissions?permission=roles:list",
                admin.accessToken()).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/roles", viewer.accessToken()).status()).isEqualTo(200);
        assertProblem(api.delete("/api/v1/users/" + viewer.userId() + "/permissions?permission=roles:list",
                admin.accessToken()), 404, "GRANT_NOT_FOUND");

        assertThat(api.delete("/api/v1/groups/" + group + "/members/" + viewer.userId(), admin.accessToken())
                .status()).isEqualTo(204);
        assertProblem(api.get("/api/v1/roles", viewer.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.delete("/api/v1/groups/" + group + "/members/" + viewer.userId(), admin.accessToken()),
                404, "GROUP_MEMBER_NOT_FOUND");

        // deleting a role takes it out of groups; deleting the group takes its roles away
        assertThat(api.post("/api/v1/groups/" + group + "/members/" + viewer.userId(), admin.accessToken(), null)
                .status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/roles/" + auditors, admin.accessToken()).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/groups/" + group, admin.accessToken()).json().path("roles")
                .findValuesAsString("id")).containsExactly("member");
        assertProblem(api.get("/api/v1/audit-events", viewer.accessToken()), 403, "FORBIDDEN");
        assertThat(api.delete("/api/v1/groups/" + group, admin.accessToken()).status()).isEqualTo(204);
        assertProblem(api.get("/api/v1/roles", viewer.accessToken()), 403, "FORBIDDEN");
    }

    @Test
    void ownQualifierAllowsOnlyTheCallersOwnResources() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session dev = fixtures.userIn(tenant, "member");
        Session other = fixtures.userIn(tenant, "member");
        String role = createRole(admin, "Own deployments", List.of("deployments:delete:own", "deployments:list:own"));
        grantRole(admin, dev, role);

        assertThat(explain(dev, null, "deployments:delete", "owner=" + dev.userId()).path("allowed").asBoolean())
                .isTrue();
        assertThat(explain(dev, null, "deployments:delete", "owner=" + other.userId()).path("allowed").asBoolean())
                .isFalse();
        assertThat(explain(dev, null, "deployments:delete", null).path("allowed").asBoolean()).isFalse();
        assertThat(explain(dev, null, "deployments:delete:own", null).path("allowed").asBoolean()).isTrue();
        JsonNode why = explain(admin, dev.userId(), "deployments:delete", "owner=" + dev.userId());
        assertThat(strings(why.path("forms_checked"))).containsExactly("deployments:delete:own");
        assertThat(why.path("decided_by").get(0).path("pattern").asString()).isEqualTo("deployments:delete:own");
        assertThat(why.path("decided_by").get(0).path("id").asString()).isEqualTo(role);

        // the decision point answers the same for the principal
        var principal = new dev.canopy.platform.security.CanopyPrincipal(dev.userId(), dev.email(), tenant.id(),
                UUID.randomUUID(), decisions.permissionsOf(tenant.id(), dev.userId(), false), false);
        assertThat(decisions.allows(principal, Permissions.DEPLOYMENTS_DELETE, ResourceContext.ownedBy(dev.userId())))
                .isTrue();
        assertThat(decisions.allows(principal, Permissions.DEPLOYMENTS_DELETE,
                ResourceContext.ownedBy(other.userId()))).isFalse();
        assertThat(principal.can(Permissions.DEPLOYMENTS_DELETE)).isFalse();

        // the unqualified permission implies :own, and a deny of :own wins over it for own resources only
        grant(admin, dev, "deployments:delete", "allow");
        grant(admin, dev, "deployments:delete:own", "deny");
        assertThat(explain(dev, null, "deployments:delete", "owner=" + other.userId()).path("allowed").asBoolean())
                .isTrue();
        assertThat(explain(dev, null, "deployments:delete", "owner=" + dev.userId()).path("allowed").asBoolean())
                .isFalse();
        assertThat(decisions.allows(principal, Permissions.DEPLOYMENTS_DELETE, ResourceContext.ownedBy(dev.userId())))
                .isFalse();
    }

    @Test
    void environmentQualifiersLimitPermissionsToTheirEnvironment() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session dev = fixtures.userIn(tenant, "member");
        String role = createRole(admin, "Staging deployer", List.of("deployments:create:staging",
                "deployments:create:development"));
        grantRole(admin, dev, role);
        assertThat(allowed(dev, "deployments:create", "environment=staging")).isTrue();
        assertThat(allowed(dev, "deployments:create", "environment=development")).isTrue();
        assertThat(allowed(dev, "deployments:create", "environment=production")).isFalse();
        assertThat(allowed(dev, "deployments:create:production", null)).isFalse();
        assertThat(strings(api.get("/api/v1/auth/me", dev.accessToken()).json().path("permissions")))
                .contains("deployments:create:staging", "deployments:create:development")
                .doesNotContain("deployments:create", "deployments:create:production");

        // a wildcard role covers every action and environment; a deny of production alone wins there
        String all = createRole(admin, "All deployments", List.of("deployments:*"));
        grantRole(admin, dev, role, all);
        assertThat(allowed(dev, "deployments:create", "environment=production")).isTrue();
        assertThat(allowed(dev, "deployments:update", null)).isTrue();
        grant(admin, dev, "deployments:*:production", "deny");
        assertThat(allowed(dev, "deployments:create", "environment=production")).isFalse();
        assertThat(allowed(dev, "deployments:delete", "environment=production")).isFalse();
        assertThat(allowed(dev, "deployments:create", "environment=staging")).isTrue();
        // an environment the registry does not qualify falls back to the whole permission
        assertThat(allowed(dev, "deployments:create", "environment=qa")).isTrue();
        JsonNode why = explain(admin, dev.userId(), "deployments:create", "environment=production");
        assertThat(why.path("decided_by").get(0).path("kind").asString()).isEqualTo("deny");
        assertThat(why.path("decided_by").get(0).path("pattern").asString()).isEqualTo("deployments:*:production");
    }

    @Test
    void directGrantsAllowUntilTheyExpire() throws InterruptedException {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session viewer = fixtures.userIn(tenant, "viewer");
        assertProblem(api.get("/api/v1/roles", viewer.accessToken()), 403, "FORBIDDEN");
        Instant expires = Instant.now().plusSeconds(2);
        Api.Response granted = api.post("/api/v1/users/" + viewer.userId() + "/permissions", admin.accessToken(),
                obj("permission", "roles:list", "effect", "allow", "expires_at", expires.toString()));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        assertThat(api.get("/api/v1/roles", viewer.accessToken()).status()).isEqualTo(200);
        JsonNode listed = api.get("/api/v1/users/" + viewer.userId() + "/permissions", admin.accessToken()).json();
        assertThat(listed.path("items").get(0).path("permission").asString()).isEqualTo("roles:list");
        assertThat(listed.path("items").get(0).path("expired").asBoolean()).isFalse();
        assertThat(explain(admin, viewer.userId(), "roles:list", null).path("decided_by").get(0).path("kind")
                .asString()).isEqualTo("grant");

        while (Instant.now().isBefore(expires.plusMillis(200))) {
            Thread.sleep(100);
        }
        assertProblem(api.get("/api/v1/roles", viewer.accessToken()), 403, "FORBIDDEN");
        assertThat(api.get("/api/v1/users/" + viewer.userId() + "/permissions", admin.accessToken()).json()
                .path("items").get(0).path("expired").asBoolean()).isTrue();
    }

    @Test
    void grantsAreValidatedAndNobodyGivesWhatTheyDoNotHold() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session target = fixtures.userIn(tenant, "viewer");
        String path = "/api/v1/users/" + target.userId() + "/permissions";
        assertEachRejected(body -> api.send("POST", path, admin.accessToken(), body, Map.of()), List.of(
                new BadInput("{\"permission\": ", "MALFORMED_JSON", List.of()),
                new BadInput(Api.json(obj("permission", "users:list", "effect", "allow", "why", "x")),
                        "UNKNOWN_FIELD", List.of("why")),
                new BadInput(Api.json(obj("permission", 3, "effect", "allow")), "INVALID_TYPE", List.of("permission")),
                new BadInput(Api.json(obj("permission", "users:list", "effect", "allow", "expires_at", "soon")),
                        "INVALID_TYPE", List.of("expires_at")),
                new BadInput(Api.json(obj("effect", "allow")), "VALIDATION_FAILED", List.of("permission")),
                new BadInput(Api.json(obj("permission", "users:list")), "VALIDATION_FAILED", List.of("effect")),
                new BadInput(Api.json(obj("permission", "users:list", "effect", "maybe")), "VALIDATION_FAILED",
                        List.of("effect")),
                new BadInput(Api.json(obj("permission", "u".repeat(201), "effect", "allow")), "VALIDATION_FAILED",
                        List.of("permission")),
                new BadInput(Api.json(obj("permission", "users:fly", "effect", "allow")), "UNKNOWN_PERMISSION",
                        List.of("permission")),
                new BadInput(Api.json(obj("permission", "platform:tenants_enter", "effect", "allow")),
                        "PLATFORM_PERMISSION", List.of("permission")),
                new BadInput(Api.json(obj("permission", "users:list", "effect", "allow", "expires_at",
                        "2020-01-01T00:00:00Z")), "VALIDATION_FAILED", List.of("expires_at"))));
        assertProblem(api.delete(path, admin.accessToken()), 400, "VALIDATION_FAILED");
        assertProblem(api.post("/api/v1/users/" + UUID.randomUUID() + "/permissions", admin.accessToken(),
                obj("permission", "users:list", "effect", "deny")), 404, "USER_NOT_FOUND");

        // a member with permissions:grant and roles:create only gives what they hold
        String granter = createRole(admin, "Granter", List.of("permissions:grant", "roles:create", "users:list",
                "groups:manage", "groups:create"));
        Session delegate = fixtures.userIn(tenant, "viewer");
        grantRole(admin, delegate, granter);
        assertThat(api.post(path, delegate.accessToken(), obj("permission", "users:list", "effect", "allow"))
                .status()).isEqualTo(201);
        Api.Response escalation = api.post(path, delegate.accessToken(), obj("permission", "users:delete", "effect",
                "allow"));
        assertProblem(escalation, 403, "PERMISSION_ESCALATION");
        assertThat(escalation.json().path("detail").asString()).contains("users:delete");
        assertThat(api.post(path, delegate.accessToken(), obj("permission", "users:delete", "effect", "deny"))
                .status()).as("denying takes away, which needs no holding").isEqualTo(201);
        assertProblem(api.post("/api/v1/roles", delegate.accessToken(), obj("name", "Sneaky", "permissions",
                List.of("users:*"))), 403, "PERMISSION_ESCALATION");
        assertThat(api.post("/api/v1/roles", delegate.accessToken(), obj("name", "Modest", "permissions",
                List.of("users:list"))).status()).isEqualTo(201);
        String adminsGroup = createGroup(delegate, "Admins");
        assertProblem(api.post("/api/v1/groups/" + adminsGroup + "/roles/tenant_admin", delegate.accessToken(), null),
                403, "PERMISSION_ESCALATION");
        assertThat(api.post("/api/v1/groups/" + adminsGroup + "/roles/tenant_admin", admin.accessToken(), null)
                .status()).isEqualTo(204);
        assertProblem(api.post("/api/v1/groups/" + adminsGroup + "/members/" + delegate.userId(),
                delegate.accessToken(), null), 403, "PERMISSION_ESCALATION");
        // only members without permissions:explain or :grant cannot read others' grants or explanations
        Session plain = fixtures.userIn(tenant, "member");
        assertProblem(api.get(path, plain.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.get("/api/v1/access/explain?permission=users:list&user_id=" + target.userId(),
                plain.accessToken()), 403, "FORBIDDEN");
        assertThat(api.get("/api/v1/access/explain?permission=users:list", plain.accessToken()).json()
                .path("allowed").asBoolean()).isTrue();
    }

    @Test
    void explanationsNeedARegisteredPermissionAndAWellFormedResource() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        assertProblem(api.get("/api/v1/access/explain", admin.accessToken()), 400, "VALIDATION_FAILED");
        assertProblem(api.get("/api/v1/access/explain?permission=users:fly", admin.accessToken()), 400,
                "UNKNOWN_PERMISSION");
        assertProblem(api.get("/api/v1/access/explain?permission=users:list&resource=owner=nope",
                admin.accessToken()), 400, "VALIDATION_FAILED");
        assertProblem(api.get("/api/v1/access/explain?permission=users:list&resource=colour=red",
                admin.accessToken()), 400, "VALIDATION_FAILED");
        assertProblem(api.get("/api/v1/access/explain?permission=users:list&user_id=12",
                admin.accessToken()), 400, "VALIDATION_FAILED");
        JsonNode platform = api.get("/api/v1/access/explain?permission=tenants:delete",
                fixtures.switchTo(fixtures.platformAdmin(), tenant.id()).accessToken()).json();
        assertThat(platform.path("allowed").asBoolean()).isTrue();
        assertThat(platform.path("decided_by").findValuesAsString("kind")).contains("platform_admin");
        assertProblem(api.get("/api/v1/access/explain?permission=users:list", null), 401, "UNAUTHENTICATED");
    }

    @Test
    void roleChangesAreAudited() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Api.Response created = api.send("POST", "/api/v1/roles", admin.accessToken(),
                Api.json(obj("name", "Audited role", "permissions", List.of("users:list"))),
                Map.of("X-Request-Id", "audit-role-" + UUID.randomUUID()));
        assertThat(created.status()).isEqualTo(201);
        List<AuditLog.Event> events = AuditLog.ofRequest(scopes, jdbc, tenant.id(), created.header("X-Request-Id"));
        assertThat(events).hasSize(1);
        assertThat(events.getFirst().status()).isEqualTo("success");
        assertThat(events.getFirst().actorEmail()).isEqualTo(admin.email());
        assertThat(events.getFirst().resourceId()).isEqualTo(created.json().path("id").asString());
        assertThat(events.getFirst().details()).contains("users:list");
    }

    private boolean allowed(Session session, String permission, String resource) {
        return explain(session, null, permission, resource).path("allowed").asBoolean();
    }

    private JsonNode explain(Session by, UUID userId, String permission, String resource) {
        String query = "permission=" + permission + (userId == null ? "" : "&user_id=" + userId)
                + (resource == null ? "" : "&resource=" + resource);
        Api.Response response = api.get("/api/v1/access/explain?" + query, by.accessToken());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private String createRole(Session by, String name, List<String> permissions) {
        Api.Response response = api.post("/api/v1/roles", by.accessToken(), obj("name", name, "permissions",
                permissions));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().path("id").asString();
    }

    private String createGroup(Session by, String name) {
        Api.Response response = api.post("/api/v1/groups", by.accessToken(), obj("name", name));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().path("id").asString();
    }

    private void grantRole(Session admin, Session user, String... roles) {
        JsonNode current = api.get("/api/v1/users/" + user.userId(), admin.accessToken()).json();
        List<String> all = new ArrayList<>(strings(current.path("roles")));
        all.addAll(List.of(roles));
        Api.Response response = api.patch("/api/v1/users/" + user.userId(), admin.accessToken(),
                obj("roles", all, "version", current.path("version").asLong()));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    private void setRoles(Session admin, Session user, String... roles) {
        JsonNode current = api.get("/api/v1/users/" + user.userId(), admin.accessToken()).json();
        Api.Response response = api.patch("/api/v1/users/" + user.userId(), admin.accessToken(),
                obj("roles", List.of(roles), "version", current.path("version").asLong()));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    private void grant(Session admin, Session user, String permission, String effect) {
        Api.Response response = api.post("/api/v1/users/" + user.userId() + "/permissions", admin.accessToken(),
                obj("permission", permission, "effect", effect));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
    }

    private static JsonNode find(JsonNode items, String permission) {
        for (JsonNode item : items) {
            if (item.path("permission").asString().equals(permission)) {
                return item;
            }
        }
        throw new AssertionError(permission + " not in " + items);
    }
}
