package dev.canopy.audit;

import static dev.canopy.audit.AuditSearchTest.EVENTS;
import static dev.canopy.audit.AuditSearchTest.items;
import static dev.canopy.audit.AuditSearchTest.query;
import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import dev.canopy.audit.internal.AuditTestSupport;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code GET /api/v1/audit-events/export}: CSV and NDJSON, the list's filters, streamed. */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class AuditExportTest extends ApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> CSV_COLUMNS = List.of("id", "tenant_id", "seq", "occurred_at", "actor_type",
            "actor_id", "actor_email", "actor_via_tenant_id", "action", "resource_type", "resource_id", "status",
            "http_status", "ip", "user_agent", "request_id", "details", "prev_hash", "hash");

    private final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    private ApplicationContext context;

    @Test
    void csvAndNdjsonCarryTheSameEventsAndEscapeWhatNeedsIt() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String requestId = Fixtures.unique("export");
        String formula = "=HYPERLINK(\"http://evil.example\",\"open\")";
        Api.Response planted = api.send("PATCH", "/api/v1/tenants/" + tenant.id(), admin.accessToken(),
                Api.json(obj("name", "x".repeat(300), "version", 0)), Map.of("User-Agent", formula));
        assertThat(planted.status()).as(planted.toString()).isEqualTo(400);
        String name = "Line one\r\nLine \"two\", with a comma";
        Api.Response odd = api.send("PATCH", "/api/v1/tenants/" + tenant.id(), admin.accessToken(),
                Api.json(obj("name", name, "version", 0)), Map.of("X-Request-Id", requestId, "User-Agent",
                        "Evil \"agent\", v1; =cmd"));
        assertThat(odd.status()).as(odd.toString()).isEqualTo(400);

        List<JsonNode> listed = items(api.get(EVENTS + "?limit=200", admin.accessToken())).reversed();
        Export ndjson = export(admin, Map.of("format", "ndjson"));
        assertThat(ndjson.status()).as(ndjson.toString()).isEqualTo(200);
        assertThat(ndjson.contentType()).isEqualTo("application/x-ndjson;charset=UTF-8");
        assertThat(ndjson.disposition()).startsWith("attachment; filename=\"audit-events-" + tenant.id() + "-")
                .endsWith(".ndjson\"");
        List<JsonNode> lines = ndjson.lines().stream().map(JSON::readTree).toList();
        // chain order, the same events and fields as the list
        assertThat(lines).isEqualTo(listed);

        Export csv = export(admin, Map.of("format", "csv"));
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).isEqualTo("text/csv;charset=UTF-8");
        assertThat(csv.disposition()).endsWith(".csv\"");
        List<List<String>> records = parseCsv(String.join("\r\n", csv.lines()) + "\r\n");
        assertThat(records.getFirst()).isEqualTo(CSV_COLUMNS);
        assertThat(records).hasSize(lines.size() + 1);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode event = lines.get(i);
            List<String> record = records.get(i + 1);
            assertThat(record).hasSize(CSV_COLUMNS.size());
            assertThat(record.get(0)).isEqualTo(event.path("id").asString());
            assertThat(record.get(2)).isEqualTo(event.path("seq").asString());
            assertThat(Instant.parse(record.get(3))).isEqualTo(Instant.parse(event.path("occurred_at").asString()));
            assertThat(record.get(4)).isEqualTo(event.path("actor").path("type").asString());
            assertThat(record.get(8)).isEqualTo(event.path("action").asString());
            String userAgent = event.path("user_agent").asString();
            // a cell a spreadsheet would run as a formula is defused with an apostrophe
            assertThat(record.get(14)).isEqualTo(userAgent.startsWith("=") ? "'" + userAgent : userAgent);
            assertThat(JSON.readTree(record.get(16))).isEqualTo(event.path("details"));
            assertThat(record.get(17)).isEqualTo(event.path("prev_hash").asString());
            assertThat(record.get(18)).isEqualTo(event.path("hash").asString());
        }
        assertThat(lines).anySatisfy(l -> assertThat(l.path("user_agent").asString()).isEqualTo(formula));
        assertThat(records).anySatisfy(r -> assertThat(r.get(14)).isEqualTo("'" + formula));
        List<String> oddRecord = records.getLast();
        assertThat(oddRecord.get(15)).isEqualTo(requestId);
        assertThat(oddRecord.get(14)).isEqualTo("Evil \"agent\", v1; =cmd");
        assertThat(JSON.readTree(oddRecord.get(16)).path("request").path("name").asString()).isEqualTo(name);

        // the list's filters apply
        Export filtered = export(admin, Map.of("format", "csv", "request_id", requestId));
        assertThat(parseCsv(String.join("\r\n", filtered.lines()) + "\r\n")).hasSize(2);
        Export auth = export(admin, Map.of("format", "ndjson", "action", "auth.", "status", "success"));
        assertThat(auth.lines()).hasSize(2).allSatisfy(l -> assertThat(JSON.readTree(l).path("action").asString())
                .startsWith("auth."));
        assertThat(export(admin, Map.of("format", "ndjson", "search", "nothing-like-this-anywhere")).lines())
                .isEmpty();
        assertThat(export(admin, Map.of("format", "csv", "user_id", admin.userId().toString(), "to",
                "2000-01-01")).lines()).containsExactly(String.join(",", CSV_COLUMNS));
    }

    @Test
    void aHundredThousandEventsStreamOut() throws Exception {
        TenantRef tenant = fixtures.tenant();
        long seeding = System.nanoTime();
        new AuditTestSupport(context).seed(tenant.id(), 100_000, Instant.now(), "bulk.imported");
        System.out.printf("Seeded 100,000 chained events in %d ms%n", (System.nanoTime() - seeding) / 1_000_000);
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        long total = 100_003; // and the admin's switch, addition and login

        long started = System.nanoTime();
        HttpResponse<Stream<String>> response = http.send(request(admin, Map.of("format", "ndjson")),
                HttpResponse.BodyHandlers.ofLines());
        long firstByte = System.nanoTime() - started;
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Length")).as("streamed, not buffered").isEmpty();
        long count = 0;
        long expectedSeq = 1;
        String prevHash = "0".repeat(64);
        try (Stream<String> lines = response.body()) {
            for (Iterator<String> it = lines.iterator(); it.hasNext();) {
                JsonNode event = JSON.readTree(it.next());
                assertThat(event.path("seq").asLong()).isEqualTo(expectedSeq++);
                assertThat(event.path("prev_hash").asString()).isEqualTo(prevHash);
                prevHash = event.path("hash").asString();
                count++;
            }
        }
        long ndjsonMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(count).isEqualTo(total);

        started = System.nanoTime();
        HttpResponse<Stream<String>> csv = http.send(request(admin, Map.of("format", "csv")),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(csv.statusCode()).isEqualTo(200);
        long csvLines;
        try (Stream<String> lines = csv.body()) {
            csvLines = lines.count();
        }
        long csvMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(csvLines).isEqualTo(total + 1);

        HttpResponse<Stream<String>> failures = http.send(request(admin, Map.of("format", "csv", "status",
                "failure", "action", "bulk.")), HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = failures.body()) {
            assertThat(lines.count()).isEqualTo(10_000 + 1);
        }
        System.out.printf("Export of %d events: NDJSON %d ms (first byte after %d ms), CSV %d ms%n", total,
                ndjsonMillis, firstByte / 1_000_000, csvMillis);

        // the whole chain verifies too
        long verifying = System.nanoTime();
        Api.Response verified = api.post(EVENTS + "/verify", admin.accessToken(), null);
        System.out.printf("Verified %d events in %d ms%n", total, (System.nanoTime() - verifying) / 1_000_000);
        assertThat(verified.json().path("valid").asBoolean()).as(verified.toString()).isTrue();
        assertThat(verified.json().path("checked").asLong()).isEqualTo(total);
    }

    @Test
    void theFormatIsCsvOrNdjson() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        for (Map<String, String> query : List.of(Map.of("format", "xml"), Map.of("format", "CSV"),
                Map.<String, String>of(), Map.of("format", ""))) {
            Api.Response response = api.get(EVENTS + "/export" + query(query), admin.accessToken());
            assertProblem(response, 400, "VALIDATION_FAILED");
            assertThat(errorFields(response)).as(query.toString()).containsExactly("format");
        }
        Api.Response both = api.get(EVENTS + "/export" + query(Map.of("format", "pdf", "from", "soon")),
                admin.accessToken());
        assertThat(errorFields(both)).containsExactlyInAnyOrder("format", "from");

        Session platform = fixtures.platformAdmin();
        Export platformChain = export(platform, Map.of("format", "ndjson", "scope", "platform", "limit", "5"));
        assertThat(platformChain.status()).isEqualTo(200);
        assertThat(platformChain.lines()).allSatisfy(l -> assertThat(JSON.readTree(l).path("tenant_id").asString())
                .isEqualTo(AuditRecord.PLATFORM.toString()));
        assertProblem(api.get(EVENTS + "/export?format=csv", null), 401, "UNAUTHENTICATED");
    }

    // --- helpers -----------------------------------------------------------------------------------------

    private record Export(int status, String contentType, String disposition, List<String> lines) {
    }

    private Export export(Session by, Map<String, String> query) {
        try {
            HttpResponse<Stream<String>> response = http.send(request(by, query), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = response.body()) {
                return new Export(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                        response.headers().firstValue("Content-Disposition").orElse(""), lines.toList());
            }
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest request(Session by, Map<String, String> query) {
        return HttpRequest.newBuilder(URI.create(api.base() + EVENTS + "/export" + query(query)))
                .header("Authorization", "Bearer " + by.accessToken())
                .timeout(Duration.ofMinutes(2))
                .build();
    }

    /** RFC 4180, strictly: quoted fields may hold commas, quotes (doubled) and line breaks; records end in CRLF. */
    static List<List<String>> parseCsv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        var field = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' && field.isEmpty()) {
                i++;
                while (true) {
                    char q = text.charAt(i++);
                    if (q == '"') {
                        if (i < text.length() && text.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        }
                        else {
                            break;
                        }
                    }
                    else {
                        field.append(q);
                    }
                }
                continue;
            }
            if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            }
            else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
                i++;
            }
            else {
                assertThat(c).as("unquoted special character at " + i).isNotIn('"', '\r', '\n');
                field.append(c);
            }
            i++;
        }
        assertThat(record).as("the text ends with a complete record").isEmpty();
        return records;
    }
}
