package dev.canopy.audit;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import dev.canopy.audit.internal.AuditTestSupport;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/v1/audit-events}: every filter, newest-first pages, tenant isolation, who may read. */
class AuditSearchTest extends ApiTest {

    static final String EVENTS = "/api/v1/audit-events";
    static final Set<String> EVENT_FIELDS = Set.of("id", "tenant_id", "seq", "occurred_at", "actor", "action",
            "resource_type", "resource_id", "status", "http_status", "ip", "user_agent", "request_id", "details",
            "prev_hash", "hash");

    @Autowired
    private ApplicationContext context;

    /** A tenant whose log holds real API calls: logins, users added by its admin, a failure, a rename. */
    private record World(TenantRef tenant, Session admin, UUID added, String addedEmail, String requestId,
            Instant between) {
    }

    private World world() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String addedEmail = Fixtures.unique("audited") + "@example.com";
        Api.Response added = api.post("/api/v1/users", admin.accessToken(), obj("email", addedEmail, "full_name",
                "Zebulon Quartermaine", "password", Fixtures.PASSWORD, "roles", List.of("member")));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        // a failure: a user without email
        assertThat(api.post("/api/v1/users", admin.accessToken(), obj("full_name", "Nobody", "password",
                Fixtures.PASSWORD, "roles", List.of("member"))).status()).isEqualTo(400);
        Instant between = Instant.now();
        sleep(20);
        String requestId = Fixtures.unique("trace-audit");
        Api.Response renamed = api.send("PATCH", "/api/v1/tenants/" + tenant.id(), admin.accessToken(),
                Api.json(obj("name", "Renamed " + tenant.slug(), "version", 0)), Map.of("X-Request-Id", requestId));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        return new World(tenant, admin, UUID.fromString(added.json().path("id").asString()), addedEmail, requestId,
                between);
    }

    @Test
    void eventsOfRealApiCallsHaveTheDocumentedShapeNewestFirst() {
        World w = world();
        Api.Response page = search(w.admin(), Map.of());
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        assertThat(Set.copyOf(page.json().propertyNames())).isEqualTo(Set.of("items", "next_cursor"));
        List<JsonNode> items = items(page);
        assertThat(page.json().path("next_cursor").isNull()).isTrue();
        assertThat(actions(items)).containsSubsequence("tenant.updated", "user.added", "user.added", "auth.login",
                "user.added", "auth.tenant_switched");
        List<Long> seqs = items.stream().map(i -> i.path("seq").asLong()).toList();
        assertThat(seqs).isSortedAccordingTo((a, b) -> Long.compare(b, a)).doesNotHaveDuplicates();
        assertThat(seqs.getLast()).isEqualTo(1);

        for (JsonNode item : items) {
            assertThat(Set.copyOf(item.propertyNames())).isEqualTo(EVENT_FIELDS);
            assertThat(Set.copyOf(item.path("actor").propertyNames())).isEqualTo(Set.of("type", "id", "email",
                    "via_tenant_id"));
            assertThat(item.path("tenant_id").asString()).isEqualTo(w.tenant().id().toString());
            assertThat(item.path("details").isObject()).as(item.toString()).isTrue();
            assertThat(item.path("hash").asString()).matches("[0-9a-f]{64}");
            assertThat(item.path("prev_hash").asString()).matches("[0-9a-f]{64}");
            assertThat(item.path("status").asString()).isIn("success", "failure");
            Instant.parse(item.path("occurred_at").asString());
        }
        // each event links to the one before it
        for (int i = 0; i < items.size() - 1; i++) {
            assertThat(items.get(i).path("prev_hash").asString()).isEqualTo(items.get(i + 1).path("hash").asString());
        }
        assertThat(items.getLast().path("prev_hash").asString()).isEqualTo("0".repeat(64));

        JsonNode rename = items.getFirst();
        assertThat(rename.path("action").asString()).isEqualTo("tenant.updated");
        assertThat(rename.path("resource_type").asString()).isEqualTo("tenant");
        assertThat(rename.path("resource_id").asString()).isEqualTo(w.tenant().id().toString());
        assertThat(rename.path("http_status").asInt()).isEqualTo(200);
        assertThat(rename.path("request_id").asString()).isEqualTo(w.requestId());
        assertThat(rename.path("actor").path("type").asString()).isEqualTo("user");
        assertThat(rename.path("actor").path("id").asString()).isEqualTo(w.admin().userId().toString());
        assertThat(rename.path("actor").path("email").asString()).isEqualTo(w.admin().email());
        assertThat(rename.path("actor").path("via_tenant_id").isNull()).isTrue();
        assertThat(rename.path("ip").asString()).isNotBlank();
        assertThat(rename.path("user_agent").asString()).isNotBlank();
        assertThat(rename.path("details").path("request").path("name").asString()).startsWith("Renamed ");

        // the platform administrator entered the tenant as a delegated actor
        JsonNode switched = items.getLast();
        assertThat(switched.path("action").asString()).isEqualTo("auth.tenant_switched");
        assertThat(switched.path("actor").path("type").asString()).isEqualTo("delegated");
        assertThat(switched.path("actor").path("via_tenant_id").asString()).isEqualTo(AuditRecord.PLATFORM.toString());
    }

    @Test
    void eachFilterSelectsItsEvents() {
        World w = world();
        Session admin = w.admin();

        List<JsonNode> users = items(search(admin, Map.of("action", "user.")));
        assertThat(actions(users)).isNotEmpty().allMatch(a -> a.startsWith("user."));
        assertThat(users).hasSize(3); // the admin, the audited user, the failed attempt
        assertThat(items(search(admin, Map.of("action", "user.added")))).hasSize(3);
        assertThat(items(search(admin, Map.of("action", "user.addedx")))).isEmpty();
        assertThat(items(search(admin, Map.of("action", "user_")))).as("wildcards are literal").isEmpty();
        assertThat(items(search(admin, Map.of("action", "%")))).as("wildcards are literal").isEmpty();
        assertThat(items(search(admin, Map.of("action", "auth.")))).extracting(i -> i.path("action").asString())
                .containsExactly("auth.login", "auth.tenant_switched");

        List<JsonNode> byAdmin = items(search(admin, Map.of("user_id", admin.userId().toString())));
        assertThat(byAdmin).hasSize(4).allSatisfy(
                i -> assertThat(i.path("actor").path("id").asString()).isEqualTo(admin.userId().toString()));
        assertThat(actions(byAdmin)).containsExactly("tenant.updated", "user.added", "user.added", "auth.login");
        assertThat(items(search(admin, Map.of("user_id", UUID.randomUUID().toString())))).isEmpty();

        List<JsonNode> aboutAdded = items(search(admin, Map.of("resource_type", "user", "resource_id",
                w.added().toString())));
        assertThat(aboutAdded).singleElement().satisfies(i -> {
            assertThat(i.path("action").asString()).isEqualTo("user.added");
            assertThat(i.path("details").path("request").path("email").asString()).isEqualTo(w.addedEmail());
            assertThat(i.path("details").path("request").path("password").asString()).isEqualTo("[REDACTED]");
        });
        assertThat(items(search(admin, Map.of("resource_type", "tenant")))).extracting(i -> i.path("action").asString())
                .containsExactly("tenant.updated");

        List<JsonNode> failures = items(search(admin, Map.of("status", "failure")));
        assertThat(failures).singleElement().satisfies(i -> {
            assertThat(i.path("action").asString()).isEqualTo("user.added");
            assertThat(i.path("http_status").asInt()).isEqualTo(400);
            assertThat(i.path("details").path("error_code").asString()).isEqualTo("VALIDATION_FAILED");
        });
        assertThat(items(search(admin, Map.of("status", "success")))).hasSize(5)
                .allSatisfy(i -> assertThat(i.path("status").asString()).isEqualTo("success"));

        assertThat(items(search(admin, Map.of("request_id", w.requestId())))).extracting(i -> i.path("action")
                .asString()).containsExactly("tenant.updated");
        assertThat(items(search(admin, Map.of("request_id", "nope-" + w.requestId())))).isEmpty();

        assertThat(actions(items(search(admin, Map.of("from", w.between().toString()))))).containsExactly(
                "tenant.updated");
        assertThat(actions(items(search(admin, Map.of("to", w.between().toString()))))).hasSize(5)
                .doesNotContain("tenant.updated");
        // an offset and a plain date are ISO-8601 too
        String plusTwo = w.between().atOffset(java.time.ZoneOffset.ofHours(2)).toString();
        assertThat(actions(items(search(admin, Map.of("from", plusTwo))))).containsExactly("tenant.updated");
        assertThat(items(search(admin, Map.of("to", "2000-01-01")))).isEmpty();

        // full text over action and details
        assertThat(items(search(admin, Map.of("search", "quartermaine")))).singleElement()
                .satisfies(i -> assertThat(i.path("resource_id").asString()).isEqualTo(w.added().toString()));
        assertThat(items(search(admin, Map.of("search", "Zebulon Quartermaine")))).hasSize(1);
        assertThat(items(search(admin, Map.of("search", "Zebulon Nobody")))).isEmpty();
        assertThat(items(search(admin, Map.of("search", "tenant.updated")))).hasSize(1);

        // filters combine
        assertThat(items(search(admin, Map.of("action", "user.", "status", "success", "user_id",
                admin.userId().toString(), "to", w.between().toString())))).extracting(i -> i.path("resource_id")
                .asString()).containsExactly(w.added().toString());
        assertThat(items(search(admin, Map.of("action", "auth.", "status", "failure")))).isEmpty();
    }

    @Test
    void pagesGoNewestFirstWithoutGapsOrRepeats() {
        TenantRef tenant = fixtures.tenant();
        new AuditTestSupport(context).seed(tenant.id(), 57, Instant.now(), "seed.paged");
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        List<JsonNode> all = items(search(admin, Map.of("limit", "200")));
        assertThat(all).hasSize(57 + 3);

        List<Long> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, String> query = new LinkedHashMap<>(Map.of("limit", "7", "action", "seed."));
            if (cursor != null) {
                query.put("cursor", cursor);
            }
            Api.Response page = search(admin, query);
            List<JsonNode> items = items(page);
            assertThat(items.size()).isBetween(1, 7);
            items.forEach(i -> paged.add(i.path("seq").asLong()));
            cursor = page.json().path("next_cursor").isNull() ? null : page.json().path("next_cursor").asString();
            pages++;
        }
        while (cursor != null);
        assertThat(pages).isEqualTo(9);
        assertThat(paged).hasSize(57).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(paged.getFirst()).isEqualTo(57);
        assertThat(paged.getLast()).isEqualTo(1);

        // default limit 50
        Api.Response first = search(admin, Map.of());
        assertThat(items(first)).hasSize(50);
        assertThat(first.json().path("next_cursor").asString()).isNotBlank();
        assertThat(items(search(admin, Map.of("cursor", first.json().path("next_cursor").asString())))).hasSize(10);
    }

    @Test
    void anotherTenantsEventsAreNeverVisible() {
        World a = world();
        World b = world();
        Session adminA = a.admin();
        assertThat(items(search(adminA, Map.of("limit", "200")))).isNotEmpty()
                .allSatisfy(i -> assertThat(i.path("tenant_id").asString()).isEqualTo(a.tenant().id().toString()));
        assertThat(items(search(adminA, Map.of("request_id", b.requestId())))).isEmpty();
        assertThat(items(search(adminA, Map.of("user_id", b.admin().userId().toString())))).isEmpty();
        assertThat(items(search(adminA, Map.of("resource_id", b.added().toString())))).isEmpty();
        assertThat(items(search(adminA, Map.of("resource_id", b.tenant().id().toString())))).isEmpty();
        // B's admin sees B's rename, not A's
        assertThat(items(search(b.admin(), Map.of("request_id", b.requestId())))).hasSize(1);
        assertThat(items(search(b.admin(), Map.of("request_id", a.requestId())))).isEmpty();
    }

    @Test
    void membersAndViewersAreDeniedAndTheDenialIsRecorded() {
        World w = world();
        for (String role : List.of("member", "viewer")) {
            Session user = fixtures.userIn(w.tenant(), role);
            Api.Response denied = search(user, Map.of());
            assertProblem(denied, 403, "FORBIDDEN");
            assertThat(denied.json().path("detail").asString()).contains("audit:read");
            assertProblem(api.get(EVENTS + "/export?format=csv", user.accessToken()), 403, "FORBIDDEN");
            assertProblem(api.post(EVENTS + "/verify", user.accessToken(), null), 403, "FORBIDDEN");
            // bad filters do not tell them more than "no"
            assertProblem(search(user, Map.of("status", "bogus")), 403, "FORBIDDEN");

            List<JsonNode> denials = items(search(w.admin(), Map.of("action", "access.denied", "user_id",
                    user.userId().toString())));
            assertThat(denials).hasSize(3).allSatisfy(d -> {
                assertThat(d.path("status").asString()).isEqualTo("failure");
                assertThat(d.path("http_status").asInt()).isEqualTo(403);
                assertThat(d.path("details").path("method").asString()).isEqualTo("GET");
            });
            assertThat(denials).extracting(d -> d.path("details").path("path").asString())
                    .contains(EVENTS, EVENTS + "/export");
            assertThat(items(search(w.admin(), Map.of("action", "audit.verified", "status", "failure", "user_id",
                    user.userId().toString())))).singleElement()
                    .satisfies(d -> assertThat(d.path("details").path("error_code").asString()).isEqualTo("FORBIDDEN"));
        }
        assertProblem(api.get(EVENTS, null), 401, "UNAUTHENTICATED");
    }

    @Test
    void platformAdministratorsAloneReadThePlatformChain() {
        String stranger = Fixtures.unique("stranger") + "@example.com";
        assertThat(api.post("/api/v1/auth/login", null, obj("email", stranger, "password", "wrong-password-123"))
                .status()).isEqualTo(401);
        Session platform = fixtures.platformAdmin();
        List<JsonNode> failed = items(search(platform, Map.of("scope", "platform", "action", "auth.login_failed",
                "search", stranger)));
        assertThat(failed).singleElement().satisfies(e -> {
            assertThat(e.path("tenant_id").asString()).isEqualTo(AuditRecord.PLATFORM.toString());
            assertThat(e.path("actor").path("type").asString()).isEqualTo("anonymous");
            assertThat(e.path("details").path("request").path("email").asString()).isEqualTo(stranger);
            assertThat(e.path("details").path("request").path("password").asString()).isEqualTo("[REDACTED]");
        });
        assertThat(items(search(platform, Map.of("scope", "platform", "limit", "200"))))
                .allSatisfy(e -> assertThat(e.path("tenant_id").asString()).isEqualTo(AuditRecord.PLATFORM.toString()));
        // without the scope, the platform administrator reads their current tenant's chain
        assertThat(items(search(platform, Map.of("search", stranger)))).isEmpty();

        World w = world();
        assertProblem(search(w.admin(), Map.of("scope", "platform")), 403, "FORBIDDEN");
        assertProblem(api.get(EVENTS + "/export?format=ndjson&scope=platform", w.admin().accessToken()), 403,
                "FORBIDDEN");
        assertProblem(api.post(EVENTS + "/verify?scope=platform", w.admin().accessToken(), null), 403, "FORBIDDEN");
        assertThat(items(search(w.admin(), Map.of("scope", "tenant")))).isNotEmpty();
        Api.Response bogus = search(w.admin(), Map.of("scope", "everything"));
        assertProblem(bogus, 400, "VALIDATION_FAILED");
        assertThat(errorFields(bogus)).containsExactly("scope");
    }

    @Test
    void badFiltersAreRejectedNamingEachOne() {
        World w = world();
        Api.Response bad = search(w.admin(), new LinkedHashMap<>(Map.of("user_id", "not-a-uuid", "status", "ok",
                "from", "yesterday", "to", "2026-13-45T00:00:00Z", "limit", "0", "cursor", "garbage",
                "search", "x".repeat(201), "action", "a".repeat(201))));
        assertProblem(bad, 400, "VALIDATION_FAILED");
        assertThat(errorFields(bad)).containsExactlyInAnyOrder("user_id", "status", "from", "to", "limit", "cursor",
                "search", "action");

        for (Map<String, String> query : List.of(Map.of("limit", "201"), Map.of("limit", "abc"),
                Map.of("limit", "-1"), Map.of("limit", "1.5"))) {
            Api.Response response = search(w.admin(), query);
            assertProblem(response, 400, "VALIDATION_FAILED");
            assertThat(errorFields(response)).as(query.toString()).containsExactly("limit");
        }
        Api.Response backwards = search(w.admin(), Map.of("from", "2026-01-02T00:00:00Z", "to", "2026-01-01T00:00:00Z"));
        assertProblem(backwards, 400, "VALIDATION_FAILED");
        assertThat(errorFields(backwards)).containsExactly("to");
        Api.Response nul = search(w.admin(), Map.of("resource_id", "a\u0000b"));
        assertProblem(nul, 400, "VALIDATION_FAILED");
        assertThat(errorFields(nul)).containsExactly("resource_id");
        // a cursor of another list is not one of ours
        String uuidCursor = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        assertThat(errorFields(search(w.admin(), Map.of("cursor", uuidCursor)))).containsExactly("cursor");

        // blank values are no filter; a search without words matches nothing
        assertThat(items(search(w.admin(), Map.of("action", "", "status", " ")))).hasSize(6);
        assertThat(items(search(w.admin(), Map.of("search", "!!!")))).isEmpty();
    }

    // --- helpers -----------------------------------------------------------------------------------------

    Api.Response search(Session by, Map<String, String> query) {
        return api.get(EVENTS + query(query), by.accessToken());
    }

    static String query(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        return "?" + query.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static List<JsonNode> items(Api.Response page) {
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        return StreamSupport.stream(page.json().path("items").spliterator(), false).toList();
    }

    static List<String> actions(List<JsonNode> items) {
        return items.stream().map(i -> i.path("action").asString()).toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
