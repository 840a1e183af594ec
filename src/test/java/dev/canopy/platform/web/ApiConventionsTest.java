package dev.canopy.platform.web;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import tools.jackson.databind.JsonNode;

/** What every API response has in common: request ids, problem+json errors, limits, paging, docs, operations. */
class ApiConventionsTest extends ApiTest {

    private static final int MAX_BODY = 64 * 1024;

    private final List<Api.Response> problems = new ArrayList<>();

    @Autowired
    private HealthContributorRegistry health;

    private Fixtures.Session admin;

    @BeforeEach
    void signIn() {
        admin = fixtures.platformAdmin();
    }

    /** Whatever went wrong, a problem never shows the server's insides. */
    @AfterEach
    void problemsRevealNoInternals() {
        for (Api.Response problem : problems) {
            assertThat(problem.text()).as(problem.toString()).doesNotContain("Exception").doesNotContain("exception")
                    .doesNotContain("at dev.canopy").doesNotContain("at org.").doesNotContain("at java.");
        }
    }

    @Test
    void aSaneRequestIdIsEchoed() {
        for (String id : List.of("abc-123", "trace:4bf92f3577b34da6.a3ce929d0e0e4736_1", "x".repeat(128))) {
            Api.Response response = api.send("GET", "/api/v1/auth/me", admin.accessToken(), null,
                    Map.of(RequestIds.HEADER, id));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header(RequestIds.HEADER)).isEqualTo(id);
        }
        Api.Response problem = problem(api.send("GET", "/api/v1/nowhere", admin.accessToken(), null,
                Map.of(RequestIds.HEADER, "given-id-42")), 404);
        assertThat(problem.header(RequestIds.HEADER)).isEqualTo("given-id-42");
        assertThat(problem.json().path("request_id").asString()).isEqualTo("given-id-42");
    }

    @Test
    void aMissingOrUnusableRequestIdIsReplacedByANewOne() {
        Set<String> generated = new HashSet<>();
        List<Map<String, String>> headers = List.of(Map.of(), Map.of(RequestIds.HEADER, "x".repeat(300)),
                Map.of(RequestIds.HEADER, "has spaces in it"), Map.of(RequestIds.HEADER, "semi;colon"),
                Map.of(RequestIds.HEADER, "x".repeat(129)));
        for (Map<String, String> given : headers) {
            Api.Response response = api.send("GET", "/api/v1/auth/me", admin.accessToken(), null, given);
            assertThat(response.status()).isEqualTo(200);
            String id = response.header(RequestIds.HEADER);
            assertThat(id).as("request id for %s", given).isNotBlank().isNotEqualTo(given.get(RequestIds.HEADER));
            assertThat(UUID.fromString(id).toString()).isEqualTo(id);
            generated.add(id);
        }
        assertThat(generated).hasSize(headers.size());

        Api.Response problem = problem(api.send("GET", "/api/v1/nowhere", admin.accessToken(), null,
                Map.of(RequestIds.HEADER, "bad id")), 404);
        assertThat(problem.json().path("request_id").asString()).isEqualTo(problem.header(RequestIds.HEADER));
        assertThat(UUID.fromString(problem.header(RequestIds.HEADER))).isNotNull();
    }

    @Test
    void anUnknownRouteIsNotFound() {
        Api.Response response = problem(api.get("/api/v1/no-such-thing", admin.accessToken()), 404);
        assertThat(response.code()).isEqualTo("NOT_FOUND");
        assertThat(response.json().path("status").asInt()).isEqualTo(404);
        assertThat(response.json().path("type").asString()).isEqualTo("urn:canopy:problem:not-found");
        assertThat(problem(api.get("/no-such-page", admin.accessToken()), 404).code()).isEqualTo("NOT_FOUND");
        assertThat(problem(api.get("/api/v1/no-such-thing", null), 401).code()).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void aWrongMethodIsNotAllowed() {
        Api.Response response = problem(api.send("PUT", "/api/v1/tenants", admin.accessToken(), "{}", Map.of()), 405);
        assertThat(response.code()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(String.join(",", response.headerValues("Allow"))).contains("GET").contains("POST");
        assertThat(problem(api.delete("/api/v1/tenants", admin.accessToken()), 405).code())
                .isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void aBodyThatIsNotJsonIsAnUnsupportedMediaType() {
        String slug = Fixtures.unique("t");
        Api.Response response = problem(api.send("POST", "/api/v1/tenants", admin.accessToken(),
                Api.json(obj("name", "Tenant " + slug, "slug", slug)), Map.of("Content-Type", "text/plain")), 415);
        assertThat(response.code()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        assertThat(api.get("/api/v1/tenants?search=" + slug, admin.accessToken()).json().path("items").size())
                .isZero();
    }

    @Test
    void aBodyOverTheLimitIsRefusedWhetherItsLengthIsDeclaredOrNot() {
        String slug = Fixtures.unique("t");
        String body = Api.json(obj("name", "Tenant " + slug, "slug", slug, "region", "r".repeat(MAX_BODY)));

        Api.Response declared = problem(api.post("/api/v1/tenants", admin.accessToken(), body), 413);
        assertThat(declared.code()).isEqualTo("PAYLOAD_TOO_LARGE");

        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        assertThat(stream.contentLength()).as("unknown length, so sent chunked").isNegative();
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/tenants"))
                .header("Authorization", "Bearer " + admin.accessToken())
                .header("Content-Type", "application/json")
                .POST(stream), HttpClient.Redirect.NEVER);
        Api.Response streamed = problem(new Api.Response(chunked.statusCode(), chunked.headers().map(),
                chunked.body()), 413);
        assertThat(streamed.code()).isEqualTo("PAYLOAD_TOO_LARGE");

        assertThat(api.get("/api/v1/tenants?search=" + slug, admin.accessToken()).json().path("items").size())
                .as("nothing was created").isZero();
        // just under the limit is read (and here refused for its content, not its size)
        String fits = Api.json(obj("name", "Tenant " + slug, "slug", slug, "region",
                "r".repeat(MAX_BODY - 200)));
        assertThat(fits.length()).isLessThanOrEqualTo(MAX_BODY);
        Api.Response read = problem(api.post("/api/v1/tenants", admin.accessToken(), fits), 400);
        assertThat(read.code()).isEqualTo("VALIDATION_FAILED");
    }

    @Test
    void theOpenApiDocumentDescribesTheApi() {
        Api.Response response = api.get("/v3/api-docs", null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        JsonNode document = response.json();
        assertThat(document.path("openapi").asString()).startsWith("3.");
        assertThat(document.path("paths").has("/api/v1/tenants")).isTrue();
        assertThat(document.path("paths").has("/api/v1/auth/login")).isTrue();
    }

    @Test
    void swaggerUiIsServedUnderDocs() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(api.base() + "/docs")).GET(),
                HttpClient.Redirect.NORMAL);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(response.body()).containsIgnoringCase("swagger-ui");
    }

    @Test
    void healthIsUpWithTheDatabase() {
        for (String path : List.of("/actuator/health", "/actuator/health/readiness", "/actuator/health/liveness")) {
            Api.Response response = api.get(path, null);
            assertThat(response.status()).as(path + " " + response).isEqualTo(200);
            assertThat(response.json().path("status").asString()).as(path).isEqualTo("UP");
        }
        // details stay hidden from the public endpoint, but the database is one of the checks behind it
        assertThat(api.get("/actuator/health", null).text()).doesNotContain("PostgreSQL").doesNotContain("jdbc:");
        HealthContributor db = health.getContributor("db");
        assertThat(db).isInstanceOf(HealthIndicator.class);
        Health status = ((HealthIndicator) db).health();
        assertThat(status.getStatus()).isEqualTo(Status.UP);
        assertThat(status.getDetails()).containsEntry("database", "PostgreSQL");
    }

    @Test
    void prometheusMetricsIncludeTheJvmAndTheConnectionPool() {
        Api.Response response = api.get("/actuator/prometheus", null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/plain");
        assertThat(response.text()).contains("jvm_").contains("hikaricp_").contains("pool=\"canopy\"");
    }

    @Test
    void listsArePagesWithACursor() {
        fixtures.tenant();
        fixtures.tenant();
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response response = api.get("/api/v1/tenants?limit=1" + (cursor == null ? "" : "&cursor=" + cursor),
                    admin.accessToken());
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            JsonNode page = response.json();
            assertThat(page.propertyNames()).containsExactlyInAnyOrder("items", "next_cursor");
            assertThat(page.path("items").isArray()).isTrue();
            assertThat(page.path("items").size()).isLessThanOrEqualTo(1);
            page.path("items").forEach(item -> assertThat(seen.add(item.path("id").asString())).isTrue());
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asString();
            pages++;
        } while (cursor != null && pages < 1000);
        assertThat(seen).hasSizeGreaterThanOrEqualTo(3);

        Fixtures.TenantRef tenant = fixtures.tenant();
        Set<String> members = Set.of(fixtures.userIn(tenant, "member").userId().toString(),
                fixtures.userIn(tenant, "viewer").userId().toString());
        String token = fixtures.switchTo(admin, tenant.id()).accessToken();
        Set<String> listed = new HashSet<>();
        cursor = null;
        pages = 0;
        do {
            JsonNode page = api.get("/api/v1/users?limit=1" + (cursor == null ? "" : "&cursor=" + cursor), token)
                    .json();
            assertThat(page.propertyNames()).containsExactlyInAnyOrder("items", "next_cursor");
            assertThat(page.path("items").size()).isEqualTo(1);
            listed.add(page.path("items").path(0).path("id").asString());
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asString();
            pages++;
        } while (cursor != null && pages < 100);
        assertThat(listed).containsAll(members).hasSize(pages);
    }

    @Test
    void anInvalidLimitOrCursorFailsValidation() {
        for (String query : List.of("limit=0", "limit=-1", "limit=201", "limit=abc", "limit=1.5",
                "cursor=not-a-cursor")) {
            for (String list : List.of("/api/v1/tenants", "/api/v1/users")) {
                Api.Response response = problem(api.get(list + "?" + query, admin.accessToken()), 400);
                assertThat(response.code()).as(list + "?" + query).isEqualTo("VALIDATION_FAILED");
                assertThat(response.json().path("errors").path(0).path("field").asString())
                        .isEqualTo(query.substring(0, query.indexOf('=')));
            }
        }
        assertThat(api.get("/api/v1/tenants?limit=200", admin.accessToken()).status()).isEqualTo(200);
    }

    /** Checks a problem response's status and shape and remembers it for {@link #problemsRevealNoInternals()}. */
    private Api.Response problem(Api.Response response, int status) {
        problems.add(response);
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(response.toString()).startsWith("application/problem+json");
        JsonNode json = response.json();
        assertThat(json.path("status").asInt()).isEqualTo(status);
        assertThat(json.path("code").asString()).isNotBlank();
        assertThat(json.path("request_id").asString()).isEqualTo(response.header(RequestIds.HEADER));
        return response;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, HttpClient.Redirect redirect) {
        HttpClient client = HttpClient.newBuilder().followRedirects(redirect).connectTimeout(Duration.ofSeconds(5))
                .build();
        try {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
