package dev.canopy.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.PlatformTransactionManager;

import com.zaxxer.hikari.HikariDataSource;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.EventStream;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/**
 * Two instances on one database: a notification written on this one (A) reaches a stream opened on the other (B), a
 * separate JVM, through PostgreSQL LISTEN/NOTIFY; and a read on B updates the unread count of a stream on A.
 */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class NotificationFanOutTest extends ApiTest {

    @Autowired
    HikariDataSource dataSource;

    @Autowired
    ApplicationEventPublisher publisher;

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void aNotificationWrittenOnOneInstanceReachesAStreamOnTheOther() throws Exception {
        TenantRef tenant = fixtures.tenant();
        Session ada = fixtures.userIn(tenant, "member");
        var envelopes = new Envelopes(publisher, transactions);
        int otherPort = freePort();
        Process other = startOtherInstance(otherPort);
        try {
            var onB = new Api("http://localhost:" + otherPort);
            Session adaOnB = new Fixtures(onB).login(ada.email(), Fixtures.PASSWORD, tenant.id());
            try (var streamOnB = EventStream.open("http://localhost:" + otherPort + "/api/v1/notifications/stream",
                    adaOnB.accessToken(), Map.of());
                    var streamOnA = EventStream.open("http://localhost:" + port + "/api/v1/notifications/stream",
                            ada.accessToken(), Map.of())) {
                assertThat(streamOnB.status()).isEqualTo(200);
                streamOnB.next("unread", Duration.ofSeconds(20));
                streamOnA.next("unread", Duration.ofSeconds(20));

                envelopes.publish(Envelopes.runFailed(tenant.id(), ada.userId(), "across"));
                EventStream.Event arrived = streamOnB.next("notification", Duration.ofSeconds(20));
                JsonNode n = NotificationsApiTest.parse(arrived.data());
                assertThat(n.path("title").asString()).isEqualTo("Run failed: 'across'");
                assertThat(NotificationsApiTest.parse(streamOnB.next("unread", Duration.ofSeconds(10)).data())
                        .path("unread").asLong()).isEqualTo(1);
                streamOnA.next("notification", Duration.ofSeconds(10));

                // the other way: marked read on B, A's bell goes to zero
                Api.Response read = onB.send("PUT", "/api/v1/notifications/" + arrived.id() + "/read",
                        adaOnB.accessToken(), null, Map.of());
                assertThat(read.status()).as(read.toString()).isEqualTo(200);
                streamOnA.next(e -> e.name().equals("unread") && e.data().equals("{\"unread\":0}"),
                        Duration.ofSeconds(10), "the unread count 0 on A");
            }
        }
        finally {
            other.destroy();
            if (!other.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(20),
                    java.util.concurrent.TimeUnit.MILLISECONDS)) {
                other.destroyForcibly();
            }
        }
    }

    private static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Process startOtherInstance(int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"), "-Xmx512m",
                "dev.canopy.CanopyApplication", "--server.port=" + port,
                "--canopy.database.url=" + dataSource.getJdbcUrl(), "--canopy.database.user=canopy_owner",
                "--canopy.database.password=", "--canopy.database.app-user=canopy_app",
                "--canopy.database.app-password=", "--canopy.issuer=http://localhost:" + port,
                "--canopy.data-dir=target/fan-out-instance",
                "--canopy.secrets.master-key=" + Files.readString(Path.of("target/test-data/master.key")).strip(),
                "--canopy.jobs.enabled=false", "--canopy.auth.throttle.per-ip-per-minute=1000000",
                "--canopy.audit.retention-cron=-", "--canopy.audit.verify-cron=-");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(new File("target/fan-out-instance.log")).start();
        var health = new Api("http://localhost:" + port);
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the other instance ended: see target/fan-out-instance.log");
            }
            try {
                if (health.get("/actuator/health", null).status() == 200) {
                    return process;
                }
            }
            catch (RuntimeException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        process.destroyForcibly();
        throw new AssertionError("the other instance did not start within four minutes");
    }
}
