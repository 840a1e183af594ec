package dev.canopy.audit.internal;

import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.web.RequestRefused;
import dev.canopy.support.ApiTest;
import dev.canopy.support.AuditLog;

/** Refusals before any handler are audited as one record per kind, source and minute, with the count. */
class RefusedRequestsTest extends ApiTest {

    @Autowired
    private RefusedRequests refusals;

    @Autowired
    private ApplicationEventPublisher events;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private TenantTransactions scopes;

    record Refused(String ip, Integer httpStatus, String details) {
    }

    @Test
    void refusalsInARowFromOneSourceAreOneRecordWithTheirCount() throws InterruptedException {
        // one minute's window for the whole test
        if (Instant.now().getEpochSecond() % 60 > 50) {
            Thread.sleep((61 - Instant.now().getEpochSecond() % 60) * 1000);
        }
        refusals.appendAll(); // what earlier tests left
        long before = lastSeq();

        String large = "{\"name\": \"" + "x".repeat(70_000) + "\"}";
        for (int i = 0; i < 4; i++) {
            assertProblem(api.send("POST", "/api/v1/tenants", null, large, Map.of()), 413, "PAYLOAD_TOO_LARGE");
        }
        for (int i = 0; i < 3; i++) {
            assertProblem(api.get("/api/v1/auth/me", "not-a-canopy-token"), 401, "TOKEN_INVALID");
        }
        // no token at all is not a bad token
        assertProblem(api.get("/api/v1/auth/me", null), 401, "UNAUTHENTICATED");
        // the suite's sign-in throttle is out of reach (ApiTest); its 429s arrive as these (SignInThrottleTest)
        for (int i = 0; i < 5; i++) {
            events.publishEvent(new RequestRefused(RequestRefused.Kind.THROTTLED, "203.0.113.9", 429,
                    "TOO_MANY_REQUESTS", "POST", "/api/v1/auth/login", Instant.now()));
        }
        assertThat(recordsAfter(before)).as("appended once the minute is over").isEmpty();

        assertThat(refusals.appendAll()).isEqualTo(3);

        List<Refused> records = recordsAfter(before);
        assertThat(records).hasSize(3);
        Refused tooLarge = kind(records, "body_too_large");
        assertThat(tooLarge.httpStatus()).isEqualTo(413);
        assertThat(tooLarge.details()).contains("\"count\": 4").contains("PAYLOAD_TOO_LARGE")
                .contains("POST /api/v1/tenants").doesNotContain("xxxx");
        Refused badToken = kind(records, "token_invalid");
        assertThat(badToken.httpStatus()).isEqualTo(401);
        assertThat(badToken.details()).contains("\"count\": 3").contains("TOKEN_INVALID")
                .contains("GET /api/v1/auth/me");
        assertThat(badToken.ip()).isEqualTo(tooLarge.ip()).isNotBlank();
        Refused throttled = kind(records, "throttled");
        assertThat(throttled.ip()).isEqualTo("203.0.113.9");
        assertThat(throttled.httpStatus()).isEqualTo(429);
        assertThat(throttled.details()).contains("\"count\": 5").contains("window_start").contains("window_end");
        assertThat(refusals.appendAll()).as("each window once").isZero();
    }

    private static Refused kind(List<Refused> records, String kind) {
        return records.stream().filter(r -> r.details().contains("\"kind\": \"" + kind + "\"")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " record in " + records));
    }

    private long lastSeq() {
        return scopes.inTenant(AuditLog.PLATFORM, () -> jdbc.sql(
                "select coalesce(max(seq), 0) from audit_events where tenant_id = ?")
                .param(AuditLog.PLATFORM).query(Long.class).single());
    }

    private List<Refused> recordsAfter(long seq) {
        return scopes.inTenant(AuditLog.PLATFORM, () -> jdbc.sql("""
                select ip, http_status, details::text as details from audit_events
                 where tenant_id = ? and seq > ? and action = 'request.refused' order by seq
                """).params(AuditLog.PLATFORM, seq).query(Refused.class).list());
    }
}
