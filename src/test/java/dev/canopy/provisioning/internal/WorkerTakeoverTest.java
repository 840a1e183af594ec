package dev.canopy.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

import com.zaxxer.hikari.HikariDataSource;

import dev.canopy.provisioning.Provisioning;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import tools.jackson.databind.JsonNode;

/**
 * Two engine instances on one database, the second a separate JVM killed with SIGKILL (kill -9) in the middle of
 * a run: its lease runs out, this instance takes the run over and finishes it, once.
 */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class WorkerTakeoverTest extends ApiTest {

    /** Counts its attempts in a file, then takes long enough to be killed in the middle. */
    static final String SLOW = """
            - hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: count the attempt
                  ansible.builtin.shell: "echo attempt >> {{ target }}/attempts.log"
                  when: not ansible_check_mode
                - name: take a while
                  ansible.builtin.command: "sleep {{ message }}"
                - name: finish
                  ansible.builtin.copy:
                    dest: "{{ target }}/finished.txt"
                    content: "done"
            """;

    @TempDir
    Path target;

    @Autowired
    JobEngine engine;

    @Autowired
    HikariDataSource dataSource;

    @Test
    void aRunWhoseWorkerIsKilledIsTakenOverAndFinishedOnce() throws Exception {
        var provisioning = new Provisioning(api);
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String template = provisioning.template(admin, SLOW, null);
        String development = provisioning.environment(admin, "development");
        Process other = null;
        engine.stop(); // only the other instance claims, until it dies
        try {
            other = startOtherInstance();
            var body = new java.util.LinkedHashMap<String, Object>(Map.of("inputs", Map.of("target",
                    target.toString(), "message", "6")));
            Api.Response created = provisioning.deploy(admin, template, development, target, body);
            String run = created.json().path("run").path("id").asString();
            awaitLines(target.resolve("attempts.log"), 1);
            other.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no lease given back
            assertThat(other.exitValue()).isEqualTo(137);
            engine.start();

            JsonNode done = provisioning.await(admin, run);
            assertThat(done.path("state").asString()).as(provisioning.log(admin, run)).isEqualTo("succeeded");
            assertThat(done.path("attempts").asInt()).isEqualTo(2);
            assertThat(Files.readAllLines(target.resolve("attempts.log"))).as("the killed attempt and the takeover")
                    .hasSize(2);
            assertThat(Files.readString(target.resolve("finished.txt"))).isEqualTo("done");
            assertThat(provisioning.log(admin, run)).contains("attempt 1 of 3: apply", "attempt 2 of 3: apply");
        }
        finally {
            if (other != null && other.isAlive()) {
                other.destroyForcibly();
            }
            if (!engine.isRunning()) {
                engine.start();
            }
        }
    }

    private Process startOtherInstance() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"), "-Xmx512m",
                "dev.canopy.CanopyApplication", "--server.port=" + port,
                "--canopy.database.url=" + dataSource.getJdbcUrl(), "--canopy.database.user=canopy_owner",
                "--canopy.database.password=", "--canopy.database.app-user=canopy_app",
                "--canopy.database.app-password=", "--canopy.issuer=http://localhost:" + port,
                "--canopy.data-dir=target/takeover-instance",
                "--canopy.secrets.master-key=" + Files.readString(Path.of("target/test-data/master.key")).strip(),
                "--canopy.jobs.workers=1", "--canopy.jobs.lease=4s", "--canopy.jobs.heartbeat=1s",
                "--canopy.audit.retention-cron=-", "--canopy.audit.verify-cron=-");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(new File("target/takeover-instance.log")).start();
        var health = new Api("http://localhost:" + port);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the other instance ended: see target/takeover-instance.log");
            }
            try {
                if (health.get("/actuator/health", null).status() == 200) {
                    return process;
                }
            }
            catch (RuntimeException e) {
                // not listening yet
            }
            Provisioning.sleep(250);
        }
        process.destroyForcibly();
        throw new AssertionError("the other instance did not start within two minutes");
    }

    private static void awaitLines(Path file, int lines) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readAllLines(file).size() >= lines) {
                return;
            }
            Provisioning.sleep(100);
        }
        throw new AssertionError("the other instance never started the run");
    }
}
