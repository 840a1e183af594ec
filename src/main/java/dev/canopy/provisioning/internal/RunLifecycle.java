package dev.canopy.provisioning.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.RoleCatalog;
import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;

/**
 * The rules runs move by: admission (one mutating run per deployment at a time, the next one waits queued),
 * approvals bound to the plan, cancellation, replay, and what happens when a run ends. Methods run inside the
 * caller's tenant transaction; every state change is a guarded transition, so racing changes cannot both win.
 */
@Service
class RunLifecycle {

    static final String CANCEL_TOPIC = "run_cancel";

    private final Runs runs;
    private final Deployments deployments;
    private final JobQueue queue;
    private final JobSettings settings;
    private final RoleCatalog roles;
    private final AccessDecisionPoint decisions;
    private final AuditTrail audit;
    private final ChangeBroadcast changes;
    private final Duration expiryWarning;
    private final Environments environments;
    private final DriftChecks drift;
    private final ProvisioningEvents events;

    RunLifecycle(Runs runs, Deployments deployments, JobQueue queue, JobSettings settings, RoleCatalog roles,
            AccessDecisionPoint decisions, AuditTrail audit, ChangeBroadcast changes,
            @Value("${canopy.provisioning.expiry-warning:1h}") Duration expiryWarning, Environments environments,
            DriftChecks drift, ProvisioningEvents events) {
        this.events = events;
        this.environments = environments;
        this.drift = drift;
        this.expiryWarning = expiryWarning;
        this.runs = runs;
        this.deployments = deployments;
        this.queue = queue;
        this.settings = settings;
        this.roles = roles;
        this.decisions = decisions;
        this.audit = audit;
        this.changes = changes;
    }

    /** Who asked for a run: a person, or Canopy itself (a TTL). */
    record Requester(@Nullable UUID userId, String email) {

        static final Requester TTL = new Requester(null, "system:ttl");
    }

    /**
     * A new run of the deployment with the environment's protection (none for Canopy's own TTL destroys, agreed when
     * the deployment was made); started now if nothing else changes the deployment, queued behind it otherwise.
     */
    Run request(Deployment deployment, Environment environment, String kind, Requester by, @Nullable UUID replayOf) {
        UUID tenantId = deployment.tenantId();
        deployments.lock(tenantId, deployment.id());
        Protection p = by.userId() == null ? Protection.NONE : environment.protection();
        Instant now = Instant.now();
        var run = new Run(tenantId, Ids.newId(), deployment.id(), kind, RunState.QUEUED, by.userId(), by.email(),
                replayOf, p.requiredApprovals(), p.approverRoles(), p.allowSelfApproval(), p.approvalTimeout(), null,
                null, null, 0, null, now, null, null, now);
        runs.insert(run);
        if (kind.equals(Run.DESTROY)) {
            deployments.setStatus(tenantId, deployment.id(), Deployment.DESTROYING);
        }
        if (!run.mutating()) {
            start(run);
        }
        else {
            admitNext(tenantId, deployment.id());
        }
        return runs.find(tenantId, run.id()).orElseThrow();
    }

    /** Starts the deployment's oldest waiting mutating run, unless an earlier one is still under way. */
    void admitNext(UUID tenantId, UUID deploymentId) {
        deployments.lock(tenantId, deploymentId);
        List<Run> unfinished = runs.unfinishedMutating(tenantId, deploymentId);
        if (!unfinished.isEmpty() && unfinished.getFirst().state() == RunState.QUEUED) {
            start(unfinished.getFirst());
        }
    }

    private void start(Run run) {
        queue.schedule(run.tenantId(), Job.RUN, run.id(), Instant.now(), settings.maxAttempts());
    }

    /**
     * An approver's decision on the run's current plan. One rejection rejects; the required number of distinct
     * approvals approves and resumes the run at once.
     */
    Run decide(CanopyPrincipal principal, UUID runId, boolean approve, String comment) {
        UUID tenantId = principal.tenantId();
        Run run = runs.lock(tenantId, runId).orElseThrow(() -> notFound(runId));
        if (run.state() != RunState.AWAITING_APPROVAL) {
            throw ApiException.conflict(run.state().terminal() ? "RUN_FINISHED" : "RUN_NOT_AWAITING_APPROVAL",
                    "The run is " + run.state().key() + "; only a run awaiting approval takes decisions.");
        }
        if (!mayApprove(principal, run)) {
            throw new ApiException(HttpStatus.FORBIDDEN, "NOT_AN_APPROVER", "Approving this run needs one of the "
                    + "roles " + String.join(", ", run.approverRoles()) + ".");
        }
        if (principal.userId().equals(run.requestedBy()) && !run.allowSelfApproval()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "SELF_APPROVAL_FORBIDDEN", "You requested this run; "
                    + "someone else must approve it.");
        }
        List<Runs.Approval> current = approvalsOfPlan(run);
        if (current.stream().anyMatch(a -> a.approverId().equals(principal.userId()))) {
            throw ApiException.conflict("ALREADY_DECIDED", "You already decided on this run's plan.");
        }
        runs.insertApproval(tenantId, runId, new Runs.Approval(principal.userId(), principal.email(),
                approve ? "approve" : "reject", comment, run.planDigest(), Instant.now()));
        audit.detail("decision", approve ? "approve" : "reject");
        audit.detail("plan_digest", run.planDigest());
        if (!approve) {
            runs.transition(tenantId, runId, Set.of(RunState.AWAITING_APPROVAL), RunState.REJECTED,
                    "rejected by " + principal.email());
            queue.unschedule(tenantId, Job.RUN, runId);
            events.rejected(run, deployments.find(tenantId, run.deploymentId()).orElseThrow(), principal.userId(),
                    comment);
            ended(run, RunState.REJECTED);
        }
        else if (current.size() + 1 >= run.requiredApprovals()) {
            runs.transition(tenantId, runId, Set.of(RunState.AWAITING_APPROVAL), RunState.APPROVED, null);
            var approvers = new java.util.ArrayList<UUID>(current.stream().map(Runs.Approval::approverId).toList());
            approvers.add(principal.userId());
            events.approved(run, deployments.find(tenantId, run.deploymentId()).orElseThrow(), approvers);
            start(run); // moves the waiting deadline job to now
        }
        audit.detail("approvals", current.size() + (approve ? 1 : 0));
        return runs.find(tenantId, runId).orElseThrow();
    }

    /** Whether the principal holds one of the run's approver roles (whoever requested it). */
    boolean mayApprove(CanopyPrincipal principal, Run run) {
        if (principal.kind() != CanopyPrincipal.Kind.USER) {
            return false;
        }
        UUID unit = decisions.activeBusinessUnit(principal).orElse(null);
        return roles.holdsAny(principal.tenantId(), principal.userId(), unit, run.approverRoles());
    }

    /** Whether the principal may decide on the run now: an approver, not its requester (unless allowed), undecided. */
    boolean mayDecide(CanopyPrincipal principal, Run run) {
        return run.state() == RunState.AWAITING_APPROVAL
                && (run.allowSelfApproval() || !principal.userId().equals(run.requestedBy()))
                && approvalsOfPlan(run).stream().noneMatch(a -> a.approverId().equals(principal.userId()))
                && mayApprove(principal, run);
    }

    /** The runs awaiting approval after the cursor that the principal may decide on (the approver's inbox). */
    List<Run> pendingFor(CanopyPrincipal principal, List<Run> awaiting) {
        return awaiting.stream().filter(r -> mayDecide(principal, r)).toList();
    }

    List<Runs.Approval> approvalsOfPlan(Run run) {
        return runs.approvals(run.tenantId(), run.id()).stream()
                .filter(a -> a.planDigest().equals(run.planDigest())).toList();
    }

    /**
     * Cancels the run: at once when no process runs for it, otherwise by asking the worker that executes it (on
     * whichever instance), which stops its process and ends it {@code canceled}.
     */
    Run cancel(UUID tenantId, UUID runId) {
        Run run = runs.lock(tenantId, runId).orElseThrow(() -> notFound(runId));
        if (run.state().terminal()) {
            throw ApiException.conflict("RUN_FINISHED", "The run is " + run.state().key() + " already.");
        }
        if (run.state() == RunState.CANCEL_REQUESTED || run.state() == RunState.CANCELING) {
            return run;
        }
        if (run.state().executing()) {
            runs.transition(tenantId, runId, Set.of(run.state()), RunState.CANCEL_REQUESTED, null);
            changes.publish(CANCEL_TOPIC, runId.toString());
        }
        else {
            runs.transition(tenantId, runId, Set.of(run.state()), RunState.CANCELED, "canceled before it ran");
            queue.unschedule(tenantId, Job.RUN, runId);
            ended(run, RunState.CANCELED);
        }
        return runs.find(tenantId, runId).orElseThrow();
    }

    /** A new run doing what a finished one did, linked to it. */
    Run replay(Run original, Deployment deployment, Environment environment, Requester by) {
        if (!original.state().terminal()) {
            throw ApiException.conflict("RUN_NOT_FINISHED", "Only a finished run can be replayed.");
        }
        if (deployment.status().equals(Deployment.DESTROYED)) {
            throw ApiException.conflict("DEPLOYMENT_DESTROYED", "The deployment is destroyed.");
        }
        return request(deployment, environment, original.kind(), by, original.id());
    }

    /**
     * What a run's end means for its deployment: its status when it changed the deployment (or failed to), and the
     * next queued run may start.
     */
    void ended(Run run, RunState state) {
        UUID tenantId = run.tenantId();
        Deployment deployment;
        if (run.mutating()) {
            deployment = deployments.lock(tenantId, run.deploymentId()).orElseThrow();
            String status = switch (state) {
                case SUCCEEDED -> run.kind().equals(Run.DESTROY) ? Deployment.DESTROYED : Deployment.ACTIVE;
                case FAILED, DEAD_LETTER -> Deployment.FAILED;
                // a destroy that never ran leaves the deployment as it was before it
                default -> run.kind().equals(Run.DESTROY) && deployment.status().equals(Deployment.DESTROYING)
                        ? Deployment.ACTIVE : deployment.status();
            };
            if (!status.equals(deployment.status())) {
                deployments.setStatus(tenantId, run.deploymentId(), status);
            }
            if (status.equals(Deployment.DESTROYED)) {
                events.destroyed(deployment);
                queue.unschedule(tenantId, Job.EXPIRE, run.deploymentId());
                queue.unschedule(tenantId, Job.DRIFT, run.deploymentId());
            }
            else if (state == RunState.SUCCEEDED) {
                if (deployment.expiresAt() != null) {
                    rescheduleExpiry(tenantId, run.deploymentId(), deployment.expiresAt());
                }
                drift.applied(deployment);
                Duration every = environments.find(tenantId, deployment.environmentId()).orElseThrow().driftCheck();
                if (every != null) {
                    drift.schedule(tenantId, deployment.id(), every);
                }
            }
            admitNext(tenantId, run.deploymentId());
        }
        else {
            deployment = deployments.find(tenantId, run.deploymentId()).orElseThrow();
            if (deployment.status().equals(Deployment.ACTIVE)) {
                if (state == RunState.SUCCEEDED) {
                    drift.planned(deployment, runs.find(tenantId, run.id()).orElseThrow().plan());
                }
                else if (state == RunState.FAILED || state == RunState.DEAD_LETTER) {
                    drift.failed(deployment);
                }
            }
        }
        // the deployment read above names it and its owner; the run is read again for the error its end recorded
        events.ended(runs.find(tenantId, run.id()).orElse(run), deployment, state);
        audit.append(new AuditRecord(tenantId, Instant.now(), actorOf(run), "run." + state.key(), "run",
                run.id().toString(), state == RunState.SUCCEEDED, null, null, null, null,
                Map.of("deployment_id", run.deploymentId().toString(), "kind", run.kind())));
    }

    /** Moves the deployment's TTL job to the warning before its new expiry. */
    void rescheduleExpiry(UUID tenantId, UUID deploymentId, Instant expiresAt) {
        queue.schedule(tenantId, Job.EXPIRE, deploymentId, expiresAt.minus(expiryWarning), settings.maxAttempts());
    }

    private static Actor actorOf(Run run) {
        return run.requestedBy() == null ? new Actor.SystemActor("provisioning")
                : new Actor.UserActor(run.requestedBy(), run.requestedByEmail());
    }

    static ApiException notFound(UUID runId) {
        return ApiException.notFound("RUN_NOT_FOUND", "No run " + runId + " in this tenant.");
    }
}
