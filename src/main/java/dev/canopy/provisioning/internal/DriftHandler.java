package dev.canopy.provisioning.internal;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.platform.db.TenantTransactions;

/**
 * The scheduled drift check of a deployment: a plan-only run, requested by Canopy. Never two at once and never in
 * the way of the deployment's own runs (while any run of it is under way, the check waits for the next interval);
 * paused after a failed apply or destroy, until an apply succeeds again.
 */
@Component
class DriftHandler implements JobHandler {

    static final RunLifecycle.Requester DRIFT = new RunLifecycle.Requester(null, "system:drift");

    private final Deployments deployments;
    private final Environments environments;
    private final Runs runs;
    private final RunLifecycle lifecycle;
    private final TenantTransactions scopes;

    DriftHandler(Deployments deployments, Environments environments, Runs runs, RunLifecycle lifecycle,
            TenantTransactions scopes) {
        this.deployments = deployments;
        this.environments = environments;
        this.runs = runs;
        this.lifecycle = lifecycle;
        this.scopes = scopes;
    }

    @Override
    public String kind() {
        return Job.DRIFT;
    }

    @Override
    public Outcome attempt(Job job, JobLease lease) {
        UUID tenantId = job.tenantId();
        return scopes.inTenant(tenantId, () -> {
            Optional<Deployment> found = deployments.lock(tenantId, job.subjectId());
            if (found.isEmpty() || !found.get().status().equals(Deployment.ACTIVE)) {
                return new Outcome.Done();
            }
            Deployment deployment = found.get();
            Environment environment = environments.find(tenantId, deployment.environmentId()).orElseThrow();
            if (environment.driftCheck() == null) {
                return new Outcome.Done();
            }
            Instant next = Instant.now().plus(environment.driftCheck());
            if (!runs.unfinished(tenantId, deployment.id()).isEmpty()) {
                return new Outcome.WaitUntil(next);
            }
            boolean paused = runs.lastMutating(tenantId, deployment.id())
                    .filter(r -> r.state() == RunState.FAILED || r.state() == RunState.DEAD_LETTER).isPresent();
            if (paused) {
                return new Outcome.Done();
            }
            lifecycle.request(deployment, environment, Run.PLAN, DRIFT, null);
            return new Outcome.WaitUntil(next);
        });
    }

    @Override
    public void exhausted(Job job, String error) {
        // a check that could not even be requested leaves the last result; the next apply schedules checks again
    }
}
