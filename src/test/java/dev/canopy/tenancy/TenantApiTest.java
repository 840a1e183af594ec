package dev.canopy.tenancy;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.assertProblemShape;
import static dev.canopy.support.ApiAssertions.errorFields;
import static dev.canopy.support.ApiAssertions.ids;
import static dev.canopy.support.ApiAssertions.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/tenants} over real HTTP: shape, visibility, the MSP rules, soft delete, versions, bad input. */
class TenantApiTest extends ApiTest {

    private static final String TENANTS = "/api/v1/tenants";
    private static final Set<String> TENANT_FIELDS = Set.of("id", "name", "slug", "status", "parent_tenant_id",
            "region", "created_at", "updated_at", "version", "settings", "placement");

    // --- shape -------------------------------------------------------------------------------------------

    @Test
    void platformAdminCreatesTopLevelTenantWithFullRepresentation() {
        Session admin = fixtures.platformAdmin();
        String slug = Fixtures.unique("shape");
        Instant before = Instant.now().minusSeconds(5);

        Api.Response created = api.post(TENANTS, admin.accessToken(),
                obj("name", "  Shape Corp  ", "slug", slug, "region", "eu-west"));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Content-Type")).startsWith("application/json");
        JsonNode json = created.json();
        assertThat(Set.copyOf(json.propertyNames())).isEqualTo(TENANT_FIELDS);
        UUID id = UUID.fromString(json.path("id").asString());
        assertThat(id.version()).as("UUIDv7").isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(json.path("name").asString()).isEqualTo("Shape Corp");
        assertThat(json.path("slug").asString()).isEqualTo(slug);
        assertThat(json.path("status").asString()).isEqualTo("active");
        assertThat(json.path("parent_tenant_id").isNull()).isTrue();
        assertThat(json.path("region").asString()).isEqualTo("eu-west");
        assertThat(json.path("version").isIntegralNumber()).isTrue();
        assertThat(json.path("version").asLong()).isZero();
        assertThat(Set.copyOf(json.path("settings").propertyNames())).isEqualTo(Set.of("mfa_required", "audit_retention_days"));
        assertThat(json.path("settings").path("audit_retention_days").asInt()).isEqualTo(365);
        Instant createdAt = Instant.parse(json.path("created_at").asString());
        Instant updatedAt = Instant.parse(json.path("updated_at").asString());
        assertThat(createdAt).isAfter(before).isBefore(Instant.now().plusSeconds(5));
        assertThat(updatedAt).isAfterOrEqualTo(createdAt);

        String location = created.header("Location");
        assertThat(location).endsWith(TENANTS + "/" + id);
        Api.Response fetched = api.get(TENANTS + "/" + id, admin.accessToken());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json()).isEqualTo(json);
    }

    @Test
    void platformAdminCreatesClientsUnderAnyLiveTenantButNotUnderUnknownOrDeletedOnes() {
        Session admin = fixtures.platformAdmin();
        TenantRef parent = fixtures.tenant();

        TenantRef client = fixtures.tenant(admin, parent.id());
        assertThat(client.json().path("parent_tenant_id").asString()).isEqualTo(parent.id().toString());

        String slug = Fixtures.unique("orphan");
        Api.Response unknown = api.post(TENANTS, admin.accessToken(),
                obj("name", "Orphan", "slug", slug, "parent_tenant_id", UUID.randomUUID().toString()));
        assertProblem(unknown, 400, "VALIDATION_FAILED");
        assertThat(errorFields(unknown)).containsExactly("parent_tenant_id");
        assertThat(search(admin, slug)).isEmpty();

        TenantRef doomed = fixtures.tenant();
        assertThat(api.delete(TENANTS + "/" + doomed.id(), admin.accessToken()).status()).isEqualTo(204);
        Api.Response underDeleted = api.post(TENANTS, admin.accessToken(),
                obj("name", "Orphan", "slug", slug, "parent_tenant_id", doomed.id().toString()));
        assertProblem(underDeleted, 400, "VALIDATION_FAILED");
        assertThat(search(admin, slug)).isEmpty();
    }

    @Test
    void anonymousCallersAreRefused() {
        assertProblem(api.get(TENANTS, null), 401, "UNAUTHENTICATED");
        assertProblem(api.post(TENANTS, null, obj("name", "x", "slug", Fixtures.unique("anon"))), 401,
                "UNAUTHENTICATED");
        assertProblem(api.get(TENANTS, "not-a-jwt"), 401, "TOKEN_INVALID");
    }

    // --- platform admin listing --------------------------------------------------------------------------

    @Test
    void platformAdminPagesThroughClientsInIdOrder() {
        Session admin = fixtures.platformAdmin();
        TenantRef parent = fixtures.tenant();
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(fixtures.tenant(admin, parent.id()).id());
        }

        List<UUID> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String query = "?parent_tenant_id=" + parent.id() + "&limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor);
            Api.Response page = api.get(TENANTS + query, admin.accessToken());
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            assertThat(Set.copyOf(page.json().propertyNames())).isEqualTo(Set.of("items", "next_cursor"));
            JsonNode items = page.json().path("items");
            assertThat(items.size()).isLessThanOrEqualTo(2);
            items.forEach(item -> {
                assertThat(Set.copyOf(item.propertyNames())).isEqualTo(TENANT_FIELDS);
                seen.add(UUID.fromString(item.path("id").asString()));
            });
            JsonNode next = page.json().path("next_cursor");
            cursor = next.isNull() ? null : next.asString();
            pages++;
        }
        while (cursor != null && pages < 10);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(created.stream().sorted().toList());
        assertThat(new HashSet<>(seen)).hasSize(5);

        // a page that exactly fills the limit has no next cursor
        Api.Response all = api.get(TENANTS + "?parent_tenant_id=" + parent.id() + "&limit=5", admin.accessToken());
        assertThat(all.json().path("items").size()).isEqualTo(5);
        assertThat(all.json().path("next_cursor").isNull()).isTrue();
    }

    @Test
    void platformAdminFiltersByStatusParentAndSearch() {
        Session admin = fixtures.platformAdmin();
        TenantRef parent = fixtures.tenant();
        String token = Fixtures.unique("zq");
        UUID alpha = createTenant(admin, "Alpha " + token, Fixtures.unique("alpha"), parent.id());
        UUID beta = createTenant(admin, "Beta 100% " + token, Fixtures.unique("beta"), parent.id());
        UUID gamma = createTenant(admin, "Gamma_x " + token, Fixtures.unique("gamma"), parent.id());
        JsonNode betaJson = api.get(TENANTS + "/" + beta, admin.accessToken()).json();
        assertThat(patch(admin, beta, obj("status", "suspended", "version", betaJson.path("version").asLong()))
                .status()).isEqualTo(200);

        String byParent = TENANTS + "?parent_tenant_id=" + parent.id();
        assertThat(ids(api.get(byParent, admin.accessToken()))).containsExactlyInAnyOrder(alpha, beta, gamma);
        assertThat(ids(api.get(byParent + "&status=suspended", admin.accessToken()))).containsExactly(beta);
        assertThat(ids(api.get(byParent + "&status=active", admin.accessToken()))).containsExactlyInAnyOrder(alpha,
                gamma);
        // search is case-insensitive, over name and slug, and treats % and _ literally
        assertThat(ids(api.get(TENANTS + "?search=" + token.toUpperCase(), admin.accessToken())))
                .containsExactlyInAnyOrder(alpha, beta, gamma);
        assertThat(ids(api.get(byParent + "&search=ALPHA", admin.accessToken()))).containsExactly(alpha);
        assertThat(ids(api.get(byParent + "&search=%25", admin.accessToken()))).containsExactly(beta);
        assertThat(ids(api.get(byParent + "&search=_", admin.accessToken()))).containsExactly(gamma);
        String gammaSlug = api.get(TENANTS + "/" + gamma, admin.accessToken()).json().path("slug").asString();
        assertThat(ids(api.get(TENANTS + "?search=" + gammaSlug, admin.accessToken()))).containsExactly(gamma);
        assertThat(ids(api.get(byParent + "&search=%20%20", admin.accessToken()))).containsExactlyInAnyOrder(alpha,
                beta, gamma);
        assertThat(ids(api.get(byParent + "&search=" + Fixtures.unique("nothing"), admin.accessToken()))).isEmpty();
        // the parent filter only lists direct clients
        assertThat(ids(api.get(TENANTS + "?parent_tenant_id=" + alpha, admin.accessToken()))).isEmpty();
    }

    @Test
    void listRejectsBadPagingAndFilterParameters() {
        Session admin = fixtures.platformAdmin();
        for (String query : List.of("?limit=0", "?limit=201", "?limit=-1", "?cursor=!!!not-a-cursor",
                "?cursor=YWJj", "?status=bogus", "?status=DELETED", "?search=" + "x".repeat(201))) {
            Api.Response response = api.get(TENANTS + query, admin.accessToken());
            assertProblem(response, 400, "VALIDATION_FAILED");
            assertThat(errorFields(response)).as(query).isNotEmpty();
        }
        assertThat(errorFields(api.get(TENANTS + "?limit=0", admin.accessToken()))).containsExactly("limit");
        assertThat(errorFields(api.get(TENANTS + "?cursor=YWJj", admin.accessToken()))).containsExactly("cursor");
        assertThat(errorFields(api.get(TENANTS + "?status=bogus", admin.accessToken()))).containsExactly("status");
        for (String query : List.of("?limit=abc", "?limit=1.5", "?parent_tenant_id=not-a-uuid")) {
            Api.Response response = api.get(TENANTS + query, admin.accessToken());
            assertThat(response.status()).as(query + " " + response).isEqualTo(400);
            assertProblemShape(response);
        }
        assertProblem(api.get(TENANTS + "?search=a%00b", admin.accessToken()), 400, "INVALID_VALUE");
        assertThat(api.get(TENANTS + "?limit=200", admin.accessToken()).status()).isEqualTo(200);
        assertThat(api.get(TENANTS + "?limit=1", admin.accessToken()).status()).isEqualTo(200);
    }

    // --- MSP administrators ------------------------------------------------------------------------------

    @Test
    void mspAdminCreatesClientsUnderItsCurrentTenantAndAdministersThem() {
        TenantRef msp = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");

        String slug = Fixtures.unique("client");
        Api.Response created = api.post(TENANTS, mspAdmin.accessToken(), obj("name", "Client One", "slug", slug));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Location")).endsWith(TENANTS + "/" + created.json().path("id").asString());
        UUID client = UUID.fromString(created.json().path("id").asString());
        assertThat(created.json().path("parent_tenant_id").asString()).isEqualTo(msp.id().toString());
        assertThat(created.json().path("status").asString()).isEqualTo("active");

        // naming its own tenant as the parent explicitly is the same thing
        TenantRef explicit = fixtures.tenant(mspAdmin, msp.id());
        assertThat(explicit.json().path("parent_tenant_id").asString()).isEqualTo(msp.id().toString());

        // the creator became a tenant_admin member of the client
        JsonNode me = api.get("/api/v1/auth/me", mspAdmin.accessToken()).json();
        JsonNode membership = membershipOf(me, client);
        assertThat(membership).isNotNull();
        assertThat(strings(membership.path("roles"))).containsExactly("tenant_admin");
        assertThat(membership.path("is_primary").asBoolean()).isFalse();
        assertThat(membershipOf(me, msp.id()).path("is_primary").asBoolean()).isTrue();
        Session inClient = fixtures.login(mspAdmin.email(), Fixtures.PASSWORD, client);
        Api.Response users = api.get("/api/v1/users", inClient.accessToken());
        assertThat(users.status()).isEqualTo(200);
        assertThat(ids(users)).containsExactly(mspAdmin.userId());

        // the MSP admin lists its own tenant and its clients, and manages them
        assertThat(ids(api.get(TENANTS, mspAdmin.accessToken()))).containsExactlyInAnyOrder(msp.id(), client,
                explicit.id());
        assertThat(ids(api.get(TENANTS + "?parent_tenant_id=" + msp.id(), mspAdmin.accessToken())))
                .containsExactlyInAnyOrder(client, explicit.id());
        Api.Response renamed = patch(mspAdmin, client, obj("name", "Client Renamed", "version", 0));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().path("name").asString()).isEqualTo("Client Renamed");
        assertThat(renamed.json().path("version").asLong()).isEqualTo(1);
        Api.Response suspended = patch(mspAdmin, client, obj("status", "suspended", "version", 1));
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
        assertThat(suspended.json().path("status").asString()).isEqualTo("suspended");
        assertThat(suspended.json().path("name").asString()).isEqualTo("Client Renamed");
        Api.Response reactivated = patch(mspAdmin, client, obj("status", "active", "version", 2));
        assertThat(reactivated.json().path("status").asString()).isEqualTo("active");
        assertThat(api.delete(TENANTS + "/" + explicit.id(), mspAdmin.accessToken()).status()).isEqualTo(204);
        assertThat(ids(api.get(TENANTS, mspAdmin.accessToken()))).containsExactlyInAnyOrder(msp.id(), client);
    }

    @Test
    void everyAdminOfTheMspSeesItsClientsEvenWithoutMembership() {
        TenantRef msp = fixtures.tenant();
        Session creator = fixtures.userIn(msp, "tenant_admin");
        Session colleague = fixtures.userIn(msp, "tenant_admin");
        TenantRef client = fixtures.tenant(creator, null);

        assertThat(ids(api.get(TENANTS, colleague.accessToken()))).containsExactlyInAnyOrder(msp.id(), client.id());
        assertThat(api.get(TENANTS + "/" + client.id(), colleague.accessToken()).status()).isEqualTo(200);
        Api.Response suspended = patch(colleague, client.id(), obj("status", "suspended", "version", 0));
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
    }

    @Test
    void mspAdminCannotSeeOrTouchAnotherMspsClientsAndLearnsNothingAboutThem() {
        TenantRef msp = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");
        TenantRef ownClient = fixtures.tenant(mspAdmin, null);
        TenantRef otherMsp = fixtures.tenant();
        Session otherAdmin = fixtures.userIn(otherMsp, "tenant_admin");
        TenantRef otherClient = fixtures.tenant(otherAdmin, null);
        Session admin = fixtures.platformAdmin();

        assertThat(ids(api.get(TENANTS, mspAdmin.accessToken()))).containsExactlyInAnyOrder(msp.id(), ownClient.id())
                .doesNotContain(otherClient.id(), otherMsp.id());
        assertThat(ids(api.get(TENANTS + "?parent_tenant_id=" + otherMsp.id(), mspAdmin.accessToken()))).isEmpty();
        assertThat(ids(api.get(TENANTS + "?search=" + otherClient.slug(), mspAdmin.accessToken()))).isEmpty();

        Api.Response hidden = api.get(TENANTS + "/" + otherClient.id(), mspAdmin.accessToken());
        Api.Response missing = api.get(TENANTS + "/" + UUID.randomUUID(), mspAdmin.accessToken());
        assertProblem(hidden, 404, "TENANT_NOT_FOUND");
        assertProblem(missing, 404, "TENANT_NOT_FOUND");
        assertThat(hidden.json().path("detail")).isEqualTo(missing.json().path("detail"));
        assertThat(hidden.json().path("title")).isEqualTo(missing.json().path("title"));
        assertProblem(api.get(TENANTS + "/" + otherMsp.id(), mspAdmin.accessToken()), 404, "TENANT_NOT_FOUND");

        assertProblem(patch(mspAdmin, otherClient.id(), obj("name", "Hijacked", "version", 0)), 404,
                "TENANT_NOT_FOUND");
        assertProblem(patch(mspAdmin, otherClient.id(), obj("status", "suspended", "version", 0)), 404,
                "TENANT_NOT_FOUND");
        assertProblem(api.delete(TENANTS + "/" + otherClient.id(), mspAdmin.accessToken()), 404, "TENANT_NOT_FOUND");
        assertProblem(api.delete(TENANTS + "/" + UUID.randomUUID(), mspAdmin.accessToken()), 404,
                "TENANT_NOT_FOUND");

        JsonNode after = api.get(TENANTS + "/" + otherClient.id(), admin.accessToken()).json();
        assertThat(after).isEqualTo(otherClient.json());
    }

    @Test
    void mspAdminCannotCreateTopLevelTenantsOrClientsOfAnotherParent() {
        TenantRef msp = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");
        TenantRef ownClient = fixtures.tenant(mspAdmin, null);
        TenantRef otherMsp = fixtures.tenant();
        Session admin = fixtures.platformAdmin();

        for (UUID parent : List.of(otherMsp.id(), ownClient.id(), UUID.randomUUID())) {
            String slug = Fixtures.unique("foreign");
            Api.Response response = api.post(TENANTS, mspAdmin.accessToken(),
                    obj("name", "Foreign", "slug", slug, "parent_tenant_id", parent.toString()));
            assertProblem(response, 403, "FORBIDDEN");
            assertThat(search(admin, slug)).as("nothing was created").isEmpty();
        }
        // without a parent the tenant is a client of the MSP, never a top-level tenant
        TenantRef defaulted = fixtures.tenant(mspAdmin, null);
        assertThat(defaulted.json().path("parent_tenant_id").isNull()).isFalse();
        assertThat(defaulted.json().path("parent_tenant_id").asString()).isEqualTo(msp.id().toString());
    }

    @Test
    void mspAdminCannotChangeItsOwnTenantsStatusOrDeleteIt() {
        TenantRef msp = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");

        assertProblem(patch(mspAdmin, msp.id(), obj("status", "suspended", "version", 0)), 403, "FORBIDDEN");
        assertProblem(api.delete(TENANTS + "/" + msp.id(), mspAdmin.accessToken()), 403, "FORBIDDEN");
        JsonNode after = api.get(TENANTS + "/" + msp.id(), mspAdmin.accessToken()).json();
        assertThat(after.path("status").asString()).isEqualTo("active");
        assertThat(after.path("version").asLong()).isZero();
    }

    // --- members and viewers -----------------------------------------------------------------------------

    @Test
    void membersAndViewersSeeOnlyTheTenantsTheyBelongTo() {
        TenantRef first = fixtures.tenant();
        TenantRef second = fixtures.tenant();
        TenantRef stranger = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(first, "tenant_admin");
        TenantRef clientOfFirst = fixtures.tenant(mspAdmin, null);

        for (String role : List.of("member", "viewer")) {
            Session user = fixtures.userIn(first, role);
            fixtures.addUser(second, user.email(), role);

            assertThat(ids(api.get(TENANTS, user.accessToken()))).as(role)
                    .containsExactlyInAnyOrder(first.id(), second.id());
            assertThat(ids(api.get(TENANTS + "?limit=1", user.accessToken()))).hasSize(1);
            assertThat(api.get(TENANTS + "/" + first.id(), user.accessToken()).status()).isEqualTo(200);
            assertThat(api.get(TENANTS + "/" + second.id(), user.accessToken()).status()).isEqualTo(200);
            assertProblem(api.get(TENANTS + "/" + stranger.id(), user.accessToken()), 404, "TENANT_NOT_FOUND");
            // a client of their tenant is not theirs to see
            assertProblem(api.get(TENANTS + "/" + clientOfFirst.id(), user.accessToken()), 404, "TENANT_NOT_FOUND");
            assertThat(ids(api.get(TENANTS + "?parent_tenant_id=" + first.id(), user.accessToken()))).isEmpty();
            // asking for deleted ones does not widen anything
            assertThat(ids(api.get(TENANTS + "?status=deleted", user.accessToken()))).isEmpty();
        }
    }

    @Test
    void membersAndViewersCannotCreateChangeOrDeleteTenants() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.platformAdmin();
        for (String role : List.of("member", "viewer")) {
            Session user = fixtures.userIn(tenant, role);
            String slug = Fixtures.unique("denied");
            assertProblem(api.post(TENANTS, user.accessToken(), obj("name", "Nope", "slug", slug)), 403, "FORBIDDEN");
            assertProblem(api.post(TENANTS, user.accessToken(),
                    obj("name", "Nope", "slug", slug, "parent_tenant_id", tenant.id().toString())), 403, "FORBIDDEN");
            assertThat(search(admin, slug)).isEmpty();
            assertProblem(patch(user, tenant.id(), obj("name", "Mine now", "version", 0)), 403, "FORBIDDEN");
            assertProblem(patch(user, tenant.id(), obj("status", "suspended", "version", 0)), 403, "FORBIDDEN");
            assertProblem(api.delete(TENANTS + "/" + tenant.id(), user.accessToken()), 403, "FORBIDDEN");
        }
        JsonNode after = api.get(TENANTS + "/" + tenant.id(), admin.accessToken()).json();
        assertThat(after).isEqualTo(tenant.json());
    }

    // --- the tenant's own administrator ------------------------------------------------------------------

    @Test
    void ownAdminRenamesTheTenantButOnlyItsMspOrAPlatformAdminChangesItsStatus() {
        TenantRef msp = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");
        TenantRef client = fixtures.tenant(mspAdmin, null);
        Session clientAdmin = fixtures.userIn(client, "tenant_admin");

        Api.Response renamed = patch(clientAdmin, client.id(), obj("name", "Our Own Name", "region", "us-east",
                "version", 0));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().path("name").asString()).isEqualTo("Our Own Name");
        assertThat(renamed.json().path("region").asString()).isEqualTo("us-east");
        assertThat(renamed.json().path("slug").asString()).isEqualTo(client.slug());
        assertThat(renamed.json().path("version").asLong()).isEqualTo(1);
        assertThat(Instant.parse(renamed.json().path("updated_at").asString()))
                .isAfterOrEqualTo(Instant.parse(client.json().path("updated_at").asString()));
        assertThat(renamed.json().path("created_at")).isEqualTo(client.json().path("created_at"));

        for (String status : List.of("suspended", "active")) {
            assertProblem(patch(clientAdmin, client.id(), obj("status", status, "version", 1)), 403, "FORBIDDEN");
            assertProblem(patch(clientAdmin, client.id(), obj("name", "Sneaky", "status", status, "version", 1)),
                    403, "FORBIDDEN");
        }
        assertProblem(api.delete(TENANTS + "/" + client.id(), clientAdmin.accessToken()), 403, "FORBIDDEN");
        JsonNode unchanged = api.get(TENANTS + "/" + client.id(), clientAdmin.accessToken()).json();
        assertThat(unchanged).isEqualTo(renamed.json());

        // the client's admin cannot touch its MSP
        assertProblem(patch(clientAdmin, msp.id(), obj("name", "Taken over", "version", 0)), 404, "TENANT_NOT_FOUND");

        Api.Response suspended = patch(mspAdmin, client.id(), obj("status", "suspended", "version", 1));
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
        assertThat(suspended.json().path("status").asString()).isEqualTo("suspended");
        // the suspended tenant's members are refused
        assertProblem(api.get(TENANTS + "/" + client.id(), clientAdmin.accessToken()), 403, "TENANT_SUSPENDED");

        TenantRef topLevel = fixtures.tenant();
        Session platformAdmin = fixtures.platformAdmin();
        Api.Response byPlatform = patch(platformAdmin, topLevel.id(), obj("status", "suspended", "version", 0));
        assertThat(byPlatform.status()).as(byPlatform.toString()).isEqualTo(200);
        assertThat(byPlatform.json().path("status").asString()).isEqualTo("suspended");
    }

    @Test
    void platformAdminManagesAnyTenant() {
        Session admin = fixtures.platformAdmin();
        TenantRef msp = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");
        TenantRef client = fixtures.tenant(mspAdmin, null);

        Api.Response renamed = patch(admin, client.id(), obj("name", "Renamed by platform", "version", 0));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        Api.Response suspended = patch(admin, msp.id(), obj("status", "suspended", "version", 0));
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
        assertThat(api.get(TENANTS + "/" + client.id(), admin.accessToken()).json().path("name").asString())
                .isEqualTo("Renamed by platform");
        assertThat(ids(api.get(TENANTS + "?parent_tenant_id=" + msp.id(), admin.accessToken())))
                .containsExactly(client.id());
    }

    // --- soft delete -------------------------------------------------------------------------------------

    @Test
    void deleteIsSoftAndRefusedWhileLiveClientsRemain() {
        Session admin = fixtures.platformAdmin();
        TenantRef msp = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");
        TenantRef client = fixtures.tenant(mspAdmin, null);
        Session clientMember = fixtures.userIn(client, "member");

        assertProblem(api.delete(TENANTS + "/" + msp.id(), admin.accessToken()), 409, "TENANT_HAS_CLIENTS");
        // a suspended client is still a live client
        assertThat(patch(mspAdmin, client.id(), obj("status", "suspended", "version", 0)).status()).isEqualTo(200);
        assertProblem(api.delete(TENANTS + "/" + msp.id(), admin.accessToken()), 409, "TENANT_HAS_CLIENTS");
        JsonNode mspAfter = api.get(TENANTS + "/" + msp.id(), admin.accessToken()).json();
        assertThat(mspAfter.path("status").asString()).isEqualTo("active");
        assertThat(mspAfter.path("version").asLong()).isZero();

        Api.Response deleted = api.delete(TENANTS + "/" + client.id(), mspAdmin.accessToken());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        assertThat(deleted.text()).isEmpty();

        // hidden from everyone but the platform administrator
        assertProblem(api.get(TENANTS + "/" + client.id(), mspAdmin.accessToken()), 404, "TENANT_NOT_FOUND");
        assertThat(ids(api.get(TENANTS, mspAdmin.accessToken()))).containsExactly(msp.id());
        assertThat(ids(api.get(TENANTS + "?status=deleted", mspAdmin.accessToken()))).isEmpty();
        assertProblem(patch(mspAdmin, client.id(), obj("status", "active", "version", 2)), 404, "TENANT_NOT_FOUND");
        assertProblem(api.delete(TENANTS + "/" + client.id(), mspAdmin.accessToken()), 404, "TENANT_NOT_FOUND");
        assertProblem(api.get("/api/v1/auth/me", clientMember.accessToken()), 403, "TENANT_DELETED");

        Api.Response seenByPlatform = api.get(TENANTS + "/" + client.id(), admin.accessToken());
        assertThat(seenByPlatform.status()).isEqualTo(200);
        assertThat(seenByPlatform.json().path("status").asString()).isEqualTo("deleted");
        assertThat(seenByPlatform.json().path("name").asString()).isEqualTo(client.json().path("name").asString());
        assertThat(ids(api.get(TENANTS + "?parent_tenant_id=" + msp.id(), admin.accessToken()))).isEmpty();
        assertThat(ids(api.get(TENANTS + "?search=" + client.slug(), admin.accessToken()))).isEmpty();
        assertThat(ids(api.get(TENANTS + "?status=deleted&parent_tenant_id=" + msp.id(), admin.accessToken())))
                .containsExactly(client.id());

        // with the client gone the MSP can go too; deleting again changes nothing
        assertThat(api.delete(TENANTS + "/" + msp.id(), admin.accessToken()).status()).isEqualTo(204);
        JsonNode deletedMsp = api.get(TENANTS + "/" + msp.id(), admin.accessToken()).json();
        assertThat(deletedMsp.path("status").asString()).isEqualTo("deleted");
        assertThat(api.delete(TENANTS + "/" + msp.id(), admin.accessToken()).status()).isEqualTo(204);
        assertThat(api.get(TENANTS + "/" + msp.id(), admin.accessToken()).json()).isEqualTo(deletedMsp);
        assertProblem(api.get(TENANTS, mspAdmin.accessToken()), 403, "TENANT_DELETED");
    }

    @Test
    void platformAdminCanOnlyRestoreADeletedTenant() {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = fixtures.tenant();
        assertThat(api.delete(TENANTS + "/" + tenant.id(), admin.accessToken()).status()).isEqualTo(204);
        long version = api.get(TENANTS + "/" + tenant.id(), admin.accessToken()).json().path("version").asLong();

        assertProblem(patch(admin, tenant.id(), obj("name", "Zombie", "version", version)), 409, "TENANT_DELETED");
        assertProblem(patch(admin, tenant.id(), obj("status", "suspended", "version", version)), 409,
                "TENANT_DELETED");
        Api.Response restored = patch(admin, tenant.id(), obj("status", "active", "version", version));
        assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
        assertThat(restored.json().path("status").asString()).isEqualTo("active");
        assertThat(restored.json().path("name").asString()).isEqualTo(tenant.json().path("name").asString());
    }

    @Test
    void deleteNeverClaimsADeletionThatARacingChangePrevented() throws Exception {
        Session admin = fixtures.platformAdmin();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int i = 0; i < 20; i++) {
                TenantRef tenant = fixtures.tenant();
                String path = TENANTS + "/" + tenant.id();
                var deleting = CompletableFuture.supplyAsync(() -> api.delete(path, admin.accessToken()), pool);
                var renaming = CompletableFuture.supplyAsync(
                        () -> patch(admin, tenant.id(), obj("name", "Racing", "version", 0)), pool);
                Api.Response deleted = deleting.get();
                Api.Response renamed = renaming.get();
                JsonNode after = api.get(path, admin.accessToken()).json();
                if (deleted.status() == 204) {
                    assertThat(after.path("status").asString()).as("DELETE said 204; PATCH said " + renamed)
                            .isEqualTo("deleted");
                }
                else {
                    assertProblem(deleted, 409, "VERSION_CONFLICT");
                    assertThat(after.path("status").asString()).isEqualTo("active");
                }
                if (renamed.status() == 200) {
                    assertThat(after.path("version").asLong()).isGreaterThanOrEqualTo(1);
                }
                else {
                    assertThat(renamed.code()).as(renamed.toString()).isIn("VERSION_CONFLICT", "TENANT_DELETED");
                }
            }
        }
    }

    // --- versions ----------------------------------------------------------------------------------------

    @Test
    void patchNeedsTheCurrentVersion() {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = fixtures.tenant();

        Api.Response first = patch(admin, tenant.id(), obj("name", "First", "version", 0));
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.json().path("version").asLong()).isEqualTo(1);

        for (long stale : List.of(0L, 2L, 99L, -1L)) {
            assertProblem(patch(admin, tenant.id(), obj("name", "Second", "version", stale)), 409, "VERSION_CONFLICT");
        }
        Api.Response missing = patch(admin, tenant.id(), obj("name", "Second"));
        assertProblem(missing, 400, "VALIDATION_FAILED");
        assertThat(errorFields(missing)).containsExactly("version");
        assertThat(api.get(TENANTS + "/" + tenant.id(), admin.accessToken()).json()).isEqualTo(first.json());

        // an empty change still needs and moves the version
        Api.Response touched = patch(admin, tenant.id(), obj("version", 1));
        assertThat(touched.status()).isEqualTo(200);
        assertThat(touched.json().path("version").asLong()).isEqualTo(2);
        assertThat(touched.json().path("name").asString()).isEqualTo("First");
    }

    @Test
    void concurrentPatchesWithTheSameVersionLetExactlyOneWin() {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = fixtures.tenant();
        List<CompletableFuture<Api.Response>> racers = new ArrayList<>();
        List<Api.Response> results;
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                String name = "Racer " + i;
                racers.add(CompletableFuture.supplyAsync(
                        () -> patch(admin, tenant.id(), obj("name", name, "version", 0)), pool));
            }
            results = racers.stream().map(CompletableFuture::join).toList();
        }
        assertThat(results.stream().filter(r -> r.status() == 200).count()).as(results.toString()).isEqualTo(1);
        results.stream().filter(r -> r.status() != 200).forEach(r -> assertProblem(r, 409, "VERSION_CONFLICT"));
        JsonNode after = api.get(TENANTS + "/" + tenant.id(), admin.accessToken()).json();
        assertThat(after.path("version").asLong()).isEqualTo(1);
        Api.Response winner = results.stream().filter(r -> r.status() == 200).findFirst().orElseThrow();
        assertThat(after.path("name").asString()).isEqualTo(winner.json().path("name").asString());
    }

    // --- bad input ---------------------------------------------------------------------------------------

    @Test
    void createRejectsBadInputWithoutCreatingAnything() {
        Session admin = fixtures.platformAdmin();
        record Case(String body, int status, String code, List<String> fields, String slug) {
        }
        List<Case> cases = new ArrayList<>();
        String s1 = Fixtures.unique("bad");
        cases.add(new Case("{\"name\": \"x\", \"slug\": \"" + s1 + "\"", 400, "MALFORMED_JSON", List.of(), s1));
        cases.add(new Case("not json at all", 400, "MALFORMED_JSON", List.of(), null));
        cases.add(new Case("{'name': 'x'}", 400, "MALFORMED_JSON", List.of(), null));
        String s2 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", "X", "slug", s2, "colour", "red")), 400, "UNKNOWN_FIELD",
                List.of("colour"), s2));
        String s2b = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", "X", "slug", s2b, "status", "suspended")), 400, "UNKNOWN_FIELD",
                List.of("status"), s2b));
        String s3 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", 5, "slug", s3)), 400, "INVALID_TYPE", List.of("name"), s3));
        String s4 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", List.of("X"), "slug", s4)), 400, "INVALID_TYPE", List.of("name"), s4));
        String s5 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", Map.of("a", 1), "slug", s5)), 400, "INVALID_TYPE", List.of("name"),
                s5));
        cases.add(new Case(Api.json(obj("name", "X", "slug", true)), 400, "INVALID_TYPE", List.of("slug"), null));
        String s6 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", "X", "slug", s6, "parent_tenant_id", "not-a-uuid")), 400,
                "INVALID_TYPE", List.of("parent_tenant_id"), s6));
        String s7 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", "X", "slug", s7, "parent_tenant_id", 42)), 400, "INVALID_TYPE",
                List.of("parent_tenant_id"), s7));
        String s8 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", "X", "slug", s8, "region", 5)), 400, "INVALID_TYPE",
                List.of("region"), s8));
        cases.add(new Case("[]", 400, "INVALID_TYPE", List.of("$"), null));
        cases.add(new Case("\"a string\"", 400, "INVALID_TYPE", List.of("$"), null));
        cases.add(new Case("{}", 400, "VALIDATION_FAILED", List.of("name", "slug"), null));
        cases.add(new Case("{\"name\": null, \"slug\": null}", 400, "VALIDATION_FAILED", List.of("name", "slug"),
                null));
        String s9 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("slug", s9)), 400, "VALIDATION_FAILED", List.of("name"), s9));
        cases.add(new Case(Api.json(obj("name", "X")), 400, "VALIDATION_FAILED", List.of("slug"), null));
        String s10 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", "   ", "slug", s10)), 400, "VALIDATION_FAILED", List.of("name"),
                s10));
        String s11 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", "n".repeat(201), "slug", s11)), 400, "VALIDATION_FAILED",
                List.of("name"), s11));
        String s12 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", "X", "slug", s12, "region", "r".repeat(101))), 400,
                "VALIDATION_FAILED", List.of("region"), s12));
        String s13 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", "Nul\u0000Byte", "slug", s13)), 400, "INVALID_VALUE", List.of(),
                s13));
        String s14 = Fixtures.unique("bad");
        cases.add(new Case(Api.json(obj("name", "X", "slug", s14, "region", "eu\u0000")), 400, "INVALID_VALUE",
                List.of(), s14));
        for (String slug : List.of("A", "-x", "x", "", "Abc-def", "ab_c", "ab c", "abc\n", "ab.c", "é-acute",
                "a" + "b".repeat(63))) {
            cases.add(new Case(Api.json(obj("name", "X", "slug", slug)), 400, "VALIDATION_FAILED", List.of("slug"),
                    null));
        }

        for (Case c : cases) {
            Api.Response response = api.post(TENANTS, admin.accessToken(), c.body());
            assertProblem(response, c.status(), c.code());
            if (!c.fields().isEmpty()) {
                assertThat(errorFields(response).stream().distinct()).as(c.body())
                        .containsExactlyInAnyOrderElementsOf(c.fields());
                response.json().path("errors").forEach(e -> assertThat(e.path("message").asString()).isNotBlank());
            }
            if (c.slug() != null) {
                assertThat(search(admin, c.slug())).as("nothing created for " + c.body()).isEmpty();
            }
        }

        Api.Response empty = api.send("POST", TENANTS, admin.accessToken(), "", Map.of("Content-Type",
                "application/json"));
        assertProblem(empty, 400, "MISSING_BODY");
        Api.Response text = api.send("POST", TENANTS, admin.accessToken(), "name=x", Map.of("Content-Type",
                "text/plain"));
        assertProblem(text, 415, "UNSUPPORTED_MEDIA_TYPE");
        Api.Response huge = api.post(TENANTS, admin.accessToken(), obj("name", "x".repeat(70_000), "slug",
                Fixtures.unique("huge")));
        assertProblem(huge, 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void createAcceptsValuesAtTheLimits() {
        Session admin = fixtures.platformAdmin();
        String longSlug = (Fixtures.unique("l") + "-" + "x".repeat(63)).substring(0, 63);
        String name = "N".repeat(200);
        Api.Response created = api.post(TENANTS, admin.accessToken(), obj("name", name, "slug", longSlug, "region",
                "r".repeat(100)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("slug").asString()).isEqualTo(longSlug);
        assertThat(created.json().path("name").asString()).isEqualTo(name);

        // a two-character slug is valid (another test may hold some of them)
        Api.Response tiny = null;
        for (int i = 0; i < 36 * 36 && (tiny == null || tiny.status() == 409); i++) {
            String shortSlug = Integer.toString(i / 36, 36) + Integer.toString(i % 36, 36);
            tiny = api.post(TENANTS, admin.accessToken(), obj("name", "Tiny", "slug", shortSlug));
            if (tiny.status() == 409) {
                assertProblem(tiny, 409, "SLUG_TAKEN");
            }
        }
        assertThat(tiny.status()).as(tiny.toString()).isEqualTo(201);
        assertThat(tiny.json().path("slug").asString()).hasSize(2);
        Api.Response nonAscii = api.post(TENANTS, admin.accessToken(),
                obj("name", "Zürich Ünïcødé 東京", "slug", Fixtures.unique("utf")));
        assertThat(nonAscii.status()).as(nonAscii.toString()).isEqualTo(201);
        assertThat(nonAscii.json().path("name").asString()).isEqualTo("Zürich Ünïcødé 東京");
    }

    @Test
    void createRefusesATakenSlug() {
        Session admin = fixtures.platformAdmin();
        TenantRef existing = fixtures.tenant();
        Api.Response duplicate = api.post(TENANTS, admin.accessToken(), obj("name", "Copycat", "slug",
                existing.slug()));
        assertProblem(duplicate, 409, "SLUG_TAKEN");
        assertThat(search(admin, existing.slug())).containsExactly(existing.id());

        // an MSP administrator gets the same answer, and no stray membership is left behind
        TenantRef msp = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");
        assertProblem(api.post(TENANTS, mspAdmin.accessToken(), obj("name", "Copycat", "slug", existing.slug())), 409,
                "SLUG_TAKEN");
        JsonNode me = api.get("/api/v1/auth/me", mspAdmin.accessToken()).json();
        assertThat(me.path("memberships").size()).isEqualTo(1);
        assertThat(ids(api.get(TENANTS, mspAdmin.accessToken()))).containsExactly(msp.id());
    }

    @Test
    void patchRejectsBadInputAndLeavesTheTenantUnchanged() {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = fixtures.tenant();
        String path = TENANTS + "/" + tenant.id();
        JsonNode before = api.get(path, admin.accessToken()).json();
        List<BadInput> cases = List.of(
                new BadInput("{\"name\": \"x\", \"version\": 0", "MALFORMED_JSON", List.of()),
                new BadInput("{name: x}", "MALFORMED_JSON", List.of()),
                new BadInput(Api.json(obj("slug", "new-slug", "version", 0)), "UNKNOWN_FIELD", List.of("slug")),
                new BadInput(Api.json(obj("parent_tenant_id", UUID.randomUUID().toString(), "version", 0)),
                        "UNKNOWN_FIELD", List.of("parent_tenant_id")),
                new BadInput(Api.json(obj("id", UUID.randomUUID().toString(), "version", 0)), "UNKNOWN_FIELD",
                        List.of("id")),
                new BadInput(Api.json(obj("name", 5, "version", 0)), "INVALID_TYPE", List.of("name")),
                new BadInput(Api.json(obj("name", true, "version", 0)), "INVALID_TYPE", List.of("name")),
                new BadInput(Api.json(obj("status", 1, "version", 0)), "INVALID_TYPE", List.of("status")),
                new BadInput(Api.json(obj("name", "n", "version", "x")), "INVALID_TYPE", List.of("version")),
                new BadInput(Api.json(obj("name", "n", "version", "0")), "INVALID_TYPE", List.of("version")),
                new BadInput(Api.json(obj("name", "n", "version", 1.5)), "INVALID_TYPE", List.of("version")),
                new BadInput(Api.json(obj("name", "n", "version", true)), "INVALID_TYPE", List.of("version")),
                new BadInput(Api.json(obj("name", "n", "version", List.of(0))), "INVALID_TYPE", List.of("version")),
                new BadInput("[]", "INVALID_TYPE", List.of("$")),
                new BadInput(Api.json(obj("name", "n")), "VALIDATION_FAILED", List.of("version")),
                new BadInput("{\"name\": \"n\", \"version\": null}", "VALIDATION_FAILED", List.of("version")),
                new BadInput(Api.json(obj("name", "", "version", 0)), "VALIDATION_FAILED", List.of("name")),
                new BadInput(Api.json(obj("name", "   ", "version", 0)), "VALIDATION_FAILED", List.of("name")),
                new BadInput(Api.json(obj("name", "n".repeat(201), "version", 0)), "VALIDATION_FAILED", List.of("name")),
                new BadInput(Api.json(obj("region", "r".repeat(101), "version", 0)), "VALIDATION_FAILED",
                        List.of("region")),
                new BadInput(Api.json(obj("status", "deleted", "version", 0)), "VALIDATION_FAILED", List.of("status")),
                new BadInput(Api.json(obj("status", "bogus", "version", 0)), "VALIDATION_FAILED", List.of("status")),
                new BadInput(Api.json(obj("status", "ACTIVE", "version", 0)), "VALIDATION_FAILED", List.of("status")),
                new BadInput(Api.json(obj("status", "", "version", 0)), "VALIDATION_FAILED", List.of("status")),
                new BadInput(Api.json(obj("name", "Nul\u0000Byte", "version", 0)), "INVALID_VALUE", List.of()),
                new BadInput(Api.json(obj("region", "\u0000", "version", 0)), "INVALID_VALUE", List.of()));

        assertEachRejected(body -> patch(admin, tenant.id(), body), cases);
        assertProblem(api.send("PATCH", path, admin.accessToken(), "", Map.of("Content-Type", "application/json")),
                400, "MISSING_BODY");
        assertThat(api.get(path, admin.accessToken()).json()).isEqualTo(before);
    }

    @Test
    void pathIdsMustBeUuidsOfVisibleTenants() {
        Session admin = fixtures.platformAdmin();
        for (String bad : List.of("not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g")) {
            for (Api.Response response : List.of(api.get(TENANTS + "/" + bad, admin.accessToken()),
                    patch(admin, bad, obj("name", "x", "version", 0)),
                    api.delete(TENANTS + "/" + bad, admin.accessToken()))) {
                assertThat(response.status()).as(bad + " " + response).isEqualTo(400);
                assertProblemShape(response);
            }
        }
        UUID unknown = UUID.randomUUID();
        assertProblem(api.get(TENANTS + "/" + unknown, admin.accessToken()), 404, "TENANT_NOT_FOUND");
        assertProblem(patch(admin, unknown.toString(), obj("name", "x", "version", 0)), 404, "TENANT_NOT_FOUND");
        assertProblem(api.delete(TENANTS + "/" + unknown, admin.accessToken()), 404, "TENANT_NOT_FOUND");
    }

    @Test
    void problemsCarryTheCallersRequestId() {
        Session admin = fixtures.platformAdmin();
        Api.Response response = api.send("GET", TENANTS + "/" + UUID.randomUUID(), admin.accessToken(), null,
                Map.of("X-Request-Id", "trace-tenants-42"));
        assertProblem(response, 404, "TENANT_NOT_FOUND");
        assertThat(response.json().path("request_id").asString()).isEqualTo("trace-tenants-42");
        assertThat(response.header("X-Request-Id")).isEqualTo("trace-tenants-42");
    }

    // --- helpers -----------------------------------------------------------------------------------------

    private UUID createTenant(Session by, String name, String slug, UUID parent) {
        Api.Response response = api.post(TENANTS, by.accessToken(),
                obj("name", name, "slug", slug, "parent_tenant_id", parent.toString()));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return UUID.fromString(response.json().path("id").asString());
    }

    private Api.Response patch(Session by, UUID id, Object body) {
        return patch(by, id.toString(), body);
    }

    private Api.Response patch(Session by, String id, Object body) {
        return api.patch(TENANTS + "/" + id, by.accessToken(), body);
    }

    /** Ids of the live tenants whose name or slug contains the text, as the platform administrator sees them. */
    private List<UUID> search(Session admin, String text) {
        return ids(api.get(TENANTS + "?search=" + text, admin.accessToken()));
    }

    private static JsonNode membershipOf(JsonNode me, UUID tenantId) {
        for (JsonNode m : me.path("memberships")) {
            if (m.path("tenant").path("id").asString().equals(tenantId.toString())) {
                return m;
            }
        }
        return null;
    }
}
