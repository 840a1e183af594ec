package dev.canopy.support;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;

/** Builds tenants and users through the API, with names that never collide across tests. */
public class Fixtures {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    public static final String PASSWORD = "a-long-enough-password-42";

    private final Api api;

    public Fixtures(Api api) {
        this.api = api;
    }

    /** A signed-in user: their tokens and the tenant the tokens are for. */
    public record Session(UUID userId, String email, UUID tenantId, String accessToken, String refreshToken) {
    }

    /** A tenant as the API returned it. */
    public record TenantRef(UUID id, String slug, JsonNode json) {
    }

    public static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + "-" + SEQUENCE.incrementAndGet();
    }

    public Session platformAdmin() {
        return login(ApiTest.ADMIN_EMAIL, ApiTest.ADMIN_PASSWORD, null);
    }

    public Session login(String email, String password, UUID tenantId) {
        var body = tenantId == null ? obj("email", email, "password", password)
                : obj("email", email, "password", password, "tenant_id", tenantId.toString());
        Api.Response response = api.post("/api/v1/auth/login", null, body);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return session(response.json(), email);
    }

    public static Session session(JsonNode json, String email) {
        return new Session(UUID.fromString(json.path("user").path("id").asString()), email,
                UUID.fromString(json.path("tenant").path("id").asString()), json.path("access_token").asString(),
                json.path("refresh_token").asString());
    }

    /** A new top-level tenant created by the platform administrator. */
    public TenantRef tenant() {
        return tenant(platformAdmin(), null);
    }

    /** A new tenant created by the given session, optionally under a parent. */
    public TenantRef tenant(Session by, UUID parent) {
        String slug = unique("t");
        var body = parent == null ? obj("name", "Tenant " + slug, "slug", slug)
                : obj("name", "Tenant " + slug, "slug", slug, "parent_tenant_id", parent.toString());
        Api.Response response = api.post("/api/v1/tenants", by.accessToken(), body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return new TenantRef(UUID.fromString(response.json().path("id").asString()), slug, response.json());
    }

    /** A new user who is a member of the tenant with the roles, signed into it. */
    public Session userIn(TenantRef tenant, String... roles) {
        String email = unique("user") + "@example.com";
        addUser(tenant, email, roles);
        return login(email, PASSWORD, tenant.id());
    }

    /** Adds a user (new or existing by email) to the tenant, acting as the platform administrator. */
    public JsonNode addUser(TenantRef tenant, String email, String... roles) {
        Session admin = switchTo(platformAdmin(), tenant.id());
        Api.Response response = api.post("/api/v1/users", admin.accessToken(),
                obj("email", email, "full_name", "User " + email, "password", PASSWORD, "roles", List.of(roles)));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    public Session switchTo(Session session, UUID tenantId) {
        Api.Response response = api.post("/api/v1/auth/switch-tenant", session.accessToken(),
                obj("tenant_id", tenantId.toString()));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return session(response.json(), session.email());
    }
}
