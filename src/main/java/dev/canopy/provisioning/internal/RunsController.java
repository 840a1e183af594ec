package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.canopy.access.Permissions;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import dev.canopy.provisioning.internal.Views.RunView;

/** Runs: their state, plan, approvals, steps and logs; deciding, cancelling and replaying them. */
@RestController
class RunsController {

    private static final int MAX_LOG_PAGE = 5000;

    private final Runs runs;
    private final RunLogs logs;
    private final DeploymentDirectory deployments;
    private final EnvironmentDirectory environments;
    private final RunLifecycle lifecycle;
    private final LogStreams streams;
    private final TenantTransactions scopes;

    RunsController(Runs runs, RunLogs logs, DeploymentDirectory deployments, EnvironmentDirectory environments,
            RunLifecycle lifecycle, LogStreams streams, TenantTransactions scopes) {
        this.runs = runs;
        this.logs = logs;
        this.deployments = deployments;
        this.environments = environments;
        this.lifecycle = lifecycle;
        this.streams = streams;
        this.scopes = scopes;
    }

    record Decision(@Nullable String decision, @Nullable String comment) {
    }

    record LogPage(List<LogLine> items, long lastSeq, boolean finished) {
    }

    @GetMapping("/api/v1/runs/{id}")
    RunView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        Run run = deployments.visibleRun(principal, id);
        return RunView.of(run, scopes.inTenant(run.tenantId(), () -> runs.approvals(run.tenantId(), id)),
                scopes.inTenant(run.tenantId(), () -> runs.steps(run.tenantId(), id)));
    }

    @GetMapping("/api/v1/runs/{id}/logs")
    LogPage logs(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestParam(required = false, defaultValue = "0") long after,
            @RequestParam(required = false) @Nullable Integer limit) {
        Run run = deployments.visibleRun(principal, id);
        int size = limit == null ? 1000 : limit;
        if (size < 1 || size > MAX_LOG_PAGE || after < 0) {
            throw ApiException.invalidField(after < 0 ? "after" : "limit", after < 0 ? "must not be negative"
                    : "must be between 1 and " + MAX_LOG_PAGE);
        }
        List<LogLine> lines = scopes.inTenant(run.tenantId(), () -> logs.after(run.tenantId(), id, after, size));
        return new LogPage(lines, lines.isEmpty() ? after : lines.getLast().seq(), run.state().terminal());
    }

    @GetMapping(path = "/api/v1/runs/{id}/logs/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId,
            @RequestParam(required = false, defaultValue = "0") long after) {
        Run run = deployments.visibleRun(principal, id);
        long from = after;
        if (lastEventId != null) {
            try {
                from = Long.parseLong(lastEventId.strip());
            }
            catch (NumberFormatException e) {
                throw ApiException.badRequest("LAST_EVENT_ID_INVALID", "Last-Event-ID must be a line number.");
            }
        }
        return streams.stream(run.tenantId(), id, from);
    }

    @Audited(action = "run.decided", resource = "run")
    @PostMapping("/api/v1/runs/{id}/approvals")
    RunView decide(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody Decision body) {
        deployments.visibleRun(principal, id);
        if (body.decision() == null || !Set.of("approve", "reject").contains(body.decision())) {
            throw ApiException.invalidField("decision", "must be approve or reject");
        }
        String comment = body.comment() == null ? "" : body.comment();
        if (comment.length() > 1000) {
            throw ApiException.invalidField("comment", "must be at most 1000 characters");
        }
        Run decided = scopes.inTenant(principal.tenantId(), () -> lifecycle.decide(principal, id,
                body.decision().equals("approve"), comment));
        return RunView.of(decided, scopes.inTenant(decided.tenantId(), () -> runs.approvals(decided.tenantId(), id)),
                null);
    }

    @Audited(action = "run.cancel_requested", resource = "run")
    @PostMapping("/api/v1/runs/{id}/cancel")
    ResponseEntity<RunView> cancel(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        Run run = deployments.visibleRun(principal, id);
        deployments.require(principal, Permissions.DEPLOYMENTS_UPDATE, deployments.get(run.tenantId(),
                run.deploymentId()));
        Run canceled = scopes.inTenant(principal.tenantId(), () -> lifecycle.cancel(principal.tenantId(), id));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(RunView.of(canceled));
    }

    @Audited(action = "run.replayed", resource = "run")
    @PostMapping("/api/v1/runs/{id}/replay")
    ResponseEntity<RunView> replay(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        Run run = deployments.visibleRun(principal, id);
        Deployment deployment = deployments.get(run.tenantId(), run.deploymentId());
        deployments.require(principal, Permissions.DEPLOYMENTS_UPDATE, deployment);
        Environment environment = environments.find(run.tenantId(), deployment.environmentId());
        Run replay = scopes.inTenant(principal.tenantId(), () -> lifecycle.replay(run, deployment, environment,
                DeploymentDirectory.requester(principal)));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(RunView.of(replay));
    }

    /** Pending runs the caller may decide on: the approver's inbox. */
    @GetMapping("/api/v1/approvals")
    Page<RunView> inbox(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false, defaultValue = "pending") String status,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        if (!status.equals("pending")) {
            throw ApiException.invalidField("status", "must be pending");
        }
        PageRequest page = PageRequest.of(limit, cursor);
        UUID tenantId = principal.tenantId();
        List<Run> candidates = scopes.inTenant(tenantId, () -> runs.awaitingApproval(tenantId, page.after(),
                page.fetchSize()));
        Page<Run> found = page.page(candidates, Run::id);
        List<RunView> mine = scopes.inTenant(tenantId, () -> lifecycle.pendingFor(principal, found.items()).stream()
                .map(r -> RunView.of(r, lifecycle.approvalsOfPlan(r), null)).toList());
        return new Page<>(mine, found.nextCursor());
    }

}
