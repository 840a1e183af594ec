package dev.canopy.integration.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;
import dev.canopy.provisioning.DeploymentCiStatus;
import dev.canopy.provisioning.DeploymentCiStatus.CiStatus;
import tools.jackson.databind.JsonNode;

/**
 * What a {@code workflow_run} or {@code check_suite} delivery says about a repository's branch, read from the
 * payload shapes of GitHub's webhook reference: {@code workflow_run.{status, conclusion, head_branch, head_sha, name,
 * html_url, updated_at}}, {@code check_suite.{status, conclusion, head_branch, head_sha, app.name, updated_at}} and
 * {@code repository.{full_name, html_url}}. A completed run's state is its conclusion.
 */
record GitHubCiReport(String repository, String branch, CiStatus status) {

    static final String WORKFLOW_RUN = "workflow_run";
    static final String CHECK_SUITE = "check_suite";

    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");
    private static final int MAX_NAME = 200;
    private static final int MAX_URL = 2000;

    /** Why a well-formed delivery names nothing a deployment could show. */
    record Ignored(String reason) {
    }

    /**
     * The report in the payload of the event, or why it is ignored (no branch: a run on a tag; a state GitHub added
     * after this was written).
     *
     * @throws ApiException 400 {@code PAYLOAD_INVALID} when a field every such payload has is missing
     */
    static Result read(String event, JsonNode payload) {
        JsonNode run = payload.path(event);
        if (!run.isObject()) {
            throw invalid(event, event, "is required");
        }
        String repository = text(payload.path("repository").path("full_name"));
        if (repository == null) {
            throw invalid(event, "repository.full_name", "is required");
        }
        String status = text(run.path("status"));
        if (status == null) {
            throw invalid(event, event + ".status", "is required");
        }
        String branch = text(run.path("head_branch"));
        if (branch == null) {
            return new Result(null, new Ignored("no head_branch"));
        }
        String state = status.equals("completed") ? text(run.path("conclusion")) : status;
        if (state == null) {
            throw invalid(event, event + ".conclusion", "is required when the status is completed");
        }
        if (!DeploymentCiStatus.RUNNING.contains(state) && !DeploymentCiStatus.FINAL.contains(state)) {
            return new Result(null, new Ignored("unknown state " + bounded(state, 50)));
        }
        String sha = Optional.ofNullable(text(run.path("head_sha"))).filter(s -> SHA.matcher(s).matches()).orElse(null);
        String name;
        String url;
        if (event.equals(WORKFLOW_RUN)) {
            name = Optional.ofNullable(text(run.path("name"))).orElse(WORKFLOW_RUN);
            url = https(text(run.path("html_url")));
        }
        else {
            name = Optional.ofNullable(text(run.path("app").path("name"))).orElse(CHECK_SUITE);
            String repositoryUrl = https(text(payload.path("repository").path("html_url")));
            url = repositoryUrl == null || sha == null ? null : https(repositoryUrl + "/commit/" + sha + "/checks");
        }
        return new Result(new GitHubCiReport(repository, branch, new CiStatus(state, bounded(name, MAX_NAME), url, sha,
                instant(text(run.path("updated_at"))))), null);
    }

    /** Either a report or why there is none. */
    record Result(@Nullable GitHubCiReport report, @Nullable Ignored ignored) {
    }

    private static @Nullable String text(JsonNode node) {
        return node.isString() && !node.asString().isBlank() ? node.asString() : null;
    }

    private static @Nullable String https(@Nullable String url) {
        return url != null && url.startsWith("https://") && url.length() <= MAX_URL ? url : null;
    }

    private static String bounded(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    /** GitHub's time of the change; the time of receipt when it says none. */
    private static Instant instant(@Nullable String text) {
        try {
            return text == null ? Instant.now() : Instant.parse(text);
        }
        catch (DateTimeParseException e) {
            return Instant.now();
        }
    }

    private static ApiException invalid(String event, String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "PAYLOAD_INVALID", "The payload lacks what every GitHub "
                + event + " delivery has.", List.of(new ApiException.FieldError(field, message)));
    }
}
