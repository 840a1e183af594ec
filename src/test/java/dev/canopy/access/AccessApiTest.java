package dev.canopy.access;

import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/permissions} and {@code /api/v1/roles}: the registry and the built-in roles, read-only. */
class AccessApiTest extends ApiTest {

    /** Every permission Canopy checks, with its category and level. */
    private static final Map<String, List<String>> REGISTRY = registry();

    private static final List<String> TENANT_LEVEL = List.of("tenants:read", "tenants:update", "tenants:create",
            "tenants:delete", "access_grants:list", "access_grants:create", "access_grants:revoke", "users:list",
            "users:read", "users:create", "users:update", "users:delete", "roles:list",
            "roles:read", "roles:create", "roles:update", "roles:delete", "groups:list", "groups:read",
            "groups:create", "groups:update", "groups:delete", "groups:manage", "permissions:list",
            "permissions:grant", "permissions:explain", "deployments:list", "deployments:read",
            "deployments:create", "deployments:update", "deployments:delete", "environments:list",
            "environments:manage", "business_units:list",
            "business_units:read", "business_units:create", "business_units:update", "business_units:delete",
            "business_units:manage_members", "api_keys:list", "api_keys:create",
            "api_keys:delete", "audit:read", "cloud_accounts:list", "cloud_accounts:read", "cloud_accounts:create",
            "cloud_accounts:update", "cloud_accounts:delete", "cloud_accounts:test", "sso:manage", "templates:list",
            "templates:read", "templates:create", "templates:update", "templates:delete", "templates:manage");

    private static Map<String, List<String>> registry() {
        var registry = new LinkedHashMap<String, List<String>>();
        for (String p : List.of("tenants:read", "tenants:update", "tenants:create", "tenants:delete",
                "access_grants:list", "access_grants:create", "access_grants:revoke")) {
            registry.put(p, List.of("Tenant Management", "tenant"));
        }
        for (String p : List.of("users:list", "users:read", "users:create", "users:update", "users:delete")) {
            registry.put(p, List.of("User Management", "tenant"));
        }
        for (String p : List.of("roles:list", "roles:read", "roles:create", "roles:update", "roles:delete")) {
            registry.put(p, List.of("Role Management", "tenant"));
        }
        for (String p : List.of("groups:list", "groups:read", "groups:create", "groups:update", "groups:delete",
                "groups:manage")) {
            registry.put(p, List.of("Group Management", "tenant"));
        }
        for (String p : List.of("permissions:list", "permissions:grant", "permissions:explain")) {
            registry.put(p, List.of("Permission Management", "tenant"));
        }
        for (String p : List.of("deployments:list", "deployments:read", "deployments:create", "deployments:update",
                "deployments:delete")) {
            registry.put(p, List.of("Deployment Management", "tenant"));
        }
        for (String p : List.of("business_units:list", "business_units:read", "business_units:create",
                "business_units:update", "business_units:delete", "business_units:manage_members")) {
            registry.put(p, List.of("Business Unit Management", "tenant"));
        }
        for (String p : List.of("api_keys:list", "api_keys:create", "api_keys:delete")) {
            registry.put(p, List.of("API Key Management", "tenant"));
        }
        registry.put("audit:read", List.of("Audit", "tenant"));
        for (String p : List.of("cloud_accounts:list", "cloud_accounts:read", "cloud_accounts:create",
                "cloud_accounts:update", "cloud_accounts:delete", "cloud_accounts:test")) {
            registry.put(p, List.of("Cloud Accounts", "tenant"));
        }
        registry.put("sso:manage", List.of("Single Sign-On", "tenant"));
        registry.put("environments:list", List.of("Deployment Management", "tenant"));
        registry.put("environments:manage", List.of("Deployment Management", "tenant"));
        for (String p : List.of("templates:list", "templates:read", "templates:create", "templates:update",
                "templates:delete", "templates:manage")) {
            registry.put(p, List.of("Template Catalog", "tenant"));
        }
        registry.put("platform:tenants_manage", List.of("Platform Administration", "platform"));
        registry.put("platform:tenants_enter", List.of("Platform Administration", "platform"));
        registry.put("platform:keys_manage", List.of("Platform Administration", "platform"));
        registry.put("platform:databases_manage", List.of("Platform Administration", "platform"));
        return registry;
    }

    @Test
    void listsEveryPermissionWithItsDescriptionCategoryAndLevel() {
        TenantRef tenant = fixtures.tenant();
        for (String role : List.of("tenant_admin", "member")) {
            Session user = fixtures.userIn(tenant, role);
            Api.Response response = api.get("/api/v1/permissions", user.accessToken());
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.header("Content-Type")).startsWith("application/json");
            JsonNode json = response.json();
            assertThat(Set.copyOf(json.propertyNames())).isEqualTo(Set.of("items", "categories"));

            Map<String, List<String>> listed = new LinkedHashMap<>();
            for (JsonNode item : json.path("items")) {
                assertThat(Set.copyOf(item.propertyNames())).isEqualTo(Set.of("name", "description", "category",
                        "level", "qualifiers"));
                assertThat(item.path("name").asString()).matches("[a-z_]+:[a-z_]+(:[a-z_]+)?");
                assertThat(item.path("description").asString()).isNotBlank();
                assertThat(listed.put(item.path("name").asString(), List.of(item.path("category").asString(),
                        item.path("level").asString()))).as("listed once").isNull();
            }
            assertThat(listed).containsExactlyInAnyOrderEntriesOf(REGISTRY);

            // the categories group exactly the listed permissions, each category once
            Map<String, String> grouped = new HashMap<>();
            List<String> categories = new ArrayList<>();
            for (JsonNode category : json.path("categories")) {
                assertThat(Set.copyOf(category.propertyNames())).isEqualTo(Set.of("name", "permissions"));
                String name = category.path("name").asString();
                categories.add(name);
                assertThat(category.path("permissions").size()).isPositive();
                for (JsonNode p : category.path("permissions")) {
                    assertThat(p.path("category").asString()).isEqualTo(name);
                    assertThat(grouped.put(p.path("name").asString(), name)).isNull();
                    assertThat(p).isIn(json.path("items").values());
                }
            }
            assertThat(categories).containsExactly("Tenant Management", "User Management", "Role Management",
                    "Group Management", "Permission Management", "Deployment Management", "Business Unit Management",
                    "API Key Management",
                    "Audit", "Cloud Accounts", "Single Sign-On", "Template Catalog", "Platform Administration");
            assertThat(grouped.keySet()).isEqualTo(listed.keySet());
        }
    }

    @Test
    void listsTheBuiltInRolesWithTheirPermissions() {
        TenantRef tenant = fixtures.tenant();
        Session member = fixtures.userIn(tenant, "member");
        Api.Response response = api.get("/api/v1/roles", member.accessToken());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode json = response.json();
        assertThat(json.path("next_cursor").isNull()).isTrue();

        Map<String, JsonNode> roles = new LinkedHashMap<>();
        for (JsonNode role : json.path("items")) {
            assertThat(Set.copyOf(role.propertyNames())).isEqualTo(Set.of("id", "name", "description", "level",
                    "built_in", "permissions", "version", "created_at", "updated_at"));
            assertThat(role.path("name").asString()).isNotBlank();
            assertThat(role.path("description").asString()).isNotBlank();
            assertThat(role.path("built_in").asBoolean()).isTrue();
            strings(role.path("permissions")).forEach(p -> assertThat(REGISTRY).containsKey(p));
            roles.put(role.path("id").asString(), role);
        }
        assertThat(roles.keySet()).containsExactly("platform_admin", "tenant_admin", "member", "viewer");
        assertThat(roles.get("platform_admin").path("level").asString()).isEqualTo("platform");
        assertThat(strings(roles.get("platform_admin").path("permissions")))
                .containsExactlyInAnyOrderElementsOf(REGISTRY.keySet());
        assertThat(roles.get("tenant_admin").path("level").asString()).isEqualTo("tenant");
        assertThat(strings(roles.get("tenant_admin").path("permissions")))
                .containsExactlyInAnyOrderElementsOf(TENANT_LEVEL);
        assertThat(strings(roles.get("member").path("permissions"))).containsExactlyInAnyOrder("tenants:read",
                "users:list", "users:read", "roles:list", "permissions:list", "cloud_accounts:list",
                "cloud_accounts:read", "cloud_accounts:test", "templates:list", "templates:read", "environments:list",
                "deployments:list", "deployments:read");
        assertThat(strings(roles.get("viewer").path("permissions"))).containsExactlyInAnyOrder("tenants:read",
                "users:list", "users:read", "cloud_accounts:list", "cloud_accounts:read", "templates:list",
                "templates:read", "environments:list", "deployments:list", "deployments:read");
    }

    @Test
    void aMembersEffectivePermissionsAreThoseOfTheirRoles() {
        TenantRef tenant = fixtures.tenant();
        Session reader = fixtures.userIn(tenant, "tenant_admin");
        JsonNode roles = api.get("/api/v1/roles", reader.accessToken()).json().path("items");
        for (String role : List.of("tenant_admin", "member", "viewer")) {
            Session user = fixtures.userIn(tenant, role);
            List<String> expected = new ArrayList<>();
            roles.forEach(r -> {
                if (r.path("id").asString().equals(role)) {
                    expected.addAll(strings(r.path("permissions")));
                }
            });
            JsonNode me = api.get("/api/v1/auth/me", user.accessToken()).json();
            assertThat(strings(me.path("permissions"))).as(role).containsExactlyInAnyOrderElementsOf(expected);
        }
        Session both = fixtures.userIn(tenant, "viewer", "member");
        assertThat(strings(api.get("/api/v1/auth/me", both.accessToken()).json().path("permissions")))
                .containsExactlyInAnyOrder("tenants:read", "users:list", "users:read", "roles:list",
                        "permissions:list", "cloud_accounts:list", "cloud_accounts:read", "cloud_accounts:test",
                        "templates:list", "templates:read", "environments:list", "deployments:list",
                        "deployments:read");
        Session platform = fixtures.platformAdmin();
        assertThat(strings(api.get("/api/v1/auth/me", platform.accessToken()).json().path("permissions")))
                .containsExactlyInAnyOrderElementsOf(REGISTRY.keySet());
    }

    @Test
    void viewersMayNotListPermissionsOrRoles() {
        TenantRef tenant = fixtures.tenant();
        Session viewer = fixtures.userIn(tenant, "viewer");
        assertProblem(api.get("/api/v1/permissions", viewer.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.get("/api/v1/roles", viewer.accessToken()), 403, "FORBIDDEN");
        Api.Response traced = api.send("GET", "/api/v1/roles", viewer.accessToken(), null,
                Map.of("X-Request-Id", "trace-roles-7"));
        assertProblem(traced, 403, "FORBIDDEN");
        assertThat(traced.json().path("request_id").asString()).isEqualTo("trace-roles-7");
        assertThat(traced.json().path("detail").asString()).contains("roles:list");
    }

    @Test
    void theCatalogIsReadOnlyAndNeedsSigningIn() {
        assertProblem(api.get("/api/v1/permissions", null), 401, "UNAUTHENTICATED");
        assertProblem(api.get("/api/v1/roles", null), 401, "UNAUTHENTICATED");
        Session admin = fixtures.platformAdmin();
        assertThat(api.get("/api/v1/permissions", admin.accessToken()).status()).isEqualTo(200);
        assertProblem(api.delete("/api/v1/permissions", admin.accessToken()), 405, "METHOD_NOT_ALLOWED");
    }
}
