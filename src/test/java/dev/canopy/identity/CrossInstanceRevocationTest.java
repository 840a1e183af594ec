package dev.canopy.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import com.zaxxer.hikari.HikariDataSource;

import dev.canopy.CanopyApplication;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;

/**
 * Two Canopy instances on one database: a session ended through one is refused by the other within a
 * second, although the other answers from its cache (LISTEN/NOTIFY carries the revocation).
 */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class CrossInstanceRevocationTest extends ApiTest {

    @Autowired
    private HikariDataSource dataSource;

    private static ConfigurableApplicationContext second;
    private static Api secondApi;

    @BeforeEach
    void startSecondInstance() {
        if (second != null) {
            return;
        }
        second = new SpringApplicationBuilder(CanopyApplication.class).run("--server.port=0",
                "--canopy.database.url=" + dataSource.getJdbcUrl(), "--canopy.database.user=canopy_owner",
                "--canopy.database.password=", "--canopy.database.app-user=canopy_app",
                "--canopy.database.app-password=", "--canopy.issuer=http://localhost:" + port,
                "--canopy.data-dir=target/second-instance",
                // instances of one installation share the master key (CANOPY_MASTER_KEY); this one's data
                // directory differs, so it is given the first instance's key
                "--canopy.secrets.master-key=" + masterKeyOfFirstInstance());
        int secondPort = ((WebServerApplicationContext) second).getWebServer().getPort();
        secondApi = new Api("http://localhost:" + secondPort);
    }

    private static String masterKeyOfFirstInstance() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("target/test-data/master.key")).strip();
        }
        catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopSecondInstance() {
        if (second != null) {
            second.close();
        }
    }

    @Test
    void aLogoutOnOneInstanceIsRefusedOnTheOtherWithinASecond() throws InterruptedException {
        Session session = fixtures.userIn(fixtures.tenant(), "member");
        assertThat(secondApi.get("/api/v1/auth/me", session.accessToken()).status()).isEqualTo(200);

        assertThat(api.post("/api/v1/auth/logout", session.accessToken(), null).status()).isEqualTo(204);
        long loggedOut = System.nanoTime();
        int status = 200;
        while (status == 200 && System.nanoTime() - loggedOut < 2_000_000_000L) {
            status = secondApi.get("/api/v1/auth/me", session.accessToken()).status();
            Thread.sleep(10);
        }
        long elapsedMillis = (System.nanoTime() - loggedOut) / 1_000_000;

        assertThat(status).isEqualTo(401);
        assertThat(elapsedMillis).as("milliseconds until the other instance refused the token").isLessThan(1000);
    }

    @Test
    void aRoleChangeOnOneInstanceChangesPermissionsOnTheOther() throws InterruptedException {
        var tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session viewer = fixtures.userIn(tenant, "viewer");
        assertThat(secondApi.get("/api/v1/roles", viewer.accessToken()).status()).isEqualTo(403);

        var changed = api.patch("/api/v1/users/" + viewer.userId(), admin.accessToken(),
                Api.obj("roles", java.util.List.of("member"), "version", 0));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        long started = System.nanoTime();
        int status = 403;
        while (status == 403 && System.nanoTime() - started < 2_000_000_000L) {
            status = secondApi.get("/api/v1/roles", viewer.accessToken()).status();
            Thread.sleep(10);
        }

        assertThat(status).isEqualTo(200);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1000);
    }

    @Test
    void anApiKeyRevokedOnOneInstanceIsRefusedOnTheOtherWithinASecond() throws InterruptedException {
        var tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        var created = api.post("/api/v1/api-keys", admin.accessToken(), Api.obj("name", "pipeline", "roles",
                java.util.List.of("viewer")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String secret = created.json().path("secret").asString();
        assertThat(secondApi.get("/api/v1/users", secret).status()).as("cached on the other instance").isEqualTo(200);

        assertThat(api.delete("/api/v1/api-keys/" + created.json().path("id").asString(), admin.accessToken())
                .status()).isEqualTo(204);
        long revoked = System.nanoTime();
        int status = 200;
        while (status == 200 && System.nanoTime() - revoked < 2_000_000_000L) {
            status = secondApi.get("/api/v1/users", secret).status();
            Thread.sleep(10);
        }

        assertThat(status).isEqualTo(401);
        assertThat((System.nanoTime() - revoked) / 1_000_000).isLessThan(1000);
    }

    @Test
    void aPolicyChangeOnOneInstanceTakesEffectOnTheOtherWithinASecond() throws InterruptedException {
        var tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session viewer = fixtures.userIn(tenant, "viewer");
        assertThat(secondApi.get("/api/v1/roles", viewer.accessToken()).status()).as("compiled and cached there")
                .isEqualTo(403);

        // a group on instance one gives the viewer roles:list; instance two must see it
        var group = api.post("/api/v1/groups", admin.accessToken(), Api.obj("name", "Readers"));
        String groupId = group.json().path("id").asString();
        assertThat(api.post("/api/v1/groups/" + groupId + "/roles/member", admin.accessToken(), null).status())
                .isEqualTo(204);
        assertThat(api.post("/api/v1/groups/" + groupId + "/members/" + viewer.userId(), admin.accessToken(), null)
                .status()).isEqualTo(204);
        assertThat(millisUntil(viewer, 200)).isLessThan(1000);

        // a direct deny on instance one takes it away on instance two
        assertThat(api.post("/api/v1/users/" + viewer.userId() + "/permissions", admin.accessToken(),
                Api.obj("permission", "roles:list", "effect", "deny")).status()).isEqualTo(201);
        assertThat(millisUntil(viewer, 403)).isLessThan(1000);
    }

    /** Milliseconds until instance two answers {@code GET /roles} for the session with the status (or 2 s). */
    private long millisUntil(Session session, int expected) throws InterruptedException {
        long started = System.nanoTime();
        int status = -1;
        while (status != expected && System.nanoTime() - started < 2_000_000_000L) {
            status = secondApi.get("/api/v1/roles", session.accessToken()).status();
            if (status != expected) {
                Thread.sleep(10);
            }
        }
        assertThat(status).isEqualTo(expected);
        return (System.nanoTime() - started) / 1_000_000;
    }
}
