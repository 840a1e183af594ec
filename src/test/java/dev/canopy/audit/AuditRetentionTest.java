package dev.canopy.audit;

import static dev.canopy.audit.AuditSearchTest.EVENTS;
import static dev.canopy.audit.AuditSearchTest.items;
import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.audit.internal.AuditTestSupport;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Retention: {@code settings.audit_retention_days} on the tenant, and the daily job that archives older
 * events to a file, prunes them, and leaves a chain that still verifies.
 */
class AuditRetentionTest extends ApiTest {

    private static final String TENANTS = "/api/v1/tenants/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    private ApplicationContext context;

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void retentionIsATenantSettingChangedLikeTheTenant() {
        TenantRef tenant = fixtures.tenant();
        Session platform = fixtures.platformAdmin();
        JsonNode fetched = api.get(TENANTS + tenant.id(), platform.accessToken()).json();
        assertThat(fetched.path("settings").path("audit_retention_days").asInt()).isEqualTo(365);

        Api.Response changed = api.patch(TENANTS + tenant.id(), platform.accessToken(),
                obj("settings", obj("audit_retention_days", 30), "version", 0));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().path("settings").path("audit_retention_days").asInt()).isEqualTo(30);
        assertThat(changed.json().path("version").asLong()).isEqualTo(1);
        assertThat(changed.json().path("name").asString()).isEqualTo(tenant.json().path("name").asString());
        assertThat(api.get(TENANTS + tenant.id(), platform.accessToken()).json()).isEqualTo(changed.json());
        assertThat(context.getBean(AuditRetention.class).retentionDays(tenant.id())).isEqualTo(30);
        // the list shows settings too
        JsonNode listed = api.get("/api/v1/tenants?limit=200&search=" + tenant.slug(), platform.accessToken()).json()
                .path("items").get(0);
        assertThat(listed.path("settings").path("audit_retention_days").asInt()).isEqualTo(30);
        // the change is audited with the rest of the tenant's changes
        JsonNode record = items(api.get(EVENTS + "?action=tenant.updated&resource_id=" + tenant.id(),
                platform.accessToken())).getFirst();
        assertThat(record.path("details").path("request").path("settings").path("audit_retention_days").asInt())
                .isEqualTo(30);

        // settings leave other fields alone, and other changes leave settings alone
        Api.Response renamed = api.patch(TENANTS + tenant.id(), platform.accessToken(), obj("name", "Kept", "version",
                1));
        assertThat(renamed.json().path("settings").path("audit_retention_days").asInt()).isEqualTo(30);
        Api.Response empty = api.patch(TENANTS + tenant.id(), platform.accessToken(), obj("settings", obj(),
                "version", 2));
        assertThat(empty.json().path("settings").path("audit_retention_days").asInt()).isEqualTo(30);

        // the tenant's own administrator may change it; members may not, nor stale versions
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Api.Response own = api.patch(TENANTS + tenant.id(), admin.accessToken(),
                obj("settings", obj("audit_retention_days", 36500), "version", 3));
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(own.json().path("settings").path("audit_retention_days").asInt()).isEqualTo(36500);
        Session member = fixtures.userIn(tenant, "member");
        assertProblem(api.patch(TENANTS + tenant.id(), member.accessToken(),
                obj("settings", obj("audit_retention_days", 1), "version", 4)), 403, "FORBIDDEN");
        assertProblem(api.patch(TENANTS + tenant.id(), admin.accessToken(),
                obj("settings", obj("audit_retention_days", 1), "version", 3)), 409, "VERSION_CONFLICT");
        assertThat(context.getBean(AuditRetention.class).retentionDays(tenant.id())).isEqualTo(36500);
    }

    @Test
    void badRetentionValuesAreRejected() {
        TenantRef tenant = fixtures.tenant();
        Session platform = fixtures.platformAdmin();
        String path = TENANTS + tenant.id();
        for (Object days : List.of(0, -1, 36501, Integer.MAX_VALUE)) {
            Api.Response response = api.patch(path, platform.accessToken(), obj("settings",
                    obj("audit_retention_days", days), "version", 0));
            assertProblem(response, 400, "VALIDATION_FAILED");
            assertThat(errorFields(response)).as(String.valueOf(days)).containsExactly("settings.audit_retention_days");
        }
        for (Object days : List.of("30", 1.5, true, List.of(30))) {
            Api.Response response = api.patch(path, platform.accessToken(), obj("settings",
                    obj("audit_retention_days", days), "version", 0));
            assertProblem(response, 400, "INVALID_TYPE");
            assertThat(errorFields(response)).as(String.valueOf(days)).containsExactly("settings.audit_retention_days");
        }
        assertProblem(api.patch(path, platform.accessToken(), obj("settings", obj("retention", 30), "version", 0)),
                400, "UNKNOWN_FIELD");
        assertProblem(api.patch(path, platform.accessToken(), obj("settings", 30, "version", 0)), 400,
                "INVALID_TYPE");
        assertThat(api.get(path, platform.accessToken()).json().path("version").asLong()).isZero();
        assertThat(context.getBean(AuditRetention.class).retentionDays(tenant.id())).isEqualTo(365);
        assertThatThrownBy(() -> context.getBean(AuditRetention.class).setRetentionDays(tenant.id(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void expiredEventsAreArchivedThenPrunedAndTheChainStillVerifies() throws Exception {
        TenantRef tenant = fixtures.tenant();
        var support = new AuditTestSupport(context);
        // 40 events from 400 days ago open the chain; then real ones from today
        support.seed(tenant.id(), 40, Instant.now().minus(Duration.ofDays(400)), "legacy.imported");
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        List<JsonNode> before = items(api.get(EVENTS + "?limit=200", admin.accessToken()));
        assertThat(before).hasSize(43);
        assertThat(items(api.get(EVENTS + "?search=seeded&limit=200", admin.accessToken()))).hasSize(40);

        // with the default retention of 365 days, the 400-day-old events are due
        Optional<AuditTestSupport.Archived> archived = support.archive(tenant.id());
        assertThat(archived).isPresent();
        AuditTestSupport.Archived archive = archived.get();
        assertThat(archive.fromSeq()).isEqualTo(1);
        assertThat(archive.toSeq()).isEqualTo(40);
        assertThat(archive.events()).isEqualTo(40);

        // the file: NDJSON of exactly the archived events, its hash recorded, verifiable on its own
        Path file = archive.file();
        assertThat(file).isEqualTo(support.dataDir().resolve("audit-archive").resolve(tenant.id().toString())
                .resolve("1-40.ndjson"));
        assertThat(file).exists();
        assertThat(file.resolveSibling("1-40.ndjson.partial")).doesNotExist();
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))))
                .isEqualTo(archive.sha256());
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(40);
        assertThat(lines).allSatisfy(l -> assertThat(JSON.readTree(l).path("action").asString())
                .isEqualTo("legacy.imported"));
        assertThat(JSON.readTree(lines.getFirst()).path("seq").asLong()).isEqualTo(1);
        assertThat(AuditTestSupport.verifyArchiveFile(file, new byte[32])).isEqualTo(40);
        JsonNode lastArchived = JSON.readTree(lines.getLast());

        // the database: the segment is recorded with its anchor, and its rows are gone
        Map<String, Object> row = scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "select from_seq, to_seq, anchor_hash, file, file_sha256 from audit_archives where tenant_id = ?")
                .param(tenant.id()).query().singleRow());
        assertThat(row.get("from_seq")).isEqualTo(1L);
        assertThat(row.get("to_seq")).isEqualTo(40L);
        assertThat(HexFormat.of().formatHex((byte[]) row.get("anchor_hash"))).isEqualTo(lastArchived.path("hash")
                .asString());
        assertThat(row.get("file")).isEqualTo("audit-archive/" + tenant.id() + "/1-40.ndjson");
        assertThat(row.get("file_sha256")).isEqualTo(archive.sha256());

        String words = "select count(*) from audit_terms where tenant_id = ? and seq <= 40";
        assertThat(scopes.inTenant(tenant.id(), () -> jdbc.sql(words).param(tenant.id()).query(Long.class).single()))
                .as("their search words are gone with them").isZero();
        assertThat(items(api.get(EVENTS + "?search=seeded", admin.accessToken()))).isEmpty();

        List<JsonNode> after = items(api.get(EVENTS + "?limit=200", admin.accessToken()));
        assertThat(after).extracting(e -> e.path("seq").asLong()).allMatch(seq -> seq > 40);
        assertThat(after).extracting(e -> e.path("action").asString()).containsExactly("audit.archived",
                "auth.login", "user.added", "auth.tenant_switched");
        JsonNode record = after.getFirst();
        assertThat(record.path("actor").path("type").asString()).isEqualTo("system");
        assertThat(record.path("resource_type").asString()).isEqualTo("audit_archive");
        assertThat(record.path("details").path("events").asLong()).isEqualTo(40);
        assertThat(record.path("details").path("file_sha256").asString()).isEqualTo(archive.sha256());

        // the kept chain starts from the anchor and verifies
        Api.Response verified = api.post(EVENTS + "/verify", admin.accessToken(), null);
        assertThat(verified.json().path("valid").asBoolean()).as(verified.toString()).isTrue();
        assertThat(verified.json().path("checked").asLong()).isEqualTo(4);
        assertThat(after.getLast().path("prev_hash").asString()).isEqualTo(lastArchived.path("hash").asString());

        // nothing more is due
        assertThat(support.archive(tenant.id())).isEmpty();
        assertThat(support.verify(tenant.id()).valid()).isTrue();

        // removing the first kept event now shows, as it did before the cut
        support.ownerUpdate("delete from audit_events where tenant_id = '" + tenant.id() + "' and seq = 41");
        assertThat(support.verify(tenant.id()).firstBrokenId()).isEqualTo(UUID.fromString(after.get(2).path("id")
                .asString()));
    }

    @Test
    void aShorterRetentionArchivesMoreAndTheJobCoversEveryTenant() {
        TenantRef tenant = fixtures.tenant();
        var support = new AuditTestSupport(context);
        support.seed(tenant.id(), 10, Instant.now().minus(Duration.ofDays(100)), "older.event");
        support.seed(tenant.id(), 5, Instant.now().minus(Duration.ofDays(10)), "recent.event");
        assertThat(support.archive(tenant.id())).as("all within 365 days").isEmpty();

        Session platform = fixtures.platformAdmin();
        assertThat(api.patch(TENANTS + tenant.id(), platform.accessToken(), obj("settings",
                obj("audit_retention_days", 30), "version", 0)).status()).isEqualTo(200);
        assertThat(support.archive(tenant.id())).hasValueSatisfying(a -> {
            assertThat(a.fromSeq()).isEqualTo(1);
            assertThat(a.toSeq()).isEqualTo(10);
        });
        assertThat(api.patch(TENANTS + tenant.id(), platform.accessToken(), obj("settings",
                obj("audit_retention_days", 1), "version", 1)).status()).isEqualTo(200);
        // the daily job, for every tenant
        Map<UUID, AuditTestSupport.Archived> all = support.archiveAll();
        assertThat(all.get(tenant.id())).satisfies(a -> {
            assertThat(a.fromSeq()).isEqualTo(11);
            assertThat(a.toSeq()).isEqualTo(15);
            assertThat(a.file().getFileName().toString()).isEqualTo("11-15.ndjson");
        });
        // two segments, two archive records, and a chain that verifies from the newest anchor
        assertThat(support.verify(tenant.id())).isEqualTo(new AuditTestSupport.Result(true, 2, null));
        assertThat(scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "select count(*) from audit_archives where tenant_id = ?").param(tenant.id()).query(Long.class)
                .single())).isEqualTo(2);
    }

    @Test
    void aTamperedSegmentIsNotArchived() {
        TenantRef tenant = fixtures.tenant();
        var support = new AuditTestSupport(context);
        support.seed(tenant.id(), 20, Instant.now().minus(Duration.ofDays(500)), "old.event");
        support.seed(tenant.id(), 3, Instant.now(), "new.event");
        UUID victim = scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "select id from audit_events where tenant_id = ? and seq = 7").param(tenant.id())
                .query(UUID.class).single());
        support.ownerUpdate("update audit_events set action = 'old.nothing' where id = '" + victim + "'");

        assertThatThrownBy(() -> support.archive(tenant.id())).hasMessageContaining(victim.toString());
        // nothing archived, nothing removed, the break still visible
        assertThat(scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "select count(*) from audit_events where tenant_id = ?").param(tenant.id()).query(Long.class)
                .single())).isEqualTo(23);
        assertThat(Files.exists(support.dataDir().resolve("audit-archive").resolve(tenant.id().toString())
                .resolve("1-20.ndjson"))).isFalse();
        assertThat(support.verify(tenant.id()).firstBrokenId()).isEqualTo(victim);
    }

    @Test
    void theRuntimeRoleCannotPruneWhatIsNotArchivedNorDeleteDirectly() {
        TenantRef tenant = fixtures.tenant();
        var support = new AuditTestSupport(context);
        support.seed(tenant.id(), 5, Instant.now().minus(Duration.ofDays(500)), "old.event");
        assertThatThrownBy(() -> scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "select prune_archived_audit_events(?, 5)").param(tenant.id()).query(Long.class).single()))
                .rootCause().hasMessageContaining("not archived");
        TenantRef other = fixtures.tenant();
        assertThatThrownBy(() -> scopes.inTenant(other.id(), () -> jdbc.sql(
                "select prune_archived_audit_events(?, 5)").param(tenant.id()).query(Long.class).single()))
                .rootCause().hasMessageContaining("current tenant");
        assertThatThrownBy(() -> scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "delete from audit_events where tenant_id = ?").param(tenant.id()).update()))
                .rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "delete from audit_archives where tenant_id = ?").param(tenant.id()).update()))
                .rootCause().hasMessageContaining("permission denied");
        assertThat(support.verify(tenant.id())).isEqualTo(new AuditTestSupport.Result(true, 5, null));
    }
}
