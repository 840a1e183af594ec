package dev.canopy.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

import dev.canopy.provisioning.Provisioning;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import tools.jackson.databind.JsonNode;

/** A run's log live over server-sent events, resumable by Last-Event-ID; the engine's health. */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class RunLogsAndHealthTest extends ApiTest {

    @TempDir
    Path target;

    @Autowired
    JobEngine engine;

    @Test
    void theLogStreamsLiveAndResumesAfterTheLastEventItGot() throws Exception {
        var provisioning = new Provisioning(api);
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String template = provisioning.template(admin, Provisioning.FILES_PLAYBOOK, null);
        Api.Response created = provisioning.deploy(admin, template, provisioning.environment(admin, "development"),
                target, Map.of());
        String run = created.json().path("run").path("id").asString();

        List<Long> ids = stream(admin, run, null);
        JsonNode page = api.get("/api/v1/runs/" + run + "/logs?limit=5000", admin.accessToken()).json();
        assertThat(page.path("finished").asBoolean()).isTrue();
        List<Long> stored = page.path("items").findValues("seq").stream().map(JsonNode::asLong).toList();
        assertThat(ids).as("every line, in order, once").isEqualTo(stored);
        assertThat(stored).hasSizeGreaterThan(5).startsWith(1L, 2L, 3L);

        long middle = stored.get(stored.size() / 2);
        assertThat(stream(admin, run, middle)).isEqualTo(stored.subList(stored.size() / 2 + 1, stored.size()));
        JsonNode after = api.get("/api/v1/runs/" + run + "/logs?after=" + middle + "&limit=2", admin.accessToken())
                .json();
        assertThat(after.path("items").findValues("seq").stream().map(JsonNode::asLong).toList())
                .containsExactly(middle + 1, middle + 2);
    }

    @Test
    void healthIsDownWhileTheWorkerLoopDoesNotClaim() {
        assertThat(api.get("/actuator/health", null).status()).isEqualTo(200);
        engine.stop();
        try {
            Api.Response down = api.get("/actuator/health", null);
            assertThat(down.status()).as(down.toString()).isEqualTo(503);
        }
        finally {
            engine.start();
        }
        assertThat(api.get("/actuator/health", null).status()).isEqualTo(200);
    }

    /** The ids of the stream's line events until its end event. */
    private List<Long> stream(Session by, String run, Long lastEventId) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/runs/" + run + "/logs/stream"))
                .header("Authorization", "Bearer " + by.accessToken()).timeout(Duration.ofSeconds(90));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId.toString());
        }
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Long> ids = new ArrayList<>();
        boolean[] ended = {false};
        response.body().takeWhile(line -> !ended[0]).forEach(line -> {
            if (line.startsWith("id:")) {
                ids.add(Long.parseLong(line.substring(3).strip()));
            }
            if (line.startsWith("event:") && line.substring(6).strip().equals("end")) {
                ended[0] = true;
            }
        });
        assertThat(ended[0]).as("the stream ends with an end event").isTrue();
        return ids;
    }
}
