package dev.canopy.provisioning.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.db.TenantTransactions;

/** When a deployment's TTL ends, requests its destroy run (Canopy's own, needing no approval: agreed at creation). */
@Component
class ExpiryHandler implements JobHandler {

    private final Deployments deployments;
    private final Environments environments;
    private final RunLifecycle lifecycle;
    private final TenantTransactions scopes;
    private final AuditTrail audit;

    ExpiryHandler(Deployments deployments, Environments environments, RunLifecycle lifecycle,
            TenantTransactions scopes, AuditTrail audit) {
        this.deployments = deployments;
        this.environments = environments;
        this.lifecycle = lifecycle;
        this.scopes = scopes;
        this.audit = audit;
    }

    @Override
    public String kind() {
        return Job.EXPIRE;
    }

    @Override
    public Outcome attempt(Job job, JobLease lease) {
        UUID tenantId = job.tenantId();
        return scopes.inTenant(tenantId, () -> {
            Optional<Deployment> found = deployments.lock(tenantId, job.subjectId());
            if (found.isEmpty() || !found.get().status().equals(Deployment.ACTIVE)
                    || found.get().expiresAt() == null) {
                return new Outcome.Done();
            }
            Deployment deployment = found.get();
            if (deployment.expiresAt().isAfter(Instant.now())) {
                return new Outcome.WaitUntil(deployment.expiresAt()); // extended meanwhile
            }
            Environment environment = environments.find(tenantId, deployment.environmentId()).orElseThrow();
            Run run = lifecycle.request(deployment, environment, Run.DESTROY, RunLifecycle.Requester.TTL, null);
            audit.append(new AuditRecord(tenantId, Instant.now(), new Actor.SystemActor("provisioning"),
                    "deployment.expired", "deployment", deployment.id().toString(), true, null, null, null, null,
                    Map.of("run_id", run.id().toString(), "expired_at", deployment.expiresAt().toString())));
            return new Outcome.Done();
        });
    }

    @Override
    public void exhausted(Job job, String error) {
        // nothing was changed by a failed attempt; the deployment stays and its owner can destroy it
    }
}
