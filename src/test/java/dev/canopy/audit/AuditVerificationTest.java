package dev.canopy.audit;

import static dev.canopy.audit.AuditSearchTest.EVENTS;
import static dev.canopy.audit.AuditSearchTest.items;
import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;

import dev.canopy.audit.internal.AuditTestSupport;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/audit-events/verify} and the daily verification: an intact chain verifies; a row
 * changed, removed or re-hashed through the owner role is reported where the chain breaks.
 */
@Tag("full") // slow: left to the full build, -P full, which CI runs; the default build stays under 10 minutes
class AuditVerificationTest extends ApiTest {

    private static final List<AuditChainBroken> BROKEN = new CopyOnWriteArrayList<>();
    private static boolean listening;

    @Autowired
    private ConfigurableApplicationContext context;

    @Autowired
    private MeterRegistry meters;

    private AuditTestSupport support;

    @BeforeEach
    void listen() {
        support = new AuditTestSupport(context);
        synchronized (BROKEN) {
            if (!listening) {
                context.addApplicationListener(event -> {
                    if (event instanceof PayloadApplicationEvent<?> payload
                            && payload.getPayload() instanceof AuditChainBroken broken) {
                        BROKEN.add(broken);
                    }
                });
                listening = true;
            }
        }
    }

    /** A tenant with a few real events, and its administrator. */
    private record Chain(TenantRef tenant, Session admin) {
    }

    private Chain chain() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        fixtures.userIn(tenant, "member");
        assertThat(api.patch("/api/v1/tenants/" + tenant.id(), admin.accessToken(), obj("name", "Chained",
                "version", 0)).status()).isEqualTo(200);
        return new Chain(tenant, admin);
    }

    @Test
    void aFreshChainVerifiesAndTheVerificationIsRecorded() {
        Chain c = chain();
        List<JsonNode> before = items(api.get(EVENTS + "?limit=200", c.admin().accessToken()));
        Api.Response verified = verify(c.admin(), null);
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        assertThat(Set.copyOf(verified.json().propertyNames())).isEqualTo(Set.of("valid", "checked",
                "first_broken_id"));
        assertThat(verified.json().path("valid").asBoolean()).isTrue();
        assertThat(verified.json().path("checked").asLong()).isEqualTo(before.size());
        assertThat(verified.json().path("first_broken_id").isNull()).isTrue();

        JsonNode record = items(api.get(EVENTS + "?action=audit.verified", c.admin().accessToken())).getFirst();
        assertThat(record.path("resource_type").asString()).isEqualTo("audit_chain");
        assertThat(record.path("resource_id").asString()).isEqualTo(c.tenant().id().toString());
        assertThat(record.path("details").path("valid").asBoolean()).isTrue();
        assertThat(record.path("details").path("checked").asLong()).isEqualTo(before.size());
        // the verification's own record extends the chain, which still verifies
        assertThat(verify(c.admin(), null).json().path("checked").asLong()).isEqualTo(before.size() + 1);
        assertThat(verify(c.admin(), null).json().path("valid").asBoolean()).isTrue();
    }

    @Test
    void changingARowThroughTheOwnerRoleIsReportedAtThatRow() {
        Chain c = chain();
        JsonNode victim = middle(c);
        assertThat(support.ownerUpdate("update audit_events set details = details || '{\"role\": \"admin\"}'"
                + " where id = '" + victim.path("id").asString() + "'")).isEqualTo(1);

        Api.Response verified = verify(c.admin(), null);
        assertThat(verified.json().path("valid").asBoolean()).as(verified.toString()).isFalse();
        assertThat(verified.json().path("first_broken_id").asString()).isEqualTo(victim.path("id").asString());
        assertThat(verified.json().path("checked").asLong()).isEqualTo(victim.path("seq").asLong());
        assertThat(BROKEN).contains(new AuditChainBroken(c.tenant().id(), UUID.fromString(victim.path("id")
                .asString())));
        // a broken chain is recorded as such
        JsonNode record = items(api.get(EVENTS + "?action=audit.verified", c.admin().accessToken())).getFirst();
        assertThat(record.path("details").path("valid").asBoolean()).isFalse();
        assertThat(record.path("details").path("first_broken_id").asString()).isEqualTo(victim.path("id").asString());
    }

    @Test
    void everyColumnIsCovered() {
        Chain c = chain();
        for (String change : List.of("action = 'user.removed'", "occurred_at = occurred_at + interval '1 microsecond'",
                "actor_email = 'someone@else.example'", "actor_id = null", "status = 'failure'", "http_status = 500",
                "ip = '10.0.0.1'", "user_agent = 'forged'", "request_id = 'forged'", "resource_id = 'forged'",
                "resource_type = null", "actor_type = 'system'", "details = '{}'")) {
            Chain fresh = chain();
            JsonNode victim = middle(fresh);
            support.ownerUpdate("update audit_events set " + change + " where id = '"
                    + victim.path("id").asString() + "'");
            assertThat(support.verify(fresh.tenant().id()).firstBrokenId()).as(change)
                    .isEqualTo(UUID.fromString(victim.path("id").asString()));
        }
        assertThat(support.verify(c.tenant().id()).valid()).isTrue();
    }

    @Test
    void aRewrittenHashBreaksTheLinkOfTheNextRow() {
        Chain c = chain();
        JsonNode victim = middle(c);
        // a careful forger rewrites the row's hash too: the next row no longer links to it
        support.ownerUpdate("update audit_events set hash = sha256(hash) where id = '"
                + victim.path("id").asString() + "'");
        JsonNode next = items(api.get(EVENTS + "?limit=200", c.admin().accessToken())).stream()
                .filter(e -> e.path("seq").asLong() == victim.path("seq").asLong() + 1).findFirst().orElseThrow();
        Api.Response verified = verify(c.admin(), null);
        assertThat(verified.json().path("valid").asBoolean()).isFalse();
        // the re-hashed row itself no longer matches its content, so it is the first reported
        assertThat(verified.json().path("first_broken_id").asString()).isIn(victim.path("id").asString(),
                next.path("id").asString());
    }

    @Test
    void removingRowsIsReported() {
        Chain middle = chain();
        JsonNode victim = middle(middle);
        List<JsonNode> events = items(api.get(EVENTS + "?limit=200", middle.admin().accessToken()));
        JsonNode next = events.stream().filter(e -> e.path("seq").asLong() == victim.path("seq").asLong() + 1)
                .findFirst().orElseThrow();
        support.ownerUpdate("delete from audit_events where id = '" + victim.path("id").asString() + "'");
        assertThat(support.verify(middle.tenant().id()).firstBrokenId())
                .isEqualTo(UUID.fromString(next.path("id").asString()));

        Chain first = chain();
        List<JsonNode> firstEvents = items(api.get(EVENTS + "?limit=200", first.admin().accessToken()));
        support.ownerUpdate("delete from audit_events where tenant_id = '" + first.tenant().id()
                + "' and seq = 1");
        assertThat(support.verify(first.tenant().id()).firstBrokenId())
                .isEqualTo(UUID.fromString(firstEvents.get(firstEvents.size() - 2).path("id").asString()));

        // the newest row: the chain now ends short of its recorded head
        Chain last = chain();
        support.ownerUpdate("delete from audit_events where tenant_id = '" + last.tenant().id()
                + "' and seq = (select max(seq) from audit_events where tenant_id = '" + last.tenant().id()
                + "')");
        AuditTestSupport.Result result = support.verify(last.tenant().id());
        assertThat(result.valid()).isFalse();

        // all rows
        Chain all = chain();
        support.ownerUpdate("delete from audit_events where tenant_id = '" + all.tenant().id() + "'");
        assertThat(support.verify(all.tenant().id())).isEqualTo(new AuditTestSupport.Result(false, 0, null));
    }

    @Test
    void theDailyVerificationSetsTheGaugeAndRaisesABreak() {
        Chain intact = chain();
        Chain tampered = chain();
        JsonNode victim = middle(tampered);
        support.ownerUpdate("update audit_events set action = 'nothing.happened' where id = '"
                + victim.path("id").asString() + "'");
        BROKEN.clear();

        Map<UUID, AuditTestSupport.Result> results = support.verifyAll();
        assertThat(results.get(intact.tenant().id()).valid()).isTrue();
        assertThat(results.get(tampered.tenant().id())).isEqualTo(new AuditTestSupport.Result(false,
                victim.path("seq").asLong(), UUID.fromString(victim.path("id").asString())));
        assertThat(results).containsKey(AuditRecord.PLATFORM);
        assertThat(BROKEN).contains(new AuditChainBroken(tampered.tenant().id(),
                UUID.fromString(victim.path("id").asString())));
        assertThat(BROKEN).noneMatch(b -> b.tenantId().equals(intact.tenant().id()));

        assertThat(meters.get("canopy.audit.chain.valid").tag("tenant", intact.tenant().id().toString()).gauge()
                .value()).isEqualTo(1.0);
        assertThat(meters.get("canopy.audit.chain.valid").tag("tenant", tampered.tenant().id().toString()).gauge()
                .value()).isZero();
        String scrape = api.get("/actuator/prometheus", null).text();
        assertThat(scrape).contains("canopy_audit_chain_valid{tenant=\"" + tampered.tenant().id() + "\"} 0.0")
                .contains("canopy_audit_chain_valid{tenant=\"" + intact.tenant().id() + "\"} 1.0");
    }

    @Test
    void platformAdministratorsVerifyThePlatformChain() {
        Session platform = fixtures.platformAdmin();
        // something on the platform chain: a failed sign-in by nobody
        api.post("/api/v1/auth/login", null, obj("email", "nobody@nowhere.example", "password", "not-it-at-all"));
        Api.Response verified = verify(platform, "platform");
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        assertThat(verified.json().path("valid").asBoolean()).isTrue();
        assertThat(verified.json().path("checked").asLong()).isPositive();
        Api.Response bogus = verify(platform, "all");
        assertThat(bogus.status()).isEqualTo(400);
    }

    @Test
    void appendsDuringAVerificationAreNotABreak() throws Exception {
        Chain c = chain();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var appended = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> writers = new java.util.ArrayList<>();
        for (int t = 0; t < 3; t++) {
            writers.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    // a refused request, recorded in its own transaction
                    api.post("/api/v1/users", c.admin().accessToken(), obj("full_name", "No email"));
                    appended.incrementAndGet();
                }
            }));
        }
        try {
            for (int i = 0; i < 15; i++) {
                assertThat(support.verify(c.tenant().id()).valid()).as("verification " + i).isTrue();
            }
        }
        finally {
            stop.set(true);
            for (Thread writer : writers) {
                writer.join();
            }
        }
        assertThat(appended.get()).isPositive();
        AuditTestSupport.Result last = support.verify(c.tenant().id());
        assertThat(last.valid()).isTrue();
        assertThat(last.checked()).isGreaterThanOrEqualTo(appended.get());
    }

    /** Request bodies are recorded as they came; odd but valid JSON must not make a chain look tampered. */
    @Test
    void unusualValuesInRecordedBodiesStillVerify() {
        Chain c = chain();
        String path = "/api/v1/tenants/" + c.tenant().id();
        for (String body : List.of("{\"name\": \"n\", \"version\": 1e2}", "{\"name\": \"n\", \"version\": 1E400}",
                "{\"name\": \"n\", \"version\": 1e2000}", "{\"name\": \"n\", \"version\": 1e-2000}",
                "{\"name\": \"n\", \"version\": 1e999999999}", "{\"name\": \"n\", \"version\": 0.0000001}",
                "{\"name\": \"n\", \"version\": -0.0}", "{\"name\": \"n\", \"version\": 1.50}",
                "{\"name\": \"n\", \"version\": 12345678901234567890123456789}",
                "{\"name\": \"n\", \"version\": 1.7976931348623157E309}",
                "{\"name\": \"n\\u0000\", \"version\": \"x\"}", "{\"name\": \"\\ud800\", \"version\": \"x\"}",
                "{\"name\": \"é ✓ 😀 \\u001f\", \"version\": \"x\", \"name\": \"dup\"}")) {
            Api.Response response = api.send("PATCH", path, c.admin().accessToken(), body, Map.of());
            assertThat(response.status()).as(body + " " + response).isEqualTo(400);
            assertThat(support.verify(c.tenant().id()).valid()).as(body).isTrue();
        }
        List<JsonNode> failures = items(api.get(EVENTS + "?status=failure&action=tenant.updated",
                c.admin().accessToken()));
        assertThat(failures).hasSize(13);
    }

    // --- helpers -----------------------------------------------------------------------------------------

    private Api.Response verify(Session by, String scope) {
        return api.post(EVENTS + "/verify" + (scope == null ? "" : "?scope=" + scope), by.accessToken(), null);
    }

    /** An event from the middle of the tenant's chain. */
    private JsonNode middle(Chain c) {
        List<JsonNode> events = items(api.get(EVENTS + "?limit=200", c.admin().accessToken()));
        assertThat(events.size()).isGreaterThanOrEqualTo(4);
        return events.get(events.size() / 2);
    }
}
