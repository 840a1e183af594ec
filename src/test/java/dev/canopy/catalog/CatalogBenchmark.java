package dev.canopy.catalog;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.TemplateArchives;

/**
 * Over HTTP on the running application: the catalog list of 10,000 templates in one tenant, 50 a page, with search
 * and filters (goal p95 &lt; 30 ms), and uploading and verifying a 20 MiB archive (goal &lt; 1 s). Not part of the
 * normal build: {@code ./mvnw test -Dtest=CatalogBenchmark -DexcludedTestGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}; the tables are in
 * {@code target/surefire-reports/dev.canopy.catalog.CatalogBenchmark-output.txt}.
 */
@Tag("benchmark")
class CatalogBenchmark extends ApiTest {

    private static final int TEMPLATES = 10_000;
    private static final int ROUNDS = 50;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantTransactions scopes;

    @Test
    void listingTenThousandTemplatesAndUploadingTwentyMebibytes() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        UUID tenant = admin.tenantId();
        scopes.inTenant(tenant, () -> jdbc.sql("""
                insert into templates (tenant_id, id, name, description, driver, tags, locked, latest_version)
                select :tenant, gen_random_uuid(), 'Template ' || i || ' ' || (array['web','db','queue','cache','vm'])[1 + i % 5],
                       'Provisions a ' || (array['web server','database','message queue','cache','virtual machine'])[1 + i % 5]
                           || ' for team ' || (i % 50),
                       (array['ansible','kubernetes','opentofu','arm'])[1 + i % 4],
                       array['team-' || (i % 50)], i % 10 = 0, '1.' || (i % 7) || '.0'
                  from generate_series(1, :n) i
                """).param("tenant", tenant).param("n", TEMPLATES).update());

        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("first page, no filter", "");
        kinds.put("search matching 1 in 5 (\"database\")", "search=database");
        kinds.put("search matching 1 (\"template 4711 \")", "search=template%204711%20");
        kinds.put("search matching none", "search=nothing-like-this");
        kinds.put("driver=opentofu", "driver=opentofu");
        kinds.put("search + driver", "search=web&driver=ansible");
        String deep = "";
        for (int i = 0; i < 100; i++) {
            deep = api.get("/api/v1/templates?limit=50" + (deep.isEmpty() ? "" : "&cursor=" + deep),
                    admin.accessToken()).json().path("next_cursor").asString();
        }
        kinds.put("page 101 (cursor)", "cursor=" + deep);
        for (int i = 0; i < 5; i++) {
            kinds.values().forEach(q -> assertThat(api.get("/api/v1/templates?limit=50&" + q, admin.accessToken())
                    .status()).isEqualTo(200));
        }
        Map<String, List<Double>> times = new LinkedHashMap<>();
        List<Double> all = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (var kind : kinds.entrySet()) {
                long t0 = System.nanoTime();
                Api.Response page = api.get("/api/v1/templates?limit=50&" + kind.getValue(), admin.accessToken());
                double millis = (System.nanoTime() - t0) / 1e6;
                assertThat(page.status()).as(page.toString()).isEqualTo(200);
                times.computeIfAbsent(kind.getKey(), k -> new ArrayList<>()).add(millis);
                all.add(millis);
            }
            long t0 = System.nanoTime();
            api.get("/api/v1/auth/me", admin.accessToken());
            times.computeIfAbsent("(baseline: GET /api/v1/auth/me)", k -> new ArrayList<>())
                    .add((System.nanoTime() - t0) / 1e6);
        }
        var report = new StringBuilder("\n| catalog list, 10,000 templates | p50 ms | p95 ms | max ms |\n|---|---|---|---|\n");
        times.forEach((kind, t) -> report.append(String.format("| %s | %.1f | %.1f | %.1f |%n", kind,
                percentile(t, 50), percentile(t, 95), percentile(t, 100))));
        report.append(String.format("| **all %d lists** | **%.1f** | **%.1f** | %.1f |%n", all.size(),
                percentile(all, 50), percentile(all, 95), percentile(all, 100)));

        Api.Response created = api.post("/api/v1/templates", admin.accessToken(), obj("name", "Big " + UUID.randomUUID(),
                "driver", "opentofu"));
        String id = created.json().path("id").asString();
        var random = new Random(1);
        List<Double> uploads = new ArrayList<>();
        long size = 0;
        for (int run = 0; run < 6; run++) {
            byte[] archive = twentyMebibytes(random, run);
            size = archive.length;
            long t0 = System.nanoTime();
            Api.Response published = api.upload("/api/v1/templates/" + id + "/versions", admin.accessToken(), "file",
                    "big.zip", archive);
            double millis = (System.nanoTime() - t0) / 1e6;
            assertThat(published.status()).as(published.toString()).isEqualTo(201);
            if (run > 0) {
                uploads.add(millis);
            }
        }
        report.append(String.format("%n| upload and verify | archive | p50 ms | max ms |%n|---|---|---|---|%n"
                + "| %d uploads after one warm-up | %.1f MiB | %.0f | %.0f |%n", uploads.size(), size / 1048576.0,
                percentile(uploads, 50), percentile(uploads, 100)));
        System.out.println(report);
    }

    /** About 20 MiB compressed: half incompressible binaries, half text; unique per run, so never idempotent. */
    private static byte[] twentyMebibytes(Random random, int run) {
        var archive = TemplateArchives.with().manifest(TemplateArchives.manifest("1." + run + ".0", "opentofu",
                "type: object\nproperties:\n  region: {type: string, default: eu-west-1}\n")).file("main.tf",
                "module \"m0\" {\n  source = \"./modules/m0\"\n}\n");
        byte[] binary = new byte[100 * 1024];
        for (int i = 0; i < 100; i++) {
            random.nextBytes(binary);
            archive.file("modules/bin/provider-" + i + ".bin", binary.clone());
        }
        byte[] text = new byte[100 * 1024];
        for (int i = 0; i < 100; i++) {
            random.nextBytes(text);
            archive.file("modules/m" + i + "/main.tf", "# module " + i + "\n" + HexFormat.of().formatHex(text));
        }
        return archive.zip();
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
